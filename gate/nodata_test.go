package gate

import (
	"strings"
	"testing"

	"github.com/kbench/kbench/internal/resultstest"
	"github.com/kbench/kbench/results"
)

// emptyE2E is a summary of a run that consumed nothing: its e2e histogram
// holds no values, so its percentiles read 0.
func emptyE2E() *results.Summary {
	s := resultstest.Summary()
	s.Latency["e2e"] = results.LatencyStats{}
	s.Totals.Consumed = 0
	s.Deadline = &results.DeadlineStats{DeadlineMS: 500}
	return s
}

// TestJudgeNoData: a threshold on a statistic of nothing fails as "no data"
// instead of passing against 0; a count of zero is data.
func TestJudgeNoData(t *testing.T) {
	s := emptyE2E()
	Judge(s, []string{"latency.e2e.p99_ms < 1000", "totals.consumed == 0", "latency.e2e.count == 0",
		"deadline.on_time_ratio >= 0", "latency.put.p99_ms < 1000"})
	want := []struct{ ok, noData bool }{{false, true}, {true, false}, {true, false}, {false, true}, {true, false}}
	for i, w := range want {
		r := s.Thresholds[i]
		if r.OK != w.ok || r.NoData != w.noData {
			t.Errorf("%s: ok %v, no data %v (%s); want ok %v, no data %v", r.Expr, r.OK, r.NoData, r.Error, w.ok, w.noData)
		}
	}
	if r := s.Thresholds[0]; !strings.Contains(r.Error, "no data: latency.e2e.count is 0") {
		t.Errorf("error = %q", r.Error)
	}
	if s.Verdict != results.VerdictFail {
		t.Error("a latency threshold with nothing consumed passed the run")
	}
}

// TestJudgeDestinationNoData: a destination's recall with no output
// expected, its precision with no output received and its on-time share
// with nothing due are statistics of nothing, judged as "no data" like a
// latency percentile; the same figures with data pass or fail on their
// values.
func TestJudgeDestinationNoData(t *testing.T) {
	exprs := []string{"destinations.alerts.recall >= 0.95", "destinations.alerts.precision >= 0.95",
		"destinations.alerts.deadline.on_time_ratio >= 0.9", "destinations.alerts.outputs == 0",
		"destinations.alerts.latency.e2e.p99_ms < 1000"}
	empty := resultstest.Summary()
	empty.Destinations = []results.DestinationStats{{Name: "alerts", Kind: "kinesis", Expect: "some",
		Latency:  map[string]results.LatencyStats{"e2e": {}},
		Deadline: &results.DestinationDeadline{DeadlineMS: 1000}}}
	Judge(empty, exprs)
	for i, w := range []struct{ ok, noData bool }{{false, true}, {false, true}, {false, true}, {true, false}, {false, true}} {
		if r := empty.Thresholds[i]; r.OK != w.ok || r.NoData != w.noData {
			t.Errorf("nothing expected: %s: ok %v, no data %v (%s); want ok %v, no data %v", r.Expr, r.OK, r.NoData, r.Error, w.ok, w.noData)
		}
	}
	if r := empty.Thresholds[0]; !strings.Contains(r.Error, "no data: destinations.alerts.expected is 0") {
		t.Errorf("error = %q", r.Error)
	}
	full := resultstest.Summary()
	full.Destinations = []results.DestinationStats{{Name: "alerts", Kind: "kinesis", Expect: "some",
		Outputs: 10, Expected: 10, Missing: 1, Recall: 0.9, Precision: 1,
		Latency:  map[string]results.LatencyStats{"e2e": {Count: 9, P99: 400}},
		Deadline: &results.DestinationDeadline{DeadlineMS: 1000, Scheduled: 10, Measured: 9, OnTime: 9, OnTimeRatio: 0.9}}}
	Judge(full, exprs)
	for i, ok := range []bool{false, true, true, false, true} {
		if r := full.Thresholds[i]; r.OK != ok || r.NoData {
			t.Errorf("with data: %s: ok %v, no data %v (%s); want ok %v", r.Expr, r.OK, r.NoData, r.Error, ok)
		}
	}
	// A summary written before destinations had deadline.scheduled judges
	// the ratio on its value.
	old := map[string]float64{"destinations.alerts.deadline.on_time_ratio": 0.5}
	if _, empty := results.NoData(old, "destinations.alerts.deadline.on_time_ratio"); empty {
		t.Error("a ratio without its scheduled count is no data")
	}
}

// TestGateNoData: a gate rule on a metric the current run has no samples
// of fails, whatever the baseline; one the baseline has none of is skipped
// (relative) or judged (bound).
func TestGateNoData(t *testing.T) {
	load := func(sums ...*results.Summary) *results.RunSet {
		set, err := results.LoadRunSet(resultstest.WriteRunSet(t, sums...))
		if err != nil {
			t.Fatal(err)
		}
		return set
	}
	full, empty := load(resultstest.Summary()), load(emptyE2E(), emptyE2E())
	for _, tc := range []struct {
		name      string
		base, cur *results.RunSet
		rule      string
		verdict   string
		detail    string
		column    string
	}{
		{"current consumed nothing", full, empty, "latency.e2e.p99_ms > +10%", results.VerdictFail, "no data", "no data"},
		{"neither consumed", empty, empty, "latency.e2e.p99_ms > +10%", results.VerdictFail, "no data", "no data"},
		{"bound", full, empty, "latency.e2e.p99_ms > 1000", results.VerdictFail, "no data", "no data"},
		{"baseline consumed nothing", empty, full, "latency.e2e.p99_ms > +10%", VerdictSkip, "no data in the baseline", "no data"},
		{"a count of zero is data", full, empty, "totals.consumed < -5%", results.VerdictFail, "current median 0", "0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRule(tc.rule)
			if err != nil {
				t.Fatal(err)
			}
			g, err := Evaluate(tc.base, tc.cur, []Rule{r})
			if err != nil {
				t.Fatal(err)
			}
			res := g.Results[0]
			if res.Verdict != tc.verdict || !strings.Contains(res.Detail(), tc.detail) {
				t.Errorf("got %s: %s; want %s saying %q", res.Verdict, res.Detail(), tc.verdict, tc.detail)
			}
			var text strings.Builder
			g.WriteText(&text)
			if !strings.Contains(text.String(), tc.column) || !strings.Contains(string(g.Markdown()), tc.column) {
				t.Errorf("the tables do not show %q:\n%s", tc.column, text.String())
			}
		})
	}
	// The default rules no longer pass a run that stopped consuming.
	g, err := Evaluate(full, empty, nil)
	if err != nil {
		t.Fatal(err)
	}
	if g.Passed() {
		t.Error("the default gate passed a current run that consumed nothing")
	}
}

// TestRuleErrorsBounded: a flood of bad rules, or one huge one, gives a
// bounded message.
func TestRuleErrorsBounded(t *testing.T) {
	exprs := []string{"x > " + strings.Repeat("9", 1<<20) + "z"}
	for range 10000 {
		exprs = append(exprs, "bogus")
	}
	_, err := ParseRules(exprs)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if n := strings.Count(msg, "\n") + 1; n > 51 || len(msg) > 51*800 {
		t.Errorf("%d lines, %d bytes of errors", n, len(msg))
	}
	if !strings.Contains(msg, "… and 9951 more bad rules") || !strings.Contains(msg, "bytes in all") {
		t.Errorf("message does not cut and count: %.600s", msg)
	}
}
