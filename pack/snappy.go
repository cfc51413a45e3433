package pack

import (
	"bytes"

	"github.com/klauspost/compress/s2"
)

var snappyCodec = Codec{
	Name:     "snappy",
	Doc:      "Snappy in its framing format (what snappy's stream tools read), written by klauspost/compress/s2 in Snappy-compatible mode; levels 1 (default), 2 (better) and 3 (best), 18 bytes of framing per record.",
	Magic:    []byte{0xff, 0x06, 0x00, 0x00, 's', 'N', 'a', 'P', 'p', 'Y'},
	MinLevel: 1, MaxLevel: 3, DefaultLevel: 1,
	NewEncoder: func(level int) (Encoder, error) {
		opts := []s2.WriterOption{s2.WriterSnappyCompat(), s2.WriterConcurrency(1)}
		switch level {
		case 2:
			opts = append(opts, s2.WriterBetterCompression())
		case 3:
			opts = append(opts, s2.WriterBestCompression())
		}
		return &snappyEncoder{w: s2.NewWriter(nil, opts...)}, nil
	},
	NewDecoder: func() (Decoder, error) {
		return &snappyDecoder{r: s2.NewReader(nil, s2.ReaderMaxBlockSize(64<<10))}, nil
	},
}

type snappyEncoder struct {
	w   *s2.Writer
	out sliceWriter
}

func (e *snappyEncoder) Encode(dst, src []byte) ([]byte, error) {
	e.out.b = dst
	e.w.Reset(&e.out)
	if _, err := e.w.Write(src); err != nil {
		return dst, err
	}
	if err := e.w.Close(); err != nil {
		return dst, err
	}
	out := e.out.b
	e.out.b = nil
	if len(out) == len(dst) { // nothing written: an empty stream is its identifier alone
		out = append(out, snappyCodec.Magic...)
	}
	return out, nil
}

type snappyDecoder struct {
	r   *s2.Reader
	src bytes.Reader
}

func (d *snappyDecoder) Decode(dst, src []byte) ([]byte, error) {
	d.src.Reset(src)
	d.r.Reset(&d.src)
	return readAll(dst, d.r)
}
