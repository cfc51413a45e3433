package reports

import (
	"strings"
	"testing"

	"github.com/kbench/kbench/internal/resultstest"
	"github.com/kbench/kbench/results"
)

// TestNoDataShown: a histogram with no values and a threshold judged on
// one read "no data" in the text summary, report.md and the key numbers,
// not 0.
func TestNoDataShown(t *testing.T) {
	s := resultstest.Summary()
	s.Latency["e2e"] = results.LatencyStats{}
	s.Thresholds = []results.ThresholdResult{{Expr: "latency.e2e.p99_ms < 1000", NoData: true,
		Error: "no data: latency.e2e.count is 0, so latency.e2e.p99_ms is a statistic of nothing"}}
	s.Verdict = results.VerdictFail
	var text strings.Builder
	WriteText(&text, s)
	md := markdown(s, nil)
	for name, out := range map[string]string{"text": text.String(), "report.md": md} {
		if !strings.Contains(out, "no data") {
			t.Errorf("%s does not say no data:\n%s", name, out)
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.Contains(line, "e2e ") && strings.Contains(line, "0.000") || strings.Contains(line, "| e2e |") && strings.Contains(line, "0.000") {
				t.Errorf("%s shows an empty histogram as zeros: %s", name, line)
			}
		}
	}
	if c := keyCards(s)[1]; c.Value != "no data" || !c.Bad {
		t.Errorf("e2e card = %+v, want no data, marked bad", c)
	}
}
