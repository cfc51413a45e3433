package reports

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// p99Summary is a minimal summary whose e2e p99 is v.
func p99Summary(v float64) *Summary {
	return &Summary{SchemaVersion: SchemaVersion, Latency: map[string]LatencyStats{"e2e": {Count: 1, P99: v}}}
}

// writeRunSet writes sums as a results directory: one summary.json for one
// summary, RepeatPrefix subdirectories run-1…run-N for several.
func writeRunSet(t *testing.T, sums ...*Summary) string {
	t.Helper()
	dir := t.TempDir()
	if len(sums) == 1 {
		if err := WriteSummary(dir, sums[0]); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	for i, s := range sums {
		sub := filepath.Join(dir, RepeatPrefix+strconv.Itoa(i+1))
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := WriteSummary(sub, s); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadRunSetSingle(t *testing.T) {
	dir := writeRunSet(t, p99Summary(7))
	set, err := LoadRunSet(dir)
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
		if err := WriteSummary(sub, p99Summary(v)); err != nil {
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
	set, err := LoadRunSet(dir)
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
	corrupt := writeRunSet(t, p99Summary(1), p99Summary(2))
	if err := os.WriteFile(filepath.Join(corrupt, "run-2", SummaryFile), []byte("{"), 0o644); err != nil {
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
			_, err := LoadRunSet(c.dir)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one naming %q", err, c.want)
			}
		})
	}
}

func TestRunSetStat(t *testing.T) {
	noE2E := &Summary{SchemaVersion: SchemaVersion}
	cases := []struct {
		name   string
		runs   []*Summary
		want   Spread
		wantOK bool
	}{
		{"one run", []*Summary{p99Summary(5)}, Spread{5, 5, 5, 1}, true},
		{"odd", []*Summary{p99Summary(9), p99Summary(1), p99Summary(4)}, Spread{4, 1, 9, 3}, true},
		{"even: mean of the middle two", []*Summary{p99Summary(1), p99Summary(10), p99Summary(2), p99Summary(4)}, Spread{3, 1, 10, 4}, true},
		{"runs without the metric are left out", []*Summary{p99Summary(2), noE2E, p99Summary(6)}, Spread{4, 2, 6, 2}, true},
		{"no run has it", []*Summary{noE2E}, Spread{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			set := &RunSet{Runs: c.runs}
			got, ok := set.Stat("latency.e2e.p99_ms")
			if got != c.want || ok != c.wantOK {
				t.Errorf("Stat = %+v, %v; want %+v, %v", got, ok, c.want, c.wantOK)
			}
		})
	}
}

func TestRunSetMedianRun(t *testing.T) {
	a, b, c, d := p99Summary(30), p99Summary(10), p99Summary(20), p99Summary(40)
	if got := (&RunSet{Runs: []*Summary{a, b, c}}).Median("latency.e2e.p99_ms"); got != c {
		t.Errorf("median run of 30, 10, 20 has p99 %v, want 20", got.Latency["e2e"].P99)
	}
	if got := (&RunSet{Runs: []*Summary{a, b, c, d}}).Median("latency.e2e.p99_ms"); got != c {
		t.Errorf("median run of four has p99 %v, want the lower middle, 20", got.Latency["e2e"].P99)
	}
	if got := (&RunSet{Runs: []*Summary{a, b}}).Median("no.such.metric"); got != a {
		t.Error("Median of an unknown metric should fall back to the first run")
	}
}
