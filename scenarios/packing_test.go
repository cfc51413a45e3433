package scenarios

import (
	"strings"
	"testing"
	"time"
)

const packingBase = `name: p
producers:
  - generator: iot
    rate: {profile: constant, rps: 10}
`

func TestPackingDefaults(t *testing.T) {
	s, err := Parse("t.yaml", []byte(packingBase+"    aggregation: {}\n    compression: {codec: zstd}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	a, c := s.Producers[0].Aggregation, s.Producers[0].Compression
	if a == nil || a.MaxRecords != 1000 || a.MaxBytes != 51200 || a.Linger != 100*time.Millisecond {
		t.Errorf("aggregation defaults %+v", a)
	}
	if c == nil || c.Codec != "zstd" || c.Level != 2 {
		t.Errorf("compression defaults %+v", c)
	}
	s, err = Parse("t.yaml", []byte(packingBase), nil)
	if err != nil || s.Producers[0].Aggregation != nil || s.Producers[0].Compression != nil {
		t.Errorf("left out, packing is off: %v %+v", err, s.Producers[0])
	}
}

// TestPackingProblems: each bad value is reported at its own line and
// field, all at once.
func TestPackingProblems(t *testing.T) {
	ps := mustProblems(t, packingBase+`    aggregation:
      max_records: 0
      max_bytes: 2000000
      linger: 11s
    compression: {codec: brotli}
`)
	want := map[string]int{
		"producers[0].aggregation.max_records": 6,
		"producers[0].aggregation.max_bytes":   7,
		"producers[0].aggregation.linger":      8,
		"producers[0].compression.codec":       9,
	}
	for _, p := range ps {
		line, ok := want[p.Field]
		if !ok || p.Line != line {
			t.Errorf("unexpected problem %s", p)
		}
		delete(want, p.Field)
	}
	if len(want) > 0 {
		t.Errorf("missing problems at %v; got %v", want, ps)
	}
	for src, msg := range map[string]string{
		"    compression: {level: 3}\n":               "compression.codec: is required",
		"    compression: {codec: gzip, level: 12}\n": "between 1 and 9 for gzip",
		"    compression: {codec: none, level: 3}\n":  "codec none takes no level",
	} {
		ps := mustProblems(t, packingBase+src)
		if len(ps) != 1 || !strings.Contains(ps[0].String(), msg) || ps[0].Line != 5 {
			t.Errorf("%q: problems %v, want one at line 5 saying %q", src, ps, msg)
		}
	}
}
