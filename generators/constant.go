package generators

import (
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
