// Package metrics holds what a kbench run records while it runs: latency in
// HDR histograms, one per goroutine and rotated into per-second intervals, and
// the counters every record's accounting goes through. Summaries live in
// package results; this package only records and hands out snapshots.
package metrics

import (
	"runtime"
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
// goroutines. Each goroutine records through its own Recorder; Rotate
// gathers them into an interval histogram and a running total.
//
// Recorders share a bounded set of histograms, stripes (two per core, at
// most maxStripes): a producer with 256 senders, or a collector with a
// reader per shard of a thousand, costs the same memory and the same Rotate
// as a handful. Each histogram spans an hour at three significant digits
// (about 200 KB), and Rotate walks and clears every one of them once a
// second, so one histogram per goroutine made that once-a-second merge grow
// with the number of goroutines and starve the run (docs/performance.md).
type Latency struct {
	name string

	mu      sync.Mutex
	stripes []*stripe
	limit   int // most stripes
	next    int // the stripe the next Recorder shares once all exist
	total   *hdrhistogram.Histogram

	clamped  atomic.Int64
	negative atomic.Int64
}

// maxStripes bounds a Latency's histograms on hosts with many cores.
const maxStripes = 32

// stripe is one histogram of a Latency and the lock its recorders and
// Rotate take, padded so that two stripes' locks never share a cache line
// (cores recording into different stripes would otherwise contend anyway).
type stripe struct {
	mu sync.Mutex
	h  *hdrhistogram.Histogram
	_  [128]byte
}

// NewLatency returns an empty latency metric with the given name.
func NewLatency(name string) *Latency {
	return &Latency{name: name, total: NewHistogram(), limit: min(2*runtime.GOMAXPROCS(0), maxStripes)}
}

// Name returns the metric's name.
func (l *Latency) Name() string { return l.name }

// Recorder returns a new recorder for one goroutine. Recorders are cheap:
// the first ones get a histogram each, the later ones share the existing
// histograms in turn. They stay attached to l for its life.
func (l *Latency) Recorder() *Recorder {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.stripes) < l.limit {
		s := &stripe{h: NewHistogram()}
		l.stripes = append(l.stripes, s)
		return &Recorder{l: l, s: s}
	}
	s := l.stripes[l.next%len(l.stripes)]
	l.next++
	return &Recorder{l: l, s: s}
}

// Rotate moves everything recorded since the last Rotate into a new interval
// histogram, adds it to the total and returns it. The caller owns the result.
func (l *Latency) Rotate() *hdrhistogram.Histogram {
	iv := NewHistogram()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.stripes {
		s.mu.Lock()
		if s.h.TotalCount() > 0 { // Reset clears all of its ~200 KB
			iv.Merge(s.h)
			s.h.Reset()
		}
		s.mu.Unlock()
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

// Recorder records one goroutine's values of a Latency into the histogram
// it shares with other recorders (see Latency). Its lock is contended only
// when two of them record at the same instant, or while Rotate collects it
// once a second.
type Recorder struct {
	l *Latency
	s *stripe
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
	r.s.mu.Lock()
	_ = r.s.h.RecordValue(v) // in range by construction
	r.s.mu.Unlock()
}
