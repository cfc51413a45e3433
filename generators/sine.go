package generators

import (
	"fmt"
	"math"
	"time"
)

// sineKnots is how many points of one period's inverse integral a sine
// pacer keeps to start its Newton steps close to the answer.
const sineKnots = 256

type sine struct {
	base, amp float64
	period    float64 // seconds
	w         float64 // 2π/period
	// knots[k] is when k/sineKnots of one period's records are due.
	knots []float64
}

// Sine returns a pacer whose rate is base + amplitude·sin(2πt/period)
// records per second. |amplitude| is capped at base so the rate never goes
// negative; period ≤ 0 holds base. A base that is not positive and finite
// sends nothing.
func Sine(base, amplitude float64, period time.Duration) Pacer {
	base = cleanRate(base)
	if period <= 0 || math.IsNaN(amplitude) || math.IsInf(amplitude, 0) {
		amplitude = 0
	}
	s := &sine{base: base, amp: max(-base, min(base, amplitude)), period: secondsOf(period)}
	if s.base == 0 || s.amp == 0 {
		return s
	}
	s.w = 2 * math.Pi / s.period
	// The integral lies within |amp|·period/π of base·t.
	spread := math.Abs(s.amp) * s.period / math.Pi
	s.knots = make([]float64, sineKnots+1)
	for k := 1; k < sineKnots; k++ {
		x := float64(k) / sineKnots * s.base * s.period
		s.knots[k] = s.solve(x, max(0, (x-spread)/s.base), min(s.period, (x+spread)/s.base), x/s.base)
	}
	s.knots[sineKnots] = s.period
	return s
}

// Rate implements Pacer.
func (s *sine) Rate(elapsed time.Duration) float64 {
	if s.amp == 0 {
		return s.base
	}
	return s.base + s.amp*math.Sin(s.w*secondsOf(elapsed))
}

// Due implements Pacer. Whole periods hold base·period records each; within
// the last period it solves base·t + amplitude/w·(1 − cos wt) = n, with
// w = 2π/period, starting between the two knots that bracket n.
func (s *sine) Due(n uint64) (time.Duration, bool) {
	if s.base == 0 {
		return 0, false
	}
	x := float64(n)
	if s.amp == 0 {
		return durationOf(x / s.base)
	}
	perPeriod := s.base * s.period
	whole := math.Floor(x / perPeriod)
	rem := max(0, x-whole*perPeriod)
	u := min(rem/perPeriod*sineKnots, sineKnots-1e-9)
	k := int(u)
	lo, hi := s.knots[k], s.knots[k+1]
	t := s.solve(rem, lo, hi, lo+(u-float64(k))*(hi-lo))
	return durationOf(whole*s.period + t)
}

// solve finds t in [lo, hi] where the integral over one period reaches x,
// by Newton steps from t kept inside a shrinking bracket (bisection when a
// step would leave it) until the step or the bracket is below 10^-12 of the
// period; at most 100 iterations.
func (s *sine) solve(x, lo, hi, t float64) float64 {
	tol := 1e-12 * s.period
	for range 100 {
		sin, cos := math.Sincos(s.w * t)
		f := s.base*t + s.amp/s.w*(1-cos) - x
		if f > 0 {
			hi = t
		} else {
			lo = t
		}
		if hi-lo < tol || f == 0 {
			return t
		}
		next := t - f/(s.base+s.amp*sin)
		if math.Abs(next-t) < tol {
			return next
		}
		if !(next > lo && next < hi) {
			next = (lo + hi) / 2
		}
		t = next
	}
	return t
}

var sineProfile = RateKind{
	Name:    "sine",
	Doc:     "A wave: base + amplitude·sin(2πt/period) records per second.",
	Options: func() RateOptions { return &SineRate{} },
}

// SineRate is the options of the sine profile.
type SineRate struct {
	// Base is the mean rate, > 0.
	Base float64 `yaml:"base" json:"base" kbench:"required"`
	// Amplitude is the swing around Base, 0..Base.
	Amplitude float64 `yaml:"amplitude" json:"amplitude"`
	// Period is the length of one cycle, > 0.
	Period time.Duration `yaml:"period" json:"period" kbench:"required"`
}

// Validate implements RateOptions.
func (o *SineRate) Validate() []*FieldError {
	var amp *FieldError
	if !(o.Amplitude >= 0) || o.Amplitude > o.Base {
		amp = &FieldError{Field: "amplitude", Problem: fmt.Sprintf("must be between 0 and base (%g), got %g", o.Base, o.Amplitude)}
	}
	return collect(rateProblem("base", o.Base, true), amp, durationProblem("period", o.Period))
}

// Pacer implements RateOptions.
func (o *SineRate) Pacer(share float64, _ int64) Pacer {
	return Sine(o.Base/share, o.Amplitude/share, o.Period)
}

// Peak implements RateOptions.
func (o *SineRate) Peak() float64 { return o.Base + o.Amplitude }

// Records implements RateOptions.
func (o *SineRate) Records(d time.Duration) float64 { return countDue(o.Pacer(1, 0), d) }

// String implements RateOptions.
func (o *SineRate) String() string {
	return fmt.Sprintf("sine %g ± %g rec/s every %v", o.Base, o.Amplitude, o.Period)
}
