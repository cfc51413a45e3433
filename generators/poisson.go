package generators

import (
	"fmt"
	"time"
)

type poisson struct {
	rps  float64
	seed int64
	rng  rng
	n    uint64  // the last record whose time is known
	t    float64 // its due time, seconds
}

// Poisson returns a pacer whose records arrive as a Poisson process of rps
// records per second: record 0 is due at 0 and the gaps after it are
// exponential with mean 1/rps, drawn from a source seeded with seed. It
// remembers the last record it placed, so asking for n, n+1, n+2, … costs
// one draw each and gives the same times for the same seed; asking for an
// earlier record replays from record 0. It is not safe for concurrent use.
// A rate that is not positive and finite sends nothing.
func Poisson(rps float64, seed int64) Pacer {
	return &poisson{rps: cleanRate(rps), seed: seed, rng: newRNG(seed, saltPoisson)}
}

// Due implements Pacer.
func (p *poisson) Due(n uint64) (time.Duration, bool) {
	if p.rps == 0 {
		return 0, false
	}
	if n < p.n {
		p.rng, p.n, p.t = newRNG(p.seed, saltPoisson), 0, 0
	}
	for p.n < n {
		p.t += p.rng.Exp() / p.rps
		p.n++
	}
	return durationOf(p.t)
}

// Rate implements Pacer.
func (p *poisson) Rate(time.Duration) float64 { return p.rps }

var poissonProfile = RateKind{
	Name:    "poisson",
	Doc:     "Random arrivals: exponential gaps with mean rate rps, from the producer's seed.",
	Options: func() RateOptions { return &PoissonRate{} },
}

// PoissonRate is the options of the poisson profile.
type PoissonRate struct {
	// RPS is the mean rate in records per second, > 0.
	RPS float64 `yaml:"rps" json:"rps" kbench:"required"`
}

// Validate implements RateOptions.
func (o *PoissonRate) Validate() []*FieldError { return collect(rateProblem("rps", o.RPS, true)) }

// Pacer implements RateOptions.
func (o *PoissonRate) Pacer(share float64, seed int64) Pacer { return Poisson(o.RPS/share, seed) }

// Peak implements RateOptions.
func (o *PoissonRate) Peak() float64 { return o.RPS }

// Records implements RateOptions: the expected number, rps × d.
func (o *PoissonRate) Records(d time.Duration) float64 { return cleanRate(o.RPS) * secondsOf(d) }

// String implements RateOptions.
func (o *PoissonRate) String() string { return fmt.Sprintf("poisson %g rec/s", o.RPS) }
