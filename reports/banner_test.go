package reports

import (
	"strings"
	"testing"

	"github.com/kbench/kbench/internal/resultstest"
	"github.com/kbench/kbench/results"
)

// TestMergeBanners: a merged report opens with a banner when workers are
// missing or the clock error is over 5% of the e2e p50, and with none
// otherwise.
func TestMergeBanners(t *testing.T) {
	s := resultstest.Summary()
	if got := banners(s); got != nil {
		t.Errorf("a run that was not merged has banners %q", got)
	}
	s.Workers = &results.MergeInfo{Count: 4, Merged: make([]results.WorkerInfo, 4), ClockErrorMS: 2, ClockErrorShare: 0.01}
	if got := banners(s); got != nil {
		t.Errorf("a complete merge with a 1%% clock error has banners %q", got)
	}
	s.Workers.ClockErrorMS, s.Workers.ClockErrorShare = 30, 0.12
	s.Workers.Merged, s.Workers.Missing, s.Workers.Incomplete = s.Workers.Merged[:3], []int{2}, true
	md := markdown(s, nil)
	i, j := strings.Index(md, "INCOMPLETE: merged from 3 of 4 workers; missing: [2]"), strings.Index(md, "**Verdict:**")
	if i < 0 || i > j {
		t.Errorf("report.md does not open with the incomplete banner:\n%s", md)
	}
	if !strings.Contains(md, "up to 30.000 ms, 12% of the end-to-end p50") {
		t.Errorf("report.md does not warn of the clock error:\n%s", md)
	}
	if got := banners(s); len(got) != 2 {
		t.Errorf("banners %q, want two (report.html shows the same)", got)
	}
}
