package main

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kbench/kbench/gate"
	"github.com/kbench/kbench/results"
)

// shortRun is a 3-second run of the default scenario on the simulator.
func shortRun(t *testing.T, out string, extra ...string) string {
	t.Helper()
	args := append([]string{"run", "../../scenarios/default.yaml", "--out", out, "--quiet",
		"--set", "duration=3s", "--set", "warmup=0s", "--set", "drain=3s", "--set", "thresholds=[]"}, extra...)
	code, stdout, stderr := kbench(t, args...)
	if code != exitOK {
		t.Fatalf("%v: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, stdout, stderr)
	}
	return stdout
}

// TestCompareGate runs a baseline three times (--repeat 3), then a current
// run whose every PutRecords call the simulator holds 40 ms longer, and
// gates one against the other.
func TestCompareGate(t *testing.T) {
	base := t.TempDir()
	baseline, current := filepath.Join(base, "baseline"), filepath.Join(base, "current")

	stdout := shortRun(t, baseline, "--repeat", "3")
	for i := 1; i <= 3; i++ {
		if _, err := os.Stat(filepath.Join(baseline, results.RepeatPrefix+strconv.Itoa(i), results.SummaryFile)); err != nil {
			t.Errorf("--repeat 3: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(baseline, results.SummaryFile)); err == nil {
		t.Error("--repeat 3 wrote a summary.json beside run-1..run-3")
	}
	if !strings.Contains(stdout, "0 of 3 repeats failed: PASS") {
		t.Errorf("no repeat verdict on stdout:\n%s", stdout)
	}
	shortRun(t, current, "--set", "target.sim.put_delay=40ms")

	t.Run("regression exits 1", func(t *testing.T) {
		code, stdout, stderr := kbench(t, "compare", baseline, current, "--fail-on", "latency.put.p50_ms > +50%")
		if code != exitFailed {
			t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		for _, w := range []string{"kbench gate: FAIL", "(3 runs)", "(1 run)", "latency.put.p50_ms > +50%"} {
			if !strings.Contains(stdout, w) {
				t.Errorf("stdout lacks %q:\n%s", w, stdout)
			}
		}
		if !strings.Contains(stderr, "regression: latency.put.p50_ms > +50%") {
			t.Errorf("stderr does not name the rule:\n%s", stderr)
		}
		md, err := os.ReadFile(filepath.Join(current, gate.MarkdownFile))
		if err != nil || !strings.Contains(string(md), "FAIL") {
			t.Errorf("gate.md: %v\n%s", err, md)
		}
		data, err := os.ReadFile(filepath.Join(current, gate.JUnitFile))
		if err != nil {
			t.Fatal(err)
		}
		var suite struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Cases    []struct {
				Failure *struct {
					Body string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		}
		if err := xml.Unmarshal(data, &suite); err != nil {
			t.Fatal(err)
		}
		if suite.Tests != 1 || suite.Failures != 1 || len(suite.Cases) != 1 || suite.Cases[0].Failure == nil {
			t.Fatalf("gate.junit.xml: %s", data)
		}
		// The baseline side is the median of its three runs.
		set, err := results.LoadRunSet(baseline)
		if err != nil {
			t.Fatal(err)
		}
		sp, _ := set.Stat("latency.put.p50_ms")
		want := "baseline: median " + strconv.FormatFloat(sp.Median, 'f', 3, 64)
		if sp.N != 3 || !strings.Contains(suite.Cases[0].Failure.Body, want) || !strings.Contains(suite.Cases[0].Failure.Body, "runs 3") {
			t.Errorf("failure body does not give the median of 3 runs (%q):\n%s", want, suite.Cases[0].Failure.Body)
		}
	})

	t.Run("baseline against itself passes the default rules", func(t *testing.T) {
		out := filepath.Join(base, "self")
		code, stdout, stderr := kbench(t, "compare", baseline, baseline, "--out", out)
		if code != exitOK {
			t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		for _, w := range []string{"kbench gate: PASS", "using the default rules", "latency.e2e.p99_ms > +10%", "totals.lost > 0"} {
			if !strings.Contains(stdout, w) {
				t.Errorf("stdout lacks %q:\n%s", w, stdout)
			}
		}
		for _, f := range []string{gate.MarkdownFile, gate.JUnitFile} {
			if _, err := os.Stat(filepath.Join(out, f)); err != nil {
				t.Error(err)
			}
		}
	})

	t.Run("bad input exits 2 and writes nothing", func(t *testing.T) {
		out := filepath.Join(base, "bad")
		cases := []struct {
			name string
			args []string
			want []string
		}{
			{"unsigned percentage", []string{baseline, current, "--fail-on", "latency.put.p50_ms > 50%"}, []string{`"latency.put.p50_ms > 50%"`, "needs a sign"}},
			{"equality", []string{baseline, current, "--fail-on", "totals.lost == 0"}, []string{`"totals.lost == 0"`, "> >= < <="}},
			{"unknown metric", []string{baseline, current, "--fail-on", "latency.put.p50 > +5%"}, []string{"latency.put.p50", "neither baseline nor current", "latency.put.p50_ms"}},
			{"missing directory", []string{filepath.Join(base, "nope"), current}, []string{"baseline", "nope"}},
			{"not a results directory", []string{baseline, base}, []string{"current", "not a results directory"}},
			{"one directory", []string{baseline}, []string{"BASELINE_DIR and CURRENT_DIR"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				code, _, stderr := kbench(t, append(append([]string{"compare"}, c.args...), "--out", out)...)
				if code != exitUsage {
					t.Fatalf("exit %d, want 2; stderr:\n%s", code, stderr)
				}
				for _, w := range c.want {
					if !strings.Contains(stderr, w) {
						t.Errorf("stderr does not say %q:\n%s", w, stderr)
					}
				}
				if _, err := os.Stat(out); !os.IsNotExist(err) {
					t.Errorf("bad input wrote %s", out)
				}
			})
		}
	})
}

func TestRunRepeatMustBePositive(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, _, stderr := kbench(t, "run", "../../scenarios/default.yaml", "--out", out, "--repeat", "0")
	if code != exitUsage || !strings.Contains(stderr, "--repeat 0") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}

// TestCompareMatrix gates two matrix outputs cell by cell: the same cells
// pass; a current run whose 2-shard cell has the 1-shard cell's numbers
// (a 50% higher e2e p99) fails that cell, exit 1, and gate.md and
// gate.junit.xml say which.
func TestCompareMatrix(t *testing.T) {
	fixture := func(name string) string { return filepath.Join("..", "..", "reports", "testdata", name) }
	matrix := func(cells map[string]string) string {
		dir := t.TempDir()
		for cell, src := range cells {
			if err := os.CopyFS(filepath.Join(dir, cell), os.DirFS(fixture(src))); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	base := matrix(map[string]string{"stream_shards-1": "run-shards1", "stream_shards-2": "run-shards2"})
	same := matrix(map[string]string{"stream_shards-1": "run-shards1", "stream_shards-2": "run-shards2"})
	worse := matrix(map[string]string{"stream_shards-1": "run-shards1", "stream_shards-2": "run-shards1"})

	rule := []string{"--fail-on", "latency.e2e.p99_ms > +10%"}
	if code, stdout, stderr := kbench(t, append([]string{"compare", base, same}, rule...)...); code != exitOK || !strings.Contains(stdout, "kbench matrix gate: PASS (0 of 2 cells failed)") {
		t.Fatalf("same cells: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr := kbench(t, append([]string{"compare", base, worse}, rule...)...)
	if code != exitFailed || !strings.Contains(stderr, "stream_shards-2: latency.e2e.p99_ms > +10%") {
		t.Fatalf("worse cell: exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	md, err := os.ReadFile(filepath.Join(worse, gate.MarkdownFile))
	if err != nil || !strings.Contains(string(md), "1 of 2 cells failed") {
		t.Errorf("gate.md: %v\n%s", err, md)
	}
	if _, err := os.Stat(filepath.Join(worse, gate.JUnitFile)); err != nil {
		t.Error(err)
	}
	// A matrix output against one run is not a comparison kbench can make.
	if code, _, _ := kbench(t, "compare", base, fixture("run-shards1")); code != exitUsage {
		t.Errorf("matrix against a single run: exit %d, want 2", code)
	}
}
