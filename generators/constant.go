package generators

import (
	"fmt"
	"math"
	"time"
)

type constant struct{ rps float64 }

// Constant returns a pacer that sends rps records per second: record n is
// due at n/rps seconds. A rate that is not positive and finite sends
// nothing.
func Constant(rps float64) Pacer { return constant{rps: cleanRate(rps)} }

// Due implements Pacer.
func (c constant) Due(n uint64) (time.Duration, bool) {
	if c.rps == 0 {
		return 0, false
	}
	return durationOf(float64(n) / c.rps)
}

// Rate implements Pacer.
func (c constant) Rate(time.Duration) float64 { return c.rps }

// cleanRate maps a rate that is negative, NaN or infinite to 0.
func cleanRate(rps float64) float64 {
	if !(rps > 0) || math.IsInf(rps, 1) {
		return 0
	}
	return rps
}

// durationOf converts seconds to a Duration, reporting false when it does
// not fit.
func durationOf(sec float64) (time.Duration, bool) {
	ns := math.Round(sec * 1e9)
	if !(ns < math.MaxInt64) {
		return 0, false
	}
	return time.Duration(ns), true
}

// secondsOf converts a Duration to seconds, negative ones to 0.
func secondsOf(d time.Duration) float64 { return max(0, d.Seconds()) }

var constantProfile = RateKind{
	Name:    "constant",
	Doc:     "A steady rate: record n is due at n/rps seconds.",
	Options: func() RateOptions { return &ConstantRate{} },
}

// ConstantRate is the options of the constant profile.
type ConstantRate struct {
	// RPS is the rate in records per second, > 0.
	RPS float64 `yaml:"rps" json:"rps" kbench:"required"`
}

// Validate implements RateOptions.
func (o *ConstantRate) Validate() []*FieldError { return collect(rateProblem("rps", o.RPS, true)) }

// Pacer implements RateOptions.
func (o *ConstantRate) Pacer(share float64, _ int64) Pacer { return Constant(o.RPS / share) }

// Peak implements RateOptions.
func (o *ConstantRate) Peak() float64 { return o.RPS }

// Records implements RateOptions.
func (o *ConstantRate) Records(d time.Duration) float64 { return countDue(o.Pacer(1, 0), d) }

// String implements RateOptions.
func (o *ConstantRate) String() string { return fmt.Sprintf("constant %g rec/s", o.RPS) }
