package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kbench/kbench/results"
)

func TestDestinationsRendered(t *testing.T) {
	s := &results.Summary{
		Application: &results.ApplicationInfo{Command: []string{"./detector"}, Log: "application.log", ReadyS: 1.5, Exit: "stopped"},
		Destinations: []results.DestinationStats{{Name: "alerts", Kind: "kinesis", Expect: "some", Outputs: 25, Expected: 24,
			Missing: 1, Unmeasured: 2, Recall: 23.0 / 24, Precision: 1, Latency: map[string]results.LatencyStats{"e2e": {Count: 23, P50: 247.3, P99: 434.6}},
			Deadline: &results.DestinationDeadline{DeadlineMS: 1000, Scheduled: 24, Measured: 23, OnTime: 23, OnTimeRatio: 23.0 / 24}}},
	}
	var text bytes.Buffer
	writeDestinations(&text, s)
	var md strings.Builder
	mdDestinations(&md, s, nil)
	for _, out := range []string{text.String(), md.String()} {
		for _, want := range []string{"alerts", "kinesis, some", "95.8%", "247.3", "434.6",
			"2 outputs answered incidents outside the measured part"} {
			if !strings.Contains(out, want) {
				t.Errorf("missing %q in\n%s", want, out)
			}
		}
	}
	if !strings.Contains(text.String(), "application ./detector (ready after 1.5s, stopped); output in application.log") {
		t.Errorf("application line missing:\n%s", text.String())
	}
	if v, ok := s.Lookup("destinations.alerts.recall"); !ok || v != 23.0/24 {
		t.Errorf("Lookup(destinations.alerts.recall) = %v, %v", v, ok)
	}
}

// TestDestinationNoData: a destination that expected nothing and received
// nothing shows its recall, precision, on-time share and latencies as "no
// data" in the text summary, report.md and report.html, not as 0.
func TestDestinationNoData(t *testing.T) {
	s := &results.Summary{
		Destinations: []results.DestinationStats{{Name: "alerts", Kind: "kinesis", Expect: "some",
			Latency:  map[string]results.LatencyStats{"e2e": {}, "application": {}},
			Deadline: &results.DestinationDeadline{DeadlineMS: 1000}}},
	}
	var text bytes.Buffer
	writeDestinations(&text, s)
	var md strings.Builder
	mdDestinations(&md, s, nil)
	for name, out := range map[string]string{"text": text.String(), "report.md": md.String()} {
		if n := strings.Count(out, "no data"); n < 5 || strings.Contains(out, "no data ms") {
			t.Errorf("%s: %d cells say no data, want recall, precision, e2e p50, p99 and on time to, without a unit:\n%s", name, n, out)
		}
		if strings.Contains(out, "0.0%") {
			t.Errorf("%s shows a ratio of nothing as 0:\n%s", name, out)
		}
	}
	c := cellsOf(s.Metrics(), s.Destinations[0])
	if c.Recall != "no data" || c.Precision != "no data" || c.OnTime != "no data" {
		t.Errorf("cells %+v", c)
	}
	// Outputs that all matched nothing: precision 0 is data, recall of no
	// expected output is not.
	s.Destinations[0].Outputs, s.Destinations[0].Unexpected = 3, 3
	if c := cellsOf(s.Metrics(), s.Destinations[0]); c.Precision != "0.0%" || c.Recall != "no data" {
		t.Errorf("3 unexpected outputs: precision %q recall %q, want 0.0%% and no data", c.Precision, c.Recall)
	}
}
