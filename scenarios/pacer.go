package scenarios

import (
	"fmt"
	"math"

	"github.com/kbench/kbench/generators"
)

// Pacer returns the open-model rate profile of the whole producer.
func (p Producer) Pacer() (generators.Pacer, error) {
	return p.Rate.pacer(1, p.Seed)
}

// InstancePacer returns the rate profile of producer instance i
// (0 ≤ i < Concurrency): the producer's rate split evenly over its
// instances. Poisson instances draw from distinct seeds derived from Seed.
func (p Producer) InstancePacer(i int) (generators.Pacer, error) {
	if p.Concurrency < 1 || i < 0 || i >= p.Concurrency {
		return nil, fmt.Errorf("producer %q: instance %d of %d does not exist", p.Name, i, p.Concurrency)
	}
	return p.Rate.pacer(float64(p.Concurrency), p.Seed+int64(i)<<32)
}

// pacer builds the profile with every rate divided by share.
func (r Rate) pacer(share float64, seed int64) (generators.Pacer, error) {
	switch r.Profile {
	case "constant":
		return generators.Constant(r.RPS / share), nil
	case "poisson":
		return generators.Poisson(r.RPS/share, seed), nil
	case "ramp":
		return generators.Ramp(r.From/share, r.To/share, r.Over), nil
	case "steps":
		steps := make([]generators.Step, len(r.Steps))
		for i, s := range r.Steps {
			steps[i] = generators.Step{RPS: s.RPS / share, For: s.For}
		}
		return generators.Steps(steps), nil
	case "sine":
		return generators.Sine(r.Base/share, r.Amplitude/share, r.Period), nil
	}
	return nil, fmt.Errorf("unknown rate profile %q", r.Profile)
}

// Peak returns the highest rate, in records per second, the profile asks
// for at any time.
func (r Rate) Peak() float64 {
	switch r.Profile {
	case "constant", "poisson":
		return r.RPS
	case "ramp":
		return math.Max(r.From, r.To)
	case "steps":
		peak := 0.0
		for _, s := range r.Steps {
			peak = math.Max(peak, s.RPS)
		}
		return peak
	case "sine":
		return r.Base + r.Amplitude
	}
	return 0
}

// PeakRate returns the sum of the producers' peak rates in records per
// second: an upper bound of what the stream must take at once.
func (s *Scenario) PeakRate() float64 {
	total := 0.0
	for _, p := range s.Producers {
		total += p.Rate.Peak()
	}
	return total
}
