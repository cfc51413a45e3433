package pack

import (
	"crypto/md5"
	"testing"
)

func md5Of(b []byte) []byte {
	s := md5.Sum(b)
	return s[:]
}

// FuzzUnpack feeds outside input to the unpacker: it must return records
// or an error, never panic, and records it returns lie within the input or
// its decompressed form.
func FuzzUnpack(f *testing.F) {
	pks, data := userRecords(5, 2)
	var a Aggregate
	for i := range pks {
		a.Add(pks[i], "340282366920938463463374607431768211455", data[i])
	}
	agg := a.AppendTo(nil)
	f.Add(agg)
	f.Add([]byte("KB plain record"))
	for _, c := range Codecs {
		enc, _ := c.NewEncoder(c.DefaultLevel)
		z, _ := enc.Encode(nil, agg)
		f.Add(z)
	}
	// Valid digests over arbitrary bodies reach the protobuf parser.
	f.Add(append(append(append([]byte{}, Magic...), 0x1a, 0x02, 0x08, 0x00), md5Of([]byte{0x1a, 0x02, 0x08, 0x00})...))
	f.Fuzz(func(t *testing.T, b []byte) {
		var u Unpacker
		got, err := u.Unpack("k", b)
		if err != nil && len(got.Records) > 0 {
			t.Fatalf("error %v with %d records", err, len(got.Records))
		}
		// With its digest fixed, the body alone must parse or fail cleanly.
		fixed := append(append(append([]byte{}, Magic...), b...), md5Of(b)...)
		if got, err := u.Unpack("k", fixed); err == nil {
			for _, r := range got.Records {
				if len(r.Data) > len(b) {
					t.Fatalf("record of %d bytes from a body of %d", len(r.Data), len(b))
				}
			}
		}
	})
}
