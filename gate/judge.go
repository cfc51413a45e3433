package gate

import (
	"fmt"
	"math"

	"github.com/kbench/kbench/internal/clip"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/scenarios"
)

// Judge evaluates the scenario's threshold expressions against the summary,
// stores the results in s.Thresholds and sets s.Verdict: "fail" when any
// threshold fails, cannot be parsed, names an unknown metric or a statistic
// of nothing ("no data": a latency percentile when nothing was consumed,
// see results.NoData), or when s.Errors is non-empty (the run failed or
// stopped early); "pass" otherwise.
func Judge(s *results.Summary, thresholds []string) {
	s.Thresholds = make([]results.ThresholdResult, 0, len(thresholds))
	m := s.Metrics()
	lookup := func(metric string) (float64, bool) {
		v, ok := m[metric]
		return v, ok
	}
	pass := len(s.Errors) == 0
	for _, expr := range thresholds {
		r := results.ThresholdResult{Expr: expr}
		t, err := scenarios.ParseThreshold(expr)
		if count, empty := results.NoData(m, t.Metric); err == nil && empty {
			r.NoData = true
			err = fmt.Errorf("no data: %s is 0, so %s is a statistic of nothing", count, t.Metric)
		} else if err == nil {
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
	s.Verdict = results.VerdictFail
	if pass {
		s.Verdict = results.VerdictPass
	}
}

// CheckThresholds finds the scenario's thresholds that name a metric no
// summary can have, so a run refuses them before anything starts rather than
// failing them after. Syntax errors are the scenario loader's to report.
func CheckThresholds(sc *scenarios.Scenario) scenarios.Problems {
	var probs scenarios.Problems
	for i, expr := range sc.Thresholds {
		th, err := scenarios.ParseThreshold(expr)
		if err != nil || results.KnownMetric(th.Metric) {
			continue
		}
		msg := fmt.Sprintf("unknown metric %s in %s; metrics are summary.json paths such as latency.e2e.p99_ms, totals.lost, throughput.acked_rps, deadline.on_time_ratio", clip.Quote(th.Metric), clip.Quote(expr))
		probs = append(probs, sc.ProblemAt(fmt.Sprintf("thresholds[%d]", i), msg))
	}
	return probs
}
