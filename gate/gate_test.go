package gate

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbench/kbench/internal/resultstest"
	"github.com/kbench/kbench/results"
)

// update rewrites testdata/gate.md.golden.
var update = flag.Bool("update", false, "rewrite testdata golden files")

func TestParseRule(t *testing.T) {
	good := []struct {
		expr string
		want Rule
	}{
		{"latency.e2e.p99_ms > +10%", Rule{"latency.e2e.p99_ms > +10%", "latency.e2e.p99_ms", ">", Relative, 0.10}},
		{"throughput.consumed_rps < -5%", Rule{"throughput.consumed_rps < -5%", "throughput.consumed_rps", "<", Relative, -0.05}},
		{"latency.put.p50_ms>=+50", Rule{"latency.put.p50_ms>=+50", "latency.put.p50_ms", ">=", Delta, 50}},
		{"  throttle_ratio <= -0.01 ", Rule{"throttle_ratio <= -0.01", "throttle_ratio", "<=", Delta, -0.01}},
		{"totals.lost > 0", Rule{"totals.lost > 0", "totals.lost", ">", Bound, 0}},
		{"latency.e2e.max_ms > 1.5e3", Rule{"latency.e2e.max_ms > 1.5e3", "latency.e2e.max_ms", ">", Bound, 1500}},
		{"per_shard.0.records < -100%", Rule{"per_shard.0.records < -100%", "per_shard.0.records", "<", Relative, -1}},
		{"totals.failed_by_reason.InternalFailure > +.5", Rule{"totals.failed_by_reason.InternalFailure > +.5", "totals.failed_by_reason.InternalFailure", ">", Delta, 0.5}},
	}
	for _, c := range good {
		t.Run(c.expr, func(t *testing.T) {
			got, err := ParseRule(c.expr)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}

	bad := []struct {
		expr, want string
	}{
		{"", "empty rule"},
		{"latency.e2e.p99_ms +10%", "no operator"},
		{"> 10", "no metric"},
		{"latency e2e > 10", `"latency e2e" is not a dotted summary.json path`},
		{"latency..p99 > 10", "not a dotted"},
		{"totals.lost == 0", `operator "=="`},
		{"totals.lost != 0", `operator "!="`},
		{"totals.lost = 0", `operator "="`},
		{"totals.lost => 0", `unknown operator "=>"`},
		{"totals.lost >", "no change after"},
		{"latency.e2e.p99_ms > 10%", "needs a sign: +10% (higher than the baseline) or -10% (lower)"},
		{"latency.e2e.p99_ms > +ten%", `"+ten%" is not a number`},
		{"latency.e2e.p99_ms > +-5", "is not a number"},
		{"latency.e2e.p99_ms > 1,000", "is not a number"},
		{"latency.e2e.p99_ms > inf", "is not a number"},
		{"latency.e2e.p99_ms > 10ms", "is not a number"},
		{"latency.e2e.p99_ms > +10 %", `unexpected text "%"`},
		{"throughput.consumed_rps < -150%", "cannot fall by more than 100%"},
		{"latency.e2e.p99_ms > 1e999", "not a finite number"},
	}
	for _, c := range bad {
		t.Run("bad/"+c.expr, func(t *testing.T) {
			_, err := ParseRule(c.expr)
			if err == nil {
				t.Fatalf("ParseRule(%q) = nil error", c.expr)
			}
			msg := err.Error()
			if !strings.Contains(msg, c.want) || !strings.Contains(msg, "rule \""+c.expr+"\"") {
				t.Errorf("error %q: want it to quote the rule and say %q", msg, c.want)
			}
		})
	}
}

func TestParseRulesReportsEveryBadRule(t *testing.T) {
	rules, err := ParseRules([]string{"totals.lost > 0", "a == 1", "b > 5%"})
	if err == nil || !strings.Contains(err.Error(), `"a == 1"`) || !strings.Contains(err.Error(), `"b > 5%"`) {
		t.Errorf("err = %v, want both bad rules named", err)
	}
	if len(rules) != 1 {
		t.Errorf("rules = %v, want the good one", rules)
	}
}

func TestDefaultRulesParse(t *testing.T) {
	for _, r := range DefaultRules() {
		got, err := ParseRule(r.Expr)
		if err != nil || got != r {
			t.Errorf("default rule %+v parses as %+v, %v", r, got, err)
		}
	}
}

// setters put a value into a synthetic summary under a Lookup path.
var setters = map[string]func(*results.Summary, float64){
	"latency.e2e.p99_ms":      func(s *results.Summary, v float64) { s.Latency["e2e"] = results.LatencyStats{Count: 1000, P99: v} },
	"throughput.consumed_rps": func(s *results.Summary, v float64) { s.Throughput.ConsumedRPS = v },
	"totals.lost":             func(s *results.Summary, v float64) { s.Totals.Lost = int64(v) },
	"throttle_ratio":          func(s *results.Summary, v float64) { s.ThrottleRatio = v },
}

// gateSummary is a plausible summary with the given metric values.
func gateSummary(vals map[string]float64) *results.Summary {
	s := &results.Summary{
		SchemaVersion: results.SchemaVersion, Target: results.TargetInfo{Kind: "sim"},
		Config:  results.RunInfo{Name: "payments", Shards: 2},
		Latency: map[string]results.LatencyStats{}, Verdict: results.VerdictPass,
	}
	for m, v := range vals {
		setters[m](s, v)
	}
	return s
}

// metricSet writes one run per value of metric as a results directory and
// loads it back.
func metricSet(t *testing.T, metric string, values ...float64) *results.RunSet {
	t.Helper()
	var sums []*results.Summary
	for _, v := range values {
		sums = append(sums, gateSummary(map[string]float64{metric: v}))
	}
	set, err := results.LoadRunSet(resultstest.WriteRunSet(t, sums...))
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestEvaluateGate(t *testing.T) {
	cases := []struct {
		name        string
		rule        string
		base, cur   []float64
		verdict     string
		limit       float64
		change      float64 // NaN to skip the check
		withinNoise bool
	}{
		{"relative up regresses", "latency.e2e.p99_ms > +10%", []float64{100}, []float64{111}, results.VerdictFail, 110, 0.11, false},
		{"relative up within limit", "latency.e2e.p99_ms > +10%", []float64{100}, []float64{109}, results.VerdictPass, 110, 0.09, false},
		{"relative up at the limit passes >", "latency.e2e.p99_ms > +10%", []float64{200}, []float64{220}, results.VerdictPass, 220, 0.10, false},
		{"relative up at the limit fails >=", "latency.e2e.p99_ms >= +10%", []float64{200}, []float64{220}, results.VerdictFail, 220, 0.10, false},
		{"relative down regresses", "throughput.consumed_rps < -5%", []float64{1000}, []float64{940}, results.VerdictFail, 950, -0.06, false},
		{"relative down within limit", "throughput.consumed_rps < -5%", []float64{1000}, []float64{960}, results.VerdictPass, 950, -0.04, false},
		{"absolute delta regresses", "throttle_ratio > +0.01", []float64{0.02}, []float64{0.035}, results.VerdictFail, 0.03, 0.75, false},
		{"absolute delta within limit", "throttle_ratio > +0.01", []float64{0.02}, []float64{0.025}, results.VerdictPass, 0.03, 0.25, false},
		{"absolute bound ignores the baseline", "totals.lost > 10", []float64{500}, []float64{20}, results.VerdictFail, 10, -0.96, false},
		{"absolute bound holds", "totals.lost > 0", []float64{0}, []float64{0}, results.VerdictPass, 0, 0, false},
		{"change from a zero baseline is undefined", "totals.lost > 0", []float64{0}, []float64{3}, results.VerdictFail, 0, math.NaN(), false},
		{"medians of 3 ignore an outlier", "latency.e2e.p99_ms > +10%", []float64{100, 500, 90}, []float64{105, 1000, 108}, results.VerdictPass, 110, 0.08, false},
		{"medians of 3 regress", "latency.e2e.p99_ms > +10%", []float64{100, 99, 101}, []float64{130, 20, 125}, results.VerdictFail, 110, 0.25, false},
		{"regression within noise", "latency.e2e.p99_ms > +10%", []float64{90, 100, 130}, []float64{115, 120, 125}, results.VerdictFail, 110, 0.20, true},
		{"delta regression within noise", "throttle_ratio > +0.01", []float64{0, 0.01, 0.05}, []float64{0.02, 0.03, 0.04}, results.VerdictFail, 0.02, 2, true},
		{"no noise flag under 3 runs", "latency.e2e.p99_ms > +10%", []float64{90, 100, 130}, []float64{120}, results.VerdictFail, 110, 0.20, false},
		{"no noise flag outside the baseline range", "latency.e2e.p99_ms > +10%", []float64{95, 100, 105}, []float64{120, 121, 122}, results.VerdictFail, 110, 0.21, false},
		{"no noise flag on a bound", "latency.e2e.p99_ms > 110", []float64{90, 100, 130}, []float64{115, 120, 125}, results.VerdictFail, 110, 0.20, false},
		{"no noise flag on a pass", "latency.e2e.p99_ms > +10%", []float64{90, 100, 130}, []float64{95, 105, 125}, results.VerdictPass, 110, 0.05, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := ParseRule(c.rule)
			if err != nil {
				t.Fatal(err)
			}
			g, err := Evaluate(metricSet(t, r.Metric, c.base...), metricSet(t, r.Metric, c.cur...), []Rule{r})
			if err != nil {
				t.Fatal(err)
			}
			if len(g.Results) != 1 {
				t.Fatalf("%d results, want 1", len(g.Results))
			}
			res := g.Results[0]
			if res.Verdict != c.verdict || math.Abs(res.Limit-c.limit) > 1e-9 || res.WithinNoise != c.withinNoise {
				t.Errorf("verdict %s, limit %v, within noise %v; want %s, %v, %v (%s)",
					res.Verdict, res.Limit, res.WithinNoise, c.verdict, c.limit, c.withinNoise, res.Detail())
			}
			if math.IsNaN(c.change) != math.IsNaN(res.Change) || math.Abs(res.Change-c.change) > 1e-9 {
				t.Errorf("change %v, want %v", res.Change, c.change)
			}
			if g.Passed() != (c.verdict == results.VerdictPass) || g.BaselineRuns != len(c.base) || g.CurrentRuns != len(c.cur) {
				t.Errorf("Passed %v, runs %d/%d", g.Passed(), g.BaselineRuns, g.CurrentRuns)
			}
		})
	}
}

func TestEvaluateGateMissingMetrics(t *testing.T) {
	withE2E := metricSet(t, "latency.e2e.p99_ms", 100)
	without := metricSet(t, "totals.lost", 0) // no e2e histogram

	t.Run("unknown to both is an error naming the rule", func(t *testing.T) {
		rules, err := ParseRules([]string{"latency.e2e.p99 > +10%", "nope.metric < -5%"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = Evaluate(withE2E, withE2E, rules)
		if err == nil {
			t.Fatal("want an error")
		}
		for _, w := range []string{`rule "latency.e2e.p99 > +10%"`, "did you mean latency.e2e.p999_ms, latency.e2e.p99_ms", `rule "nope.metric < -5%"`, "neither baseline nor current"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not say %q", err, w)
			}
		}
	})
	judge := func(t *testing.T, base, cur *results.RunSet, rule string) RuleResult {
		t.Helper()
		r, err := ParseRule(rule)
		if err != nil {
			t.Fatal(err)
		}
		g, err := Evaluate(base, cur, []Rule{r})
		if err != nil {
			t.Fatal(err)
		}
		return g.Results[0]
	}
	t.Run("missing in the current run fails", func(t *testing.T) {
		if r := judge(t, withE2E, without, "latency.e2e.p99_ms > +10%"); r.Verdict != results.VerdictFail || !strings.Contains(r.Detail(), "current run has no value") {
			t.Errorf("got %s: %s", r.Verdict, r.Detail())
		}
	})
	t.Run("missing in the baseline skips a relative rule", func(t *testing.T) {
		if r := judge(t, without, withE2E, "latency.e2e.p99_ms > +10%"); r.Verdict != VerdictSkip || !strings.Contains(r.Detail(), "refresh the baseline") {
			t.Errorf("got %s: %s", r.Verdict, r.Detail())
		}
	})
	t.Run("missing in the baseline still judges a bound", func(t *testing.T) {
		if r := judge(t, without, withE2E, "latency.e2e.p99_ms > 50"); r.Verdict != results.VerdictFail || !math.IsNaN(r.Change) {
			t.Errorf("got %s, change %v: %s", r.Verdict, r.Change, r.Detail())
		}
	})
	t.Run("default rules skip what neither side has", func(t *testing.T) {
		g, err := Evaluate(without, without, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !g.Defaults || len(g.Results) != len(DefaultRules()) {
			t.Fatalf("Defaults %v, %d results", g.Defaults, len(g.Results))
		}
		if r := g.Results[0]; r.Rule.Metric != "latency.e2e.p99_ms" || r.Verdict != VerdictSkip {
			t.Errorf("e2e rule: %s %s", r.Verdict, r.Detail())
		}
		if !g.Passed() {
			t.Error("identical runs must pass the default gate")
		}
	})
}

func TestGateNotes(t *testing.T) {
	base := &results.RunSet{Dir: "b", Dirs: []string{"b"}, Runs: []*results.Summary{gateSummary(map[string]float64{"totals.lost": 0})}}
	other := gateSummary(map[string]float64{"totals.lost": 0})
	other.Config.Name, other.Config.Shards, other.Target.Kind = "iot", 4, "aws"
	other.Errors = []string{"interrupted"}
	cur := &results.RunSet{Dir: "c", Dirs: []string{"c"}, Runs: []*results.Summary{other}}
	g, err := Evaluate(base, cur, nil)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(g.Notes, "\n")
	for _, w := range []string{`scenario "payments" and the current run "iot"`, "target sim", "2 shards", "did not finish cleanly: interrupted"} {
		if !strings.Contains(all, w) {
			t.Errorf("notes do not say %q:\n%s", w, all)
		}
	}
}

// goldenGate is a fixed gate under the default rules, with a regression, a
// regression within noise and two passes, from in-memory run sets with
// stable directory names.
func goldenGate(t *testing.T) *Gate {
	t.Helper()
	set := func(dir string, vals ...map[string]float64) *results.RunSet {
		s := &results.RunSet{Dir: dir}
		for i, v := range vals {
			s.Runs = append(s.Runs, gateSummary(v))
			s.Dirs = append(s.Dirs, filepath.Join(dir, results.RepeatPrefix+string(rune('1'+i))))
		}
		return s
	}
	base := set("perf/baseline",
		map[string]float64{"latency.e2e.p99_ms": 100, "throughput.consumed_rps": 1000, "totals.lost": 0},
		map[string]float64{"latency.e2e.p99_ms": 95.5, "throughput.consumed_rps": 990, "totals.lost": 0},
		map[string]float64{"latency.e2e.p99_ms": 130.25, "throughput.consumed_rps": 1010, "totals.lost": 0})
	cur := set("results/pr-42",
		map[string]float64{"latency.e2e.p99_ms": 121, "throughput.consumed_rps": 900, "totals.lost": 0, "throttle_ratio": 0.001},
		map[string]float64{"latency.e2e.p99_ms": 118, "throughput.consumed_rps": 905, "totals.lost": 2, "throttle_ratio": 0.002},
		map[string]float64{"latency.e2e.p99_ms": 125, "throughput.consumed_rps": 910, "totals.lost": 0, "throttle_ratio": 0.003})
	g, err := Evaluate(base, cur, nil)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestGateMarkdownGolden(t *testing.T) {
	g := goldenGate(t)
	if g.Failed() != 2 {
		t.Fatalf("golden gate: %d regressions, want 2", g.Failed())
	}
	resultstest.Golden(t, "gate.md", g.Markdown(), *update)
}

func TestGateText(t *testing.T) {
	var b strings.Builder
	goldenGate(t).WriteText(&b)
	out := b.String()
	for _, w := range []string{
		"kbench gate: FAIL (2 of 4 rules regressed)",
		"baseline perf/baseline (3 runs), current results/pr-42 (3 runs)",
		"using the default rules",
		"100 [95.500–130.250]", "121 [118–125]", "+21.0%", "FAIL (within noise)",
		"throughput.consumed_rps < -5%", "-9.5%",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("text does not contain %q:\n%s", w, out)
		}
	}
}

func TestGateWriteFiles(t *testing.T) {
	g := goldenGate(t)
	dir := filepath.Join(t.TempDir(), "new", "dir")
	md, junit := filepath.Join(dir, MarkdownFile), filepath.Join(dir, JUnitFile)
	if err := g.WriteFiles(md, junit); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(md)
	if err != nil || string(got) != string(g.Markdown()) {
		t.Errorf("gate.md: %v", err)
	}
	if _, err := os.Stat(junit); err != nil {
		t.Error(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("dir holds %d entries, want just the two files (no temporaries)", len(entries))
	}

	// A JUnit path that cannot be written leaves no Markdown behind either.
	blocked := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocked, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	md2 := filepath.Join(t.TempDir(), MarkdownFile)
	if err := g.WriteFiles(md2, filepath.Join(blocked, JUnitFile)); err == nil {
		t.Fatal("want an error writing under a file")
	}
	if entries, _ := os.ReadDir(filepath.Dir(md2)); len(entries) != 0 {
		t.Errorf("a failed write left %v behind", entries)
	}
}

func TestFmtNum(t *testing.T) {
	for v, want := range map[float64]string{
		0: "0", 1500: "1,500", 1482.6667: "1,482.667", 0.0015: "0.002", -1234.5: "-1,234.500", 95.5: "95.500",
	} {
		if got := fmtNum(v); got != want {
			t.Errorf("fmtNum(%v) = %q, want %q", v, got, want)
		}
	}
}

func ExampleParseRule() {
	r, err := ParseRule("latency.e2e.p99_ms > +10%")
	if err != nil {
		fmt.Println(err)
		return
	}
	limit := r.Limit(200) // the baseline median is 200 ms
	fmt.Printf("limit %g ms; 215 ms fails: %v; 225 ms fails: %v\n", limit, r.Breached(215, limit), r.Breached(225, limit))
	_, err = ParseRule("latency.e2e.p99_ms > 10%")
	fmt.Println(err != nil)
	// Output:
	// limit 220 ms; 215 ms fails: false; 225 ms fails: true
	// true
}

// FuzzParseRule checks that any accepted rule is well formed and parses
// again to itself.
func FuzzParseRule(f *testing.F) {
	for _, s := range []string{"latency.e2e.p99_ms > +10%", "throughput.consumed_rps<-5%", "totals.lost > 0", "a >= +.5", "b <= -1e3", "x == 1", "y > 10%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		r, err := ParseRule(expr)
		if err != nil {
			return
		}
		if math.IsNaN(r.Change) || math.IsInf(r.Change, 0) || r.Kind < Relative || r.Kind > Bound || !strings.Contains("> >= < <=", r.Op) {
			t.Fatalf("ParseRule(%q) = %+v", expr, r)
		}
		again, err := ParseRule(r.Expr)
		if err != nil || again != r {
			t.Fatalf("ParseRule(%q) = %+v, but its Expr parses as %+v, %v", expr, r, again, err)
		}
	})
}
