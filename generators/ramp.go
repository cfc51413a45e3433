package generators

import (
	"fmt"
	"math"
	"time"
)

type ramp struct {
	from, to float64
	over     float64 // seconds
	total    float64 // records due during the ramp
}

// Ramp returns a pacer whose rate moves linearly from `from` to `to`
// records per second over `over`, then holds `to`. A negative or non-finite
// rate counts as 0; over ≤ 0 holds `to` from the start. When `to` is 0 the
// profile sends only the records due during the ramp.
func Ramp(from, to float64, over time.Duration) Pacer {
	from, to = cleanRate(from), cleanRate(to)
	if over <= 0 {
		from = to
	}
	o := secondsOf(over)
	return ramp{from: from, to: to, over: o, total: (from + to) / 2 * o}
}

// Due implements Pacer. During the ramp it solves
// from·t + (to−from)·t²/(2·over) = n.
func (r ramp) Due(n uint64) (time.Duration, bool) {
	x := float64(n)
	if x >= r.total {
		if r.to == 0 {
			return 0, false
		}
		return durationOf(r.over + (x-r.total)/r.to)
	}
	if x == 0 {
		return 0, true
	}
	a := (r.to - r.from) / (2 * r.over)
	b := r.from
	// The root of a·t² + b·t − x = 0 in [0, over], in the form that does
	// not cancel when a is small.
	return durationOf(2 * x / (b + math.Sqrt(max(0, b*b+4*a*x))))
}

// Rate implements Pacer.
func (r ramp) Rate(elapsed time.Duration) float64 {
	t := secondsOf(elapsed)
	if t >= r.over {
		return r.to
	}
	return r.from + (r.to-r.from)*t/r.over
}

var rampProfile = RateKind{
	Name:    "ramp",
	Doc:     "A linear ramp from `from` to `to` records per second over `over`, then `to`.",
	Options: func() RateOptions { return &RampRate{} },
}

// RampRate is the options of the ramp profile.
type RampRate struct {
	// From is the start rate, ≥ 0.
	From float64 `yaml:"from" json:"from" kbench:"required"`
	// To is the end rate, ≥ 0; From or To is > 0.
	To float64 `yaml:"to" json:"to" kbench:"required"`
	// Over is how long the ramp takes, > 0.
	Over time.Duration `yaml:"over" json:"over" kbench:"required"`
}

// Validate implements RateOptions.
func (o *RampRate) Validate() []*FieldError {
	from, to := rateProblem("from", o.From, false), rateProblem("to", o.To, false)
	var both *FieldError
	if from == nil && to == nil && o.From == 0 && o.To == 0 {
		both = &FieldError{Field: "to", Problem: "from or to must be greater than 0"}
	}
	return collect(from, to, both, durationProblem("over", o.Over))
}

// Pacer implements RateOptions.
func (o *RampRate) Pacer(share float64, _ int64) Pacer { return Ramp(o.From/share, o.To/share, o.Over) }

// Peak implements RateOptions.
func (o *RampRate) Peak() float64 { return math.Max(o.From, o.To) }

// Records implements RateOptions.
func (o *RampRate) Records(d time.Duration) float64 { return countDue(o.Pacer(1, 0), d) }

// String implements RateOptions.
func (o *RampRate) String() string {
	return fmt.Sprintf("ramp %g -> %g rec/s over %v", o.From, o.To, o.Over)
}
