package model

import (
	"math"
	"testing"

	"github.com/kbench/kbench/scenarios"
)

func TestSampleWorkload(t *testing.T) {
	sc, err := scenarios.Parse("w.yaml", []byte(`name: w
stream: {shards: 4}
duration: 10s
producers:
  - {generator: blob, options: {bytes: 960}, rate: {profile: constant, rps: 3000}, partition_key: random}
  - {generator: blob, options: {bytes: 60}, rate: {profile: constant, rps: 1000}, partition_key: fixed}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	w, err := SampleWorkload(sc, 250_000)
	if err != nil {
		t.Fatal(err)
	}
	if got := w.PeakRate(); got != 4000 {
		t.Errorf("peak rate %g, want 4000", got)
	}
	if n := len(w.samples[0].hashes); n != 250_000 {
		t.Errorf("%d records sampled, want 250,000", n)
	}
	// 1,000 bytes of data plus a 19-character random key, and 100 bytes
	// plus the 12-character fixed key, weighted 3:1.
	if got, want := w.MeanRecordBytes(), (3*1019.0+112)/4; math.Abs(got-want) > 0.5 {
		t.Errorf("mean record %g bytes, want %g", got, want)
	}
	for _, n := range []int{1, 3, 8} {
		var recs, bytes float64
		hot := 0.0
		for _, s := range w.Offered(n) {
			recs += s.RecordsPerS
			bytes += s.BytesPerS
			hot = max(hot, s.RecordsPerS)
		}
		if math.Abs(recs-4000) > 1e-6 || math.Abs(bytes-4000*w.MeanRecordBytes()) > 1 {
			t.Errorf("%d shards are offered %g records/s and %g bytes/s, want 4000 and %g", n, recs, bytes, 4000*w.MeanRecordBytes())
		}
		// The fixed key's 1,000/s all land on one shard, beside its share
		// of the uniform 3,000/s.
		if want := 1000 + 3000/float64(n); math.Abs(hot-want) > 0.05*want {
			t.Errorf("%d shards: the hottest is offered %g records/s, want about %g", n, hot, want)
		}
	}
}
