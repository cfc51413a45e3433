package generators

import (
	"sort"
	"time"
)

// Step is one stage of a Steps profile: RPS records per second for For.
type Step struct {
	RPS float64
	For time.Duration
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
