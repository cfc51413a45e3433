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
// It knows nothing of the scenario's rate events; Scenario.InstancePacer
// applies them.
func (p Producer) InstancePacer(i int) (generators.Pacer, error) {
	if p.Concurrency < 1 || i < 0 || i >= p.Concurrency {
		return nil, fmt.Errorf("producer %q: instance %d of %d does not exist", p.Name, i, p.Concurrency)
	}
	return p.Rate.pacer(float64(p.Concurrency), p.Seed+int64(i)<<32)
}

// InstancePacer returns the rate profile of instance `instance` of
// producers[producer]: Producer.InstancePacer, switched (with
// generators.Switch) to each of the producer's rate events at its time, each
// new rate split over the producer's instances like its own rate. Like a
// Poisson pacer, the result expects Due(n) with n increasing by one per
// call and is not safe for concurrent use; ask for one pacer per goroutine.
func (s *Scenario) InstancePacer(producer, instance int) (generators.Pacer, error) {
	if producer < 0 || producer >= len(s.Producers) {
		return nil, fmt.Errorf("producer %d of %d does not exist", producer, len(s.Producers))
	}
	p := s.Producers[producer]
	pacer, err := p.InstancePacer(instance)
	if err != nil {
		return nil, err
	}
	for k, ev := range s.rateEvents(producer) {
		// Each event's Poisson instances get seeds of their own.
		after, err := ev.Rate.pacer(float64(p.Concurrency), p.Seed+int64(instance)<<32+int64(k+1)<<44)
		if err != nil {
			return nil, fmt.Errorf("producer %q: rate event at %s: %w", p.Name, ev.At, err)
		}
		pacer = generators.Switch(pacer, ev.At, after)
	}
	return pacer, nil
}

// rateEvents returns the rate events of producers[i] in time order.
func (s *Scenario) rateEvents(i int) []Event {
	var out []Event
	for _, ev := range sortedEvents(s.Events) {
		if ev.Rate != nil && ev.Producer == s.Producers[i].Name {
			out = append(out, ev)
		}
	}
	return out
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
// second, each producer's rate events included: an upper bound of what the
// stream must take at once.
func (s *Scenario) PeakRate() float64 {
	total := 0.0
	for i, p := range s.Producers {
		peak := p.Rate.Peak()
		for _, ev := range s.rateEvents(i) {
			peak = math.Max(peak, ev.Rate.Peak())
		}
		total += peak
	}
	return total
}
