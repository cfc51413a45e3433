package generators

import (
	"fmt"
	"math"
	"time"

	"github.com/kbench/kbench/internal/kind"
)

// MaxRPS bounds every rate a profile's options accept, per producer: far
// beyond what one machine sends.
const MaxRPS = 10_000_000

// RateOptions is the settings of one rate profile, decoded from a
// producer's `rate:` block (every field but `profile`). Each profile has its
// own struct with yaml tags; a field tagged `kbench:"required"` must be set
// in the file.
type RateOptions interface {
	// Validate returns every problem with the options, or nil. Field names
	// are the yaml names, such as "steps[0].rps".
	Validate() []*FieldError
	// Pacer returns the profile with every rate divided by share (the
	// producer's instances split its rate); seed seeds random profiles.
	Pacer(share float64, seed int64) Pacer
	// Peak returns the highest rate the profile asks for, in records per
	// second.
	Peak() float64
	// Records returns how many records the profile sends in its first d:
	// exactly the records its Pacer schedules before d, or for a random
	// profile their expected number.
	Records(d time.Duration) float64
	// String describes the profile in a few words for logs and reports.
	String() string
}

// RateKind is one rate profile in the RateProfiles table.
type RateKind struct {
	// Name is the value of `profile:` in a scenario.
	Name string
	// Doc says in one sentence what the profile does.
	Doc string
	// Options returns the profile's options with their defaults, ready to
	// have the rest of the `rate:` block decoded into them.
	Options func() RateOptions
}

// KindName implements kind.Named.
func (k RateKind) KindName() string { return k.Name }

// RateProfiles is every rate profile, in the order messages and
// documentation list them.
var RateProfiles = kind.Table[RateKind]{
	constantProfile,
	rampProfile,
	stepsProfile,
	sineProfile,
	poissonProfile,
	traceProfile,
}

// countDue returns how many records p schedules before d: the first n
// whose Due(n) is at or after d (or that p does not send), found by an
// exponential then binary search. p's Due must be non-decreasing in n.
func countDue(p Pacer, d time.Duration) float64 {
	before := func(n uint64) bool {
		t, ok := p.Due(n)
		return ok && t < d
	}
	if !before(0) {
		return 0
	}
	lo, hi := uint64(0), uint64(1) // before(lo) holds
	for before(hi) {
		if hi >= math.MaxUint64/4 {
			return float64(hi)
		}
		lo, hi = hi, hi*2
	}
	for hi-lo > 1 { // before(lo), !before(hi)
		mid := lo + (hi-lo)/2
		if before(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return float64(hi)
}

// rateProblem checks a rate in records per second; required rates must
// be positive, others may be 0.
func rateProblem(field string, v float64, positive bool) *FieldError {
	switch {
	case positive && (!(v > 0) || v > MaxRPS):
		return &FieldError{Field: field, Problem: fmt.Sprintf("must be greater than 0 and at most %d, got %g", MaxRPS, v)}
	case !positive && (!(v >= 0) || v > MaxRPS):
		return &FieldError{Field: field, Problem: fmt.Sprintf("must be between 0 and %d, got %g", MaxRPS, v)}
	}
	return nil
}

// durationProblem checks a duration that must be positive.
// MaxDuration is the longest a rate profile's stages may last in all (365
// days, the scenario's limit on any duration), so the pacer's sums of them
// cannot overflow.
const MaxDuration = 365 * 24 * time.Hour

func durationProblem(field string, v time.Duration) *FieldError {
	if v <= 0 {
		return &FieldError{Field: field, Problem: "must be positive, got " + v.String()}
	}
	return nil
}

// collect drops the nil problems.
func collect(fes ...*FieldError) []*FieldError {
	var out []*FieldError
	for _, fe := range fes {
		if fe != nil {
			out = append(out, fe)
		}
	}
	return out
}
