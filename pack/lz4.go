package pack

import "github.com/pierrec/lz4/v4"

var lz4Codec = Codec{
	Name:     "lz4",
	Doc:      "LZ4 frame format (what the lz4 tool reads) from pierrec/lz4; level 0 (fast) or 1 to 9 (high compression), 64 KiB blocks.",
	Magic:    []byte{0x04, 0x22, 0x4d, 0x18},
	MinLevel: 0, MaxLevel: 9, DefaultLevel: 0,
	NewEncoder: func(level int) (Encoder, error) {
		lv := lz4.Fast
		if level > 0 {
			lv = lz4.CompressionLevel(1 << (8 + level))
		}
		w := lz4.NewWriter(nil)
		if err := w.Apply(lz4.CompressionLevelOption(lv), lz4.BlockSizeOption(lz4.Block64Kb), lz4.ConcurrencyOption(1)); err != nil {
			return nil, err
		}
		return &streamEncoder{w: w}, nil
	},
	NewDecoder: func() (Decoder, error) { return &streamDecoder{r: lz4.NewReader(nil)}, nil },
}
