package generators

import (
	"bytes"
	"testing"
)

func TestBlob(t *testing.T) {
	for _, tt := range []struct {
		name string
		o    BlobOptions
		bad  string
	}{
		{"default", DefaultBlobOptions(), ""},
		{"empty payload", BlobOptions{Bytes: 0, Entities: 1}, ""},
		{"odd size", BlobOptions{Bytes: 1021, Entities: 3}, ""},
		{"negative", BlobOptions{Bytes: -1, Entities: 1}, "bytes"},
		{"too big", BlobOptions{Bytes: MaxBlobBytes + 1, Entities: 1}, "bytes"},
		{"no entities", BlobOptions{Bytes: 10}, "entities"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			gen, err := New(&tt.o, 7)
			if tt.bad != "" {
				if err == nil || !bytes.Contains([]byte(err.Error()), []byte(tt.bad)) {
					t.Fatalf("New: %v, want a problem with %s", err, tt.bad)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			again, _ := New(&tt.o, 7)
			seen := map[string]bool{}
			for i := range 1000 {
				p, ent := gen.Next(nil, int64(i))
				q, ent2 := again.Next(nil, int64(i))
				if len(p) != tt.o.Bytes {
					t.Fatalf("record %d is %d bytes, want %d", i, len(p), tt.o.Bytes)
				}
				if !bytes.Equal(p, q) || ent != ent2 {
					t.Fatalf("record %d differs between two generators of one seed", i)
				}
				seen[ent] = true
			}
			if want := min(tt.o.Entities, 500); len(seen) < want {
				t.Errorf("%d distinct entities in 1,000 records of %d, want at least %d", len(seen), tt.o.Entities, want)
			}
		})
	}
}
