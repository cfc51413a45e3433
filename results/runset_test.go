package results_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbench/kbench/internal/resultstest"
	"github.com/kbench/kbench/results"
)

func TestLoadRunSetSingle(t *testing.T) {
	dir := resultstest.WriteRunSet(t, resultstest.P99(7))
	set, err := results.LoadRunSet(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Runs) != 1 || len(set.Dirs) != 1 || set.Dirs[0] != dir || set.Dir != dir {
		t.Fatalf("set = %+v, want the one run in %s", set, dir)
	}
}

func TestLoadRunSetRepeatsInNumericOrder(t *testing.T) {
	dir := t.TempDir()
	// run-10 must sort after run-2; anything not run-N is ignored.
	for n, v := range map[string]float64{"run-1": 1, "run-2": 2, "run-10": 10} {
		sub := filepath.Join(dir, n)
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := results.WriteSummary(sub, resultstest.P99(v)); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"run-x", "other"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "run-3"), []byte("a file, not a run"), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := results.LoadRunSet(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []float64
	for _, r := range set.Runs {
		got = append(got, r.Latency["e2e"].P99)
	}
	if len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 10 {
		t.Errorf("runs in order %v, want [1 2 10]", got)
	}
	if filepath.Base(set.Dirs[2]) != "run-10" {
		t.Errorf("Dirs = %v", set.Dirs)
	}
}

func TestLoadRunSetErrors(t *testing.T) {
	empty := t.TempDir()
	corrupt := resultstest.WriteRunSet(t, resultstest.P99(1), resultstest.P99(2))
	if err := os.WriteFile(filepath.Join(corrupt, "run-2", results.SummaryFile), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, dir, want string
	}{
		{"empty", empty, "not a results directory"},
		{"missing", filepath.Join(empty, "nope"), "nope"},
		{"corrupt repeat", corrupt, "run-2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := results.LoadRunSet(c.dir)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one naming %q", err, c.want)
			}
		})
	}
}

func TestRunSetStat(t *testing.T) {
	noE2E := &results.Summary{SchemaVersion: results.SchemaVersion}
	cases := []struct {
		name   string
		runs   []*results.Summary
		want   results.Spread
		wantOK bool
	}{
		{"one run", []*results.Summary{resultstest.P99(5)}, results.Spread{5, 5, 5, 1}, true},
		{"odd", []*results.Summary{resultstest.P99(9), resultstest.P99(1), resultstest.P99(4)}, results.Spread{4, 1, 9, 3}, true},
		{"even: mean of the middle two", []*results.Summary{resultstest.P99(1), resultstest.P99(10), resultstest.P99(2), resultstest.P99(4)}, results.Spread{3, 1, 10, 4}, true},
		{"runs without the metric are left out", []*results.Summary{resultstest.P99(2), noE2E, resultstest.P99(6)}, results.Spread{4, 2, 6, 2}, true},
		{"no run has it", []*results.Summary{noE2E}, results.Spread{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			set := &results.RunSet{Runs: c.runs}
			got, ok := set.Stat("latency.e2e.p99_ms")
			if got != c.want || ok != c.wantOK {
				t.Errorf("Stat = %+v, %v; want %+v, %v", got, ok, c.want, c.wantOK)
			}
		})
	}
}

func TestRunSetMedianRun(t *testing.T) {
	a, b, c, d := resultstest.P99(30), resultstest.P99(10), resultstest.P99(20), resultstest.P99(40)
	if got := (&results.RunSet{Runs: []*results.Summary{a, b, c}}).Median("latency.e2e.p99_ms"); got != c {
		t.Errorf("median run of 30, 10, 20 has p99 %v, want 20", got.Latency["e2e"].P99)
	}
	if got := (&results.RunSet{Runs: []*results.Summary{a, b, c, d}}).Median("latency.e2e.p99_ms"); got != c {
		t.Errorf("median run of four has p99 %v, want the lower middle, 20", got.Latency["e2e"].P99)
	}
	if got := (&results.RunSet{Runs: []*results.Summary{a, b}}).Median("no.such.metric"); got != a {
		t.Error("Median of an unknown metric should fall back to the first run")
	}
}
