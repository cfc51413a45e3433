package model

import (
	"math"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/results"
)

// Interval is one second of one histogram, encoded as an HdrHistogram log
// line's payload (compressed), with the time it covers.
type Interval struct {
	From, To time.Time
	Data     []byte
}

// hist is one latency metric of the model run: the current second's
// histogram, the total and, when kept, the encoded intervals. Counts are
// expected counts (floats); carry keeps what rounding left over, so the
// histogram's count follows the records' count.
type hist struct {
	name      string
	iv, total *hdrhistogram.Histogram
	carry     float64
	seq       float64 // where addSpread's points fall inside their shares
	keep      bool
	intervals []Interval
	w         *results.HlogWriter // when the intervals are streamed to a file
}

func newHist(name string, keep bool) *hist {
	return &hist{name: name, iv: metrics.NewHistogram(), total: metrics.NewHistogram(), keep: keep}
}

// add records n values of v nanoseconds.
func (h *hist) add(v float64, n float64) {
	addTo(h.iv, &h.carry, v, n)
}

// addTo records n values of v nanoseconds into h, carrying the fraction.
func addTo(h *hdrhistogram.Histogram, carry *float64, v, n float64) {
	c := n + *carry
	k := int64(c)
	*carry = c - float64(k)
	if k <= 0 {
		return
	}
	x := int64(v)
	x = min(max(x, metrics.Lowest), metrics.Highest)
	_ = h.RecordValues(x, k)
}

// rotate closes the current second [from, to): it joins the total and,
// when intervals are kept, is encoded.
func (h *hist) rotate(from, to time.Time) error {
	h.total.Merge(h.iv)
	if h.w != nil {
		if err := h.w.Write(h.iv, from, to); err != nil {
			return err
		}
	} else if h.keep {
		h.iv.SetStartTimeMs(from.UnixMilli())
		h.iv.SetEndTimeMs(to.UnixMilli())
		b, err := h.iv.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
		if err != nil {
			return err
		}
		h.intervals = append(h.intervals, Interval{From: from, To: to, Data: b})
	}
	h.iv.Reset()
	return nil
}

// spreadPoints is how many points the latencies of a cohort of n records
// are recorded at: its records' latencies spread evenly between two ends,
// and each point stands for an equal share of them. One a millisecond of
// spread, at most most and at most one a record.
func spreadPoints(a, b, n float64, most int) int {
	d := b - a
	if d < 0 {
		d = -d
	}
	return max(min(int(d/float64(time.Millisecond)), most, int(math.Ceil(n))), 1)
}

// maxPoints is the most points a cohort is recorded at with shards open
// shards: 16 on a few shards, fewer on many, whose many cohorts a step
// already spread the values.
func maxPoints(shards int) int { return min(max(64/max(shards, 1), 2), 16) }

// addSpread records n values spread evenly from a to b, at up to most
// points (see spread).
func (h *hist) addSpread(a, b, n float64, most int) {
	spread(h.iv, &h.carry, &h.seq, a, b, n, spreadPoints(a, b, n, most))
}

// spread records into h n values spread evenly from a to b at k points:
// one in each of k equal shares of the spread, at an offset drawn along the
// low-discrepancy sequence *seq. A run's cohorts are many, so their points
// fill each spread evenly however few each one gets: a distribution stays
// as fine on a thousand shards (two points a cohort) as on four (sixteen).
func spread(h *hdrhistogram.Histogram, carry, seq *float64, a, b, n float64, k int) {
	if a == b {
		addTo(h, carry, a, n)
		return
	}
	off := uniform(seq)
	for i := range k {
		u := (float64(i) + off) / float64(k)
		addTo(h, carry, a+u*(b-a), n/float64(k))
	}
}

// shareAtMost is the share of values spread evenly from a to b that are
// at most d.
func shareAtMost(a, b, d float64) float64 {
	lo, hi := min(a, b), max(a, b)
	switch {
	case d >= hi:
		return 1
	case d < lo:
		return 0
	case hi == lo:
		return 1
	}
	return (d - lo) / (hi - lo)
}
