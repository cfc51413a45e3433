package pack

import "github.com/klauspost/compress/s2"

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
		return &snappyEncoder{streamEncoder{w: s2.NewWriter(nil, opts...)}}, nil
	},
	NewDecoder: func() (Decoder, error) {
		return &streamDecoder{r: s2.NewReader(nil, s2.ReaderMaxBlockSize(64<<10))}, nil
	},
}

// snappyEncoder writes an empty record as the stream identifier alone, which
// is what a snappy framing reader expects of an empty stream.
type snappyEncoder struct{ streamEncoder }

func (e *snappyEncoder) Encode(dst, src []byte) ([]byte, error) {
	out, err := e.streamEncoder.Encode(dst, src)
	if err == nil && len(out) == len(dst) {
		out = append(out, snappyCodec.Magic...)
	}
	return out, err
}
