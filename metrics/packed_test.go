package metrics

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// TestPackedLatencyTotalIsDense records the same values, spread over the
// whole range and recorded concurrently, into a PackedLatency and a Latency:
// their totals must hold the same counts in every bucket, so every figure
// read from them (percentiles, max, mean, the hlog encoding) is the same.
func TestPackedLatencyTotalIsDense(t *testing.T) {
	p, l := NewPackedLatency(LatE2E), NewLatency(LatE2E)
	rng := rand.New(rand.NewPCG(1, 2))
	values := []time.Duration{-time.Second, 0, 1, time.Microsecond, time.Hour, 2 * time.Hour}
	for range 20_000 {
		values = append(values, time.Duration(rng.Int64N(int64(10*time.Second))))
		values = append(values, time.Duration(rng.Int64N(int64(2*time.Hour)))) // some above the range
	}
	r := l.Recorder()
	for _, v := range values {
		r.Record(v)
	}
	l.Rotate()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < len(values); i += 4 {
				p.Record(values[i])
			}
		}()
	}
	wg.Wait()

	got, want := p.Total(), l.Total()
	if got.TotalCount() != want.TotalCount() || !slices.Equal(got.Export().Counts, want.Export().Counts) {
		t.Fatalf("packed total differs from dense: %d values against %d", got.TotalCount(), want.TotalCount())
	}
	if got.Max() != want.Max() || got.Mean() != want.Mean() || got.ValueAtQuantile(99.9) != want.ValueAtQuantile(99.9) {
		t.Errorf("max %d mean %f p99.9 %d, dense %d %f %d", got.Max(), got.Mean(), got.ValueAtQuantile(99.9),
			want.Max(), want.Mean(), want.ValueAtQuantile(99.9))
	}
	if p.Clamped() != l.Clamped() || p.Negative() != l.Negative() || p.Clamped() == 0 || p.Negative() != 1 {
		t.Errorf("clamped %d negative %d, dense %d %d", p.Clamped(), p.Negative(), l.Clamped(), l.Negative())
	}
	ge, err := got.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		t.Fatal(err)
	}
	we, err := want.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ge, we) {
		t.Error("packed total encodes differently from dense")
	}
	if p.Total() == got { // Total is a copy
		t.Error("Total returned the same histogram twice")
	}
}

// BenchmarkPackedRecord records values spread as a shard's e2e is, 100 ms
// to 2 s, into one PackedLatency: after the first few thousand values every
// bucket exists and a record is a binary search and an increment.
func BenchmarkPackedRecord(b *testing.B) {
	l := NewPackedLatency("bench")
	rng := rand.New(rand.NewPCG(1, 2))
	values := make([]time.Duration, 1<<16)
	for i := range values {
		values[i] = 100*time.Millisecond + time.Duration(rng.Int64N(int64(1900*time.Millisecond)))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		l.Record(values[i&(len(values)-1)])
	}
}
