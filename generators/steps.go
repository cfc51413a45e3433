package generators

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// Step is one stage of a Steps profile: RPS records per second for For.
type Step struct {
	// RPS is the step's rate in records per second, ≥ 0.
	RPS float64 `yaml:"rps" json:"rps"`
	// For is the step's duration, > 0.
	For time.Duration `yaml:"for" json:"for"`
}

type steps struct {
	start []float64 // seconds at which each step starts
	cum   []float64 // records due before each step starts, then the total
	rate  []float64
	end   float64 // seconds at which the last step ends
}

// Steps returns a pacer that runs each step at its rate for its duration,
// then holds the last step's rate. Steps with a duration ≤ 0 are skipped; a
// negative or non-finite rate counts as 0, and Due skips stretches of rate
// 0. With no steps the profile sends nothing.
func Steps(list []Step) Pacer {
	var s steps
	t, c := 0.0, 0.0
	for _, st := range list {
		if st.For <= 0 {
			continue
		}
		r := cleanRate(st.RPS)
		s.start = append(s.start, t)
		s.cum = append(s.cum, c)
		s.rate = append(s.rate, r)
		t += st.For.Seconds()
		c += r * st.For.Seconds()
	}
	s.cum = append(s.cum, c)
	s.end = t
	return s
}

// Due implements Pacer.
func (s steps) Due(n uint64) (time.Duration, bool) {
	x := float64(n)
	// The first step whose end count passes n holds record n.
	k := sort.Search(len(s.rate), func(i int) bool { return s.cum[i+1] > x })
	if k < len(s.rate) {
		return durationOf(s.start[k] + (x-s.cum[k])/s.rate[k])
	}
	if len(s.rate) == 0 || s.rate[len(s.rate)-1] == 0 {
		return 0, false
	}
	return durationOf(s.end + (x-s.cum[len(s.rate)])/s.rate[len(s.rate)-1])
}

// Rate implements Pacer.
func (s steps) Rate(elapsed time.Duration) float64 {
	if len(s.rate) == 0 {
		return 0
	}
	t := secondsOf(elapsed)
	k := sort.Search(len(s.start), func(i int) bool { return s.start[i] > t }) - 1
	return s.rate[max(0, k)]
}

var stepsProfile = RateKind{
	Name:    "steps",
	Doc:     "Stages of fixed rate, each for its duration; the last rate holds after them.",
	Options: func() RateOptions { return &StepsRate{} },
}

// StepsRate is the options of the steps profile.
type StepsRate struct {
	// Steps are the stages, at least one, one with an rps > 0.
	Steps []Step `yaml:"steps" json:"steps" kbench:"required"`
}

// Validate implements RateOptions.
func (o *StepsRate) Validate() []*FieldError {
	if len(o.Steps) == 0 {
		return []*FieldError{{Field: "steps", Problem: "needs at least one step, such as [{rps: 100, for: 10s}]"}}
	}
	var errs []*FieldError
	anyRate := false
	var total time.Duration
	for i, st := range o.Steps {
		if fe := durationProblem(fmt.Sprintf("steps[%d].for", i), st.For); fe != nil {
			errs = append(errs, fe)
		}
		if total += max(st.For, 0); total > MaxDuration {
			return append(errs, &FieldError{Field: "steps", Problem: fmt.Sprintf(
				"the steps last more than %dh (365 days) in all, up to step %d", MaxDuration/time.Hour, i)})
		}
		if fe := rateProblem(fmt.Sprintf("steps[%d].rps", i), st.RPS, false); fe != nil {
			errs = append(errs, fe)
		} else if st.RPS > 0 {
			anyRate = true
		}
	}
	if !anyRate {
		errs = append(errs, &FieldError{Field: "steps", Problem: "at least one step needs an rps greater than 0"})
	}
	return errs
}

// Pacer implements RateOptions.
func (o *StepsRate) Pacer(share float64, _ int64) Pacer {
	list := make([]Step, len(o.Steps))
	for i, s := range o.Steps {
		list[i] = Step{RPS: s.RPS / share, For: s.For}
	}
	return Steps(list)
}

// Peak implements RateOptions.
func (o *StepsRate) Peak() float64 {
	peak := 0.0
	for _, s := range o.Steps {
		peak = math.Max(peak, s.RPS)
	}
	return peak
}

// Records implements RateOptions: the last step's rate holds after the
// steps end, so it counts for the rest of d.
func (o *StepsRate) Records(d time.Duration) float64 { return countDue(o.Pacer(1, 0), d) }

// String implements RateOptions.
func (o *StepsRate) String() string {
	return fmt.Sprintf("%d steps, peak %g rec/s", len(o.Steps), o.Peak())
}
