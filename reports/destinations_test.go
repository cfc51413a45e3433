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
			Missing: 1, Recall: 23.0 / 24, Precision: 1, Latency: map[string]results.LatencyStats{"e2e": {Count: 23, P50: 247.3, P99: 434.6}},
			Deadline: &results.DestinationDeadline{DeadlineMS: 1000, Measured: 23, OnTime: 23, OnTimeRatio: 23.0 / 24}}},
	}
	var text bytes.Buffer
	writeDestinations(&text, s)
	var md strings.Builder
	mdDestinations(&md, s)
	for _, out := range []string{text.String(), md.String()} {
		for _, want := range []string{"alerts", "kinesis, some", "95.8%", "247.3", "434.6"} {
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
