package generators

import (
	"math"
	"time"
)

type switched struct {
	before, after Pacer
	at            time.Duration

	probed uint64 // records of before known to be due before at
	found  bool   // whether nAt is known
	nAt    uint64 // the first record that follows after
}

// Switch returns a piecewise pacer that changes profile at the offset at:
// records due before at follow before; from at on, records follow after,
// shifted to start at at. If nAt is the first record that before would
// place at or after at (or that before does not send at all), then record
// n ≥ nAt is due at at + after.Due(n − nAt), and Rate(elapsed) is
// before.Rate(elapsed) before at and after.Rate(elapsed − at) from then on.
//
// Switch finds nAt by asking before.Due for records 0, 1, 2, … one at a
// time, as Poisson pacers need, so Due should be called with n increasing
// by one per call, as for Poisson: each call then costs one call of before
// or of after. Any other order gives the same times at a higher cost. The
// result is not safe for concurrent use. Switches nest: the after of an
// outer Switch takes over from an inner Switch the same way. An at ≤ 0
// switches at the start, so only after is used.
func Switch(before Pacer, at time.Duration, after Pacer) Pacer {
	return &switched{before: before, at: max(0, at), after: after}
}

// Due implements Pacer.
func (s *switched) Due(n uint64) (time.Duration, bool) {
	if !s.found && n < s.probed {
		return s.before.Due(n)
	}
	for !s.found {
		t, ok := s.before.Due(s.probed)
		if !ok || t >= s.at {
			s.found, s.nAt = true, s.probed
			break
		}
		s.probed++
		if s.probed > n {
			return t, true
		}
	}
	if n < s.nAt {
		return s.before.Due(n)
	}
	d, ok := s.after.Due(n - s.nAt)
	if !ok || d > math.MaxInt64-s.at {
		return 0, false
	}
	return s.at + d, true
}

// Rate implements Pacer.
func (s *switched) Rate(elapsed time.Duration) float64 {
	if elapsed < s.at {
		return s.before.Rate(elapsed)
	}
	return s.after.Rate(elapsed - s.at)
}
