package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that any input gives either a valid scenario (whose
// cells expand and whose tree resolves) or Problems, and never panics.
func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"*.yaml", "testdata/*.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data, "stream.shards=3")
		}
	}
	f.Add([]byte("a: &a [*a, *a]\nb: *a\n"), "producers[0]=x")
	f.Add([]byte("name: x\nproducers: [{<<: {generator: iot}, rate: {profile: steps, steps: [{rps: 1, for: 1s}]}}]\n"), "")
	f.Add([]byte("{"), "=")
	f.Fuzz(func(t *testing.T, data []byte, set string) {
		s, err := Parse("fuzz.yaml", data, []string{set})
		if err != nil {
			var ps Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("error %v (%T) is not Problems", err, err)
			}
			return
		}
		if s == nil {
			t.Fatal("nil scenario without an error")
		}
		if _, err := s.Cells(); err != nil {
			t.Fatalf("valid scenario's cells fail: %v", err)
		}
		_ = s.Resolved()
	})
}
