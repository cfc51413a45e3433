package pack

import (
	"bytes"

	"github.com/klauspost/compress/gzip"
)

var gzipCodec = Codec{
	Name:     "gzip",
	Doc:      "gzip (RFC 1952) from klauspost/compress; levels 1 (fastest) to 9 (smallest), 18 bytes of header and trailer per record.",
	Magic:    []byte{0x1f, 0x8b},
	MinLevel: gzip.BestSpeed, MaxLevel: gzip.BestCompression, DefaultLevel: 6,
	NewEncoder: func(level int) (Encoder, error) {
		w, err := gzip.NewWriterLevel(nil, level)
		if err != nil {
			return nil, err
		}
		return &streamEncoder{w: w}, nil
	},
	NewDecoder: func() (Decoder, error) { return &gzipDecoder{}, nil },
}

type gzipDecoder struct {
	r   *gzip.Reader
	src bytes.Reader
}

func (d *gzipDecoder) Decode(dst, src []byte) ([]byte, error) {
	d.src.Reset(src)
	if d.r == nil {
		r, err := gzip.NewReader(&d.src)
		if err != nil {
			return dst, err
		}
		d.r = r
	} else if err := d.r.Reset(&d.src); err != nil {
		return dst, err
	}
	d.r.Multistream(false)
	return readAll(dst, d.r)
}
