package metrics

import (
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// PackedLatency is a latency metric kept in a sparse HDR histogram of
// kbench's range and precision: its memory grows with the buckets it holds
// (a few KB for a shard's e2e), not the ~200 KB of a dense one, and it has
// no per-second intervals. It suits the many small metrics of a run, one per
// shard and application: at a thousand shards the dense ones, a total and a
// stripe each, took hundreds of MB per application (docs/performance.md).
// Its Total is exactly the dense histogram of the same values.
type PackedLatency struct {
	name string

	mu sync.Mutex
	h  *hdrhistogram.PackedHistogram

	clamped  atomic.Int64
	negative atomic.Int64
}

// NewPackedLatency returns an empty packed latency metric with the given name.
func NewPackedLatency(name string) *PackedLatency {
	return &PackedLatency{name: name, h: hdrhistogram.NewPacked(Lowest, Highest, SigFigs)}
}

// Name returns the metric's name.
func (l *PackedLatency) Name() string { return l.name }

// Record adds one latency value, clamped and counted as Recorder.Record
// does. It is safe for concurrent use.
func (l *PackedLatency) Record(d time.Duration) {
	v := int64(d)
	switch {
	case v < 0:
		l.negative.Add(1)
		v = 0
	case v > Highest:
		l.clamped.Add(1)
		v = Highest
	}
	l.mu.Lock()
	_ = l.h.RecordValue(v) // in range by construction
	l.mu.Unlock()
}

// Total returns a dense copy of everything recorded so far, the histogram a
// Latency would hold for the same values.
func (l *PackedLatency) Total() *hdrhistogram.Histogram {
	h := NewHistogram()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.h.MergeInto(h) // same geometry: drops nothing
	return h
}

// Clamped returns how many values were above the histogram's range and were
// recorded as its highest value.
func (l *PackedLatency) Clamped() int64 { return l.clamped.Load() }

// Negative returns how many values were below zero and were recorded as zero.
func (l *PackedLatency) Negative() int64 { return l.negative.Load() }
