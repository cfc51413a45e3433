package reports

import (
	"math"

	"github.com/kbench/kbench/scenarios"
)

// Judge evaluates the scenario's threshold expressions against the summary,
// stores the results in s.Thresholds and sets s.Verdict: "fail" when any
// threshold fails, cannot be parsed or names an unknown metric, or when
// s.Errors is non-empty (the run failed or stopped early); "pass" otherwise.
func (s *Summary) Judge(thresholds []string) {
	s.Thresholds = make([]ThresholdResult, 0, len(thresholds))
	m := s.metrics()
	lookup := func(metric string) (float64, bool) {
		v, ok := m[metric]
		return v, ok
	}
	pass := len(s.Errors) == 0
	for _, expr := range thresholds {
		r := ThresholdResult{Expr: expr}
		t, err := scenarios.ParseThreshold(expr)
		if err == nil {
			r.Value, r.OK, err = t.Eval(lookup)
		}
		if math.IsNaN(r.Value) || math.IsInf(r.Value, 0) {
			r.Value = 0 // JSON has no NaN; the error or verdict says what happened
		}
		if err != nil {
			r.OK = false
			r.Error = err.Error()
		}
		pass = pass && r.OK
		s.Thresholds = append(s.Thresholds, r)
	}
	s.Verdict = VerdictFail
	if pass {
		s.Verdict = VerdictPass
	}
}
