// Package metrics holds what a kbench run records while it runs: latency in
// HDR histograms, one per goroutine and rotated into per-second intervals, and
// the counters every record's accounting goes through. Summaries live in
// package results; this package only records and hands out snapshots.
package metrics

import (
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Histogram range and precision, in nanoseconds: 1 µs resolution up to one
// hour, three significant digits. Every kbench histogram uses it, so any two
// can be merged.
const (
	Lowest  = int64(time.Microsecond)
	Highest = int64(time.Hour)
	SigFigs = 3
)

// NewHistogram returns an empty histogram with kbench's range and precision.
func NewHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(Lowest, Highest, SigFigs)
}

// Latency is one named latency metric ("put", "e2e", …) recorded by many
// goroutines. Each goroutine records into its own Recorder; Rotate gathers
// them into an interval histogram and a running total.
type Latency struct {
	name string

	mu        sync.Mutex
	recorders []*Recorder
	total     *hdrhistogram.Histogram

	clamped  atomic.Int64
	negative atomic.Int64
}

// NewLatency returns an empty latency metric with the given name.
func NewLatency(name string) *Latency {
	return &Latency{name: name, total: NewHistogram()}
}

// Name returns the metric's name.
func (l *Latency) Name() string { return l.name }

// Recorder returns a new recorder for one goroutine. Recorders are cheap;
// they stay attached to l for its life.
func (l *Latency) Recorder() *Recorder {
	r := &Recorder{l: l, h: NewHistogram()}
	l.mu.Lock()
	l.recorders = append(l.recorders, r)
	l.mu.Unlock()
	return r
}

// Rotate moves everything recorded since the last Rotate into a new interval
// histogram, adds it to the total and returns it. The caller owns the result.
func (l *Latency) Rotate() *hdrhistogram.Histogram {
	iv := NewHistogram()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.recorders {
		r.mu.Lock()
		iv.Merge(r.h)
		r.h.Reset()
		r.mu.Unlock()
	}
	l.total.Merge(iv)
	return iv
}

// Total returns a copy of everything rotated so far.
func (l *Latency) Total() *hdrhistogram.Histogram {
	l.mu.Lock()
	defer l.mu.Unlock()
	return hdrhistogram.Import(l.total.Export())
}

// TotalSnapshot returns a copy of everything rotated so far as an HDR
// snapshot: the counts array alone, cheaper than Total when the caller only
// walks the counts (a live exporter, at every scrape).
func (l *Latency) TotalSnapshot() *hdrhistogram.Snapshot {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total.Export()
}

// Clamped returns how many values were above the histogram's range and were
// recorded as its highest value.
func (l *Latency) Clamped() int64 { return l.clamped.Load() }

// Negative returns how many values were below zero (clock skew between
// hosts) and were recorded as zero.
func (l *Latency) Negative() int64 { return l.negative.Load() }

// Recorder records one goroutine's values of a Latency. Its lock is only
// contended while Rotate collects it, once a second.
type Recorder struct {
	l  *Latency
	mu sync.Mutex
	h  *hdrhistogram.Histogram
}

// Record adds one latency value. Values outside the histogram's range are
// clamped and counted, never dropped.
func (r *Recorder) Record(d time.Duration) {
	v := int64(d)
	switch {
	case v < 0:
		r.l.negative.Add(1)
		v = 0
	case v > Highest:
		r.l.clamped.Add(1)
		v = Highest
	}
	r.mu.Lock()
	_ = r.h.RecordValue(v) // in range by construction
	r.mu.Unlock()
}
