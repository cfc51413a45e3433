package latency

import (
	"math"
	"math/rand/v2"
	"time"
)

// Ordered draws the delays of one ordered sequence of records, such as one
// shard's: each record's delay follows the distribution, and yet no record
// becomes visible before one that arrived earlier (arrival + delay never
// decreases), as Kinesis keeps a shard's records in order.
//
// Independent draws per record cannot do both: taking the running maximum
// of arrival + delay would push every delay towards the distribution's
// tail at high rates. Instead the delay is a process in time: it is
// Quantile(u(t)), where u moves through [0, 1] so that its logit drifts
// down at a fixed rate towards a target drawn uniformly, and on reaching it
// takes the target as its level (jumping up when the target lies above)
// and draws the next. Over time u is uniform (the levels visited between
// two draws are spread in logit space exactly in proportion to the logistic
// density), so records arriving at any steady rate see the distribution;
// the drift rate is the fastest for which the delay falls by at most one
// second per second, which keeps arrival + delay from decreasing. Delays of
// records close in time are therefore correlated for about 1/rate seconds
// (DriftRate). Where the distribution rises so steeply that the drift would
// fall below MinDriftRate, the rate is held at MinDriftRate and a delay is
// raised when needed to keep order, which biases that part of the
// distribution upwards.
//
// An Ordered is not safe for concurrent use; the caller serialises calls
// (the simulator holds the shard's lock).
type Ordered struct {
	d             Dist
	rate          float64 // logit units per second
	r             *rand.Rand
	started       bool
	last          int64   // the previous call's arrival, unix nanoseconds
	level, target float64 // logits of u and of its target
	lastVisible   int64   // the previous record's arrival + delay
}

// Limits of the drift rate, in logit units per second.
const (
	// MinDriftRate bounds how slowly Ordered's delay may change: about a
	// second for a typical swing between two levels.
	MinDriftRate = 2.0
	// maxDriftRate bounds how fast: near-independent delays for records a
	// millisecond apart.
	maxDriftRate = 1000.0
	// tailEps keeps u within [tailEps, 1−tailEps], where logits are finite.
	tailEps = 1e-6
	// restartLogits is how far the level may drift in one call before it is
	// drawn afresh instead of stepped through (after a long idle gap).
	restartLogits = 1000.0
)

// NewOrdered returns the delay process of d for one sequence of records,
// drawing from a generator seeded with seed.
func NewOrdered(d Dist, seed uint64) *Ordered {
	return NewOrderedRate(d, DriftRate(d), seed)
}

// NewOrderedRate is NewOrdered with d's DriftRate computed by the caller,
// for callers that make many sequences of one distribution (DriftRate
// evaluates the quantile function thousands of times).
func NewOrderedRate(d Dist, rate float64, seed uint64) *Ordered {
	return &Ordered{d: d, rate: rate, r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// DriftRate is the rate (logit units per second) at which Ordered's u
// drifts for d: the fastest rate at which d's quantile function, read along
// the logit scale, falls by at most one second per second, held within
// [MinDriftRate, 1000].
func DriftRate(d Dist) float64 {
	if d.kind == "" || d.kind == KindFixed {
		return maxDriftRate
	}
	const n = 4096
	lo, hi := logit(tailEps), logit(1-tailEps)
	step := (hi - lo) / n
	var steepest float64 // seconds per logit unit
	prev := d.Quantile(expit(lo)).Seconds()
	for i := 1; i <= n; i++ {
		q := d.Quantile(expit(lo + step*float64(i))).Seconds()
		steepest = max(steepest, (q-prev)/step)
		prev = q
	}
	if steepest == 0 {
		return maxDriftRate
	}
	return max(MinDriftRate, min(maxDriftRate, 1/steepest))
}

// Delay returns the delay of a record arriving at unix nanoseconds at.
// Calls come in arrival order; an at before the previous call's is taken as
// that. at + Delay(at) is never less than the previous record's.
func (o *Ordered) Delay(at int64) time.Duration {
	if o.d.kind == "" || o.d.kind == KindFixed {
		return o.d.value
	}
	switch {
	case !o.started:
		o.started = true
		o.restart()
	case at > o.last:
		o.drift(float64(at-o.last) / 1e9)
	}
	at = max(at, o.last)
	o.last = at
	visible := max(at+int64(o.d.Quantile(expit(o.level))), o.lastVisible)
	o.lastVisible = visible
	return time.Duration(visible - at)
}

// drift moves the level on by sec seconds.
func (o *Ordered) drift(sec float64) {
	left := sec * o.rate
	if left > restartLogits {
		o.restart()
		return
	}
	for {
		if o.target >= o.level {
			o.level, o.target = o.target, o.draw()
			continue
		}
		gap := o.level - o.target
		if left < gap {
			o.level -= left
			return
		}
		left -= gap
		o.level, o.target = o.target, o.draw()
	}
}

// restart draws a level and a target afresh.
func (o *Ordered) restart() {
	o.level, o.target = o.draw(), o.draw()
}

// draw returns the logit of a uniform draw within [tailEps, 1−tailEps].
func (o *Ordered) draw() float64 {
	return logit(tailEps + (1-2*tailEps)*o.r.Float64())
}

func logit(u float64) float64 { return math.Log(u / (1 - u)) }

func expit(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
