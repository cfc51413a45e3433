package pack

import (
	"github.com/klauspost/compress/zstd"
)

var zstdCodec = Codec{
	Name:     "zstd",
	Doc:      "Zstandard (RFC 8878) from klauspost/compress; levels 1 (fastest) to 4 (smallest), klauspost's four encoder speeds, one frame per record with its content size.",
	Magic:    []byte{0x28, 0xb5, 0x2f, 0xfd},
	MinLevel: 1, MaxLevel: 4, DefaultLevel: 2,
	NewEncoder: func(level int) (Encoder, error) {
		e, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.EncoderLevel(level)),
			zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(1<<20), zstd.WithZeroFrames(true))
		if err != nil {
			return nil, err
		}
		return zstdEncoder{e}, nil
	},
	NewDecoder: func() (Decoder, error) {
		d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(MaxDecoded),
			zstd.WithDecoderMaxWindow(MaxDecoded))
		if err != nil {
			return nil, err
		}
		return zstdDecoder{d}, nil
	},
}

type zstdEncoder struct{ e *zstd.Encoder }

func (e zstdEncoder) Encode(dst, src []byte) ([]byte, error) { return e.e.EncodeAll(src, dst), nil }

type zstdDecoder struct{ d *zstd.Decoder }

func (d zstdDecoder) Decode(dst, src []byte) ([]byte, error) {
	out, err := d.d.DecodeAll(src, dst)
	if err != nil {
		return dst, err
	}
	if len(out)-len(dst) > MaxDecoded {
		return dst, ErrTooLarge
	}
	return out, nil
}
