package gate

import "github.com/kbench/kbench/results"

// Repeats tallies the verdicts of the repeats of one matrix cell
// (kbench run --repeat N). A cell fails when at least half of its repeats
// fail, a tie included, so one noisy repeat out of three does not fail it.
type Repeats struct {
	// Ran counts the repeats that wrote a summary; Failed those of them
	// whose verdict was not a pass.
	Ran, Failed int
}

// Add counts one repeat's summary.
func (r *Repeats) Add(s *results.Summary) {
	r.Ran++
	if s.Verdict != results.VerdictPass {
		r.Failed++
	}
}

// Passed reports whether the cell passes: no repeat failed, or fewer than
// half of them did.
func (r Repeats) Passed() bool {
	return r.Failed == 0 || 2*r.Failed < r.Ran
}

// Verdict is "PASS" or "FAIL", as the run command prints it.
func (r Repeats) Verdict() string {
	if r.Passed() {
		return "PASS"
	}
	return "FAIL"
}
