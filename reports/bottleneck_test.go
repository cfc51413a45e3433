package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/kbench/kbench/internal/resultstest"
	"github.com/kbench/kbench/results"
)

// TestBottleneckFirstLines: the bottleneck verdict is among the first lines
// of the text summary and of report.md, with its evidence.
func TestBottleneckFirstLines(t *testing.T) {
	s := resultstest.Summary()
	s.Bottleneck = &results.Bottleneck{Kind: results.BottleneckTarget, Reason: "the target is the limit: 85% of write attempts were throttled",
		CPURatio: 0.07, Cores: 2, InFlightRatio: 0.96, ScheduleLagMS: 9000, BacklogGrowthRPS: 36}
	var b bytes.Buffer
	WriteText(&b, s)
	lines := strings.Split(b.String(), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[2], "  bottleneck target: the target is the limit") ||
		!strings.Contains(lines[2], "in-flight 96.0%") {
		t.Errorf("text summary's third line is not the bottleneck:\n%s", b.String())
	}
	md := markdown(s, nil)
	i, j := strings.Index(md, "**Bottleneck:** target"), strings.Index(md, "### Key numbers")
	if i < 0 || i > j {
		t.Errorf("report.md does not show the bottleneck before the key numbers:\n%s", md)
	}
	s.Bottleneck = nil // a summary from before the verdict existed
	b.Reset()
	WriteText(&b, s)
	if strings.Contains(b.String(), "bottleneck") {
		t.Errorf("a summary without a verdict shows one:\n%s", b.String())
	}
}
