// Package gate judges runs: a run's thresholds at its end (Judge), the
// verdict over the repeats of one cell (Repeats), and a current run against a
// baseline by regression rules, as one gate or cell by cell over a matrix
// (Evaluate, EvaluateMatrix, EvaluateDirs). Its verdicts are its own output,
// so it also writes them: a terminal table, gate.md and JUnit XML.
package gate

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/kbench/kbench/internal/clip"
	"github.com/kbench/kbench/results"
)

// Gate file names, written into the current results directory by default.
const (
	MarkdownFile = "gate.md"
	JUnitFile    = "gate.junit.xml"
)

// VerdictSkip is a gate rule that could not be judged and does not fail the
// gate, such as a relative rule on a metric the baseline lacks.
const VerdictSkip = "skip"

// RuleResult is one rule judged against a baseline and a current RunSet.
type RuleResult struct {
	Rule Rule
	// Baseline and Current are the metric over each side's runs; N is 0 on
	// a side that lacks the metric.
	Baseline, Current results.Spread
	// Limit is Rule.Limit of the baseline median.
	Limit float64
	// Change is (current − baseline) / |baseline| of the medians; NaN when
	// it is undefined (a side lacks the metric, or the baseline is 0 and the
	// current is not).
	Change float64
	// Verdict is results.VerdictPass, results.VerdictFail (a regression) or VerdictSkip.
	Verdict string
	// WithinNoise marks a regression that may be noise: both sides have at
	// least NoiseMinRuns runs, the rule is relative to the baseline, and the
	// current median lies within the baseline's min–max.
	WithinNoise bool
	// Note says why a rule was skipped or failed without numbers.
	Note string
	// BaselineNoData and CurrentNoData mark a side whose runs have the
	// metric only as a statistic of nothing (results.NoData); a current side
	// without data fails the rule.
	BaselineNoData, CurrentNoData bool
}

// NoiseMinRuns is how many runs each side needs before a regression can be
// flagged as within noise.
const NoiseMinRuns = 3

// Gate is a current RunSet judged against a baseline RunSet.
type Gate struct {
	// BaselineDir and CurrentDir are the RunSets' directories.
	BaselineDir, CurrentDir string
	// BaselineRuns and CurrentRuns count each side's runs.
	BaselineRuns, CurrentRuns int
	// Defaults says DefaultRules were used because no rule was given.
	Defaults bool
	Results  []RuleResult
	// Notes are caveats about the comparison, such as differing scenarios.
	Notes []string
}

// Evaluate judges current against baseline by each side's median of
// every rule's metric, or by DefaultRules when rules is empty. It returns
// an error naming every given rule whose metric neither side has (a default
// rule on such a metric is skipped instead). A metric the current side
// lacks fails its rule; a relative or delta rule on a metric only the
// baseline lacks is skipped.
func Evaluate(baseline, current *results.RunSet, rules []Rule) (*Gate, error) {
	if baseline == nil || current == nil || len(baseline.Runs) == 0 || len(current.Runs) == 0 {
		return nil, errors.New("gate: a gate needs a baseline and a current run")
	}
	g := &Gate{
		BaselineDir: baseline.Dir, CurrentDir: current.Dir,
		BaselineRuns: len(baseline.Runs), CurrentRuns: len(current.Runs),
	}
	if len(rules) == 0 {
		rules, g.Defaults = DefaultRules(), true
	}
	var errs []error
	for _, r := range rules {
		res := RuleResult{Rule: r, Change: math.NaN(), Verdict: results.VerdictPass}
		var okB, okC bool
		res.Baseline, okB = baseline.Stat(r.Metric)
		res.Current, okC = current.Stat(r.Metric)
		res.BaselineNoData, res.CurrentNoData = !okB && baseline.NoData(r.Metric), !okC && current.NoData(r.Metric)
		switch {
		case res.CurrentNoData:
			res.Verdict, res.Note = results.VerdictFail, "no data: the current run has no samples for this metric (a statistic of nothing, such as a latency percentile when nothing was consumed)"
		case !okB && !okC && !g.Defaults:
			errs = append(errs, fmt.Errorf("rule %s: neither baseline nor current has metric %s%s", clip.Quote(r.Expr), clip.Quote(r.Metric), suggest(r.Metric, baseline, current)))
			continue
		case !okB && !okC:
			res.Verdict, res.Note = VerdictSkip, "neither baseline nor current has this metric"
		case !okC:
			res.Verdict, res.Note = results.VerdictFail, "the current run has no value for this metric"
		case res.BaselineNoData && r.Kind != Bound:
			res.Verdict, res.Note = VerdictSkip, "no data in the baseline for this metric (a statistic of nothing): nothing to compare with; refresh the baseline"
		case !okB && r.Kind != Bound:
			res.Verdict, res.Note = VerdictSkip, "the baseline has no value for this metric; refresh the baseline"
		default:
			judge(&res)
		}
		g.Results = append(g.Results, res)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	g.Notes = gateNotes(baseline, current)
	return g, nil
}

// judge fills in the limit, change, verdict and noise flag of a rule whose
// metric the current side has (and the baseline too, unless it is a bound).
func judge(res *RuleResult) {
	b, c := res.Baseline, res.Current
	res.Limit = res.Rule.Limit(b.Median)
	if b.N > 0 {
		switch {
		case b.Median != 0:
			res.Change = (c.Median - b.Median) / math.Abs(b.Median)
		case c.Median == 0:
			res.Change = 0
		}
	}
	if !res.Rule.Breached(c.Median, res.Limit) {
		return
	}
	res.Verdict = results.VerdictFail
	res.WithinNoise = res.Rule.Kind != Bound && b.N >= NoiseMinRuns && c.N >= NoiseMinRuns &&
		c.Median >= b.Min && c.Median <= b.Max
}

// suggest lists up to four metrics either side has that look like the one
// asked for: those it is a prefix of, or else its siblings.
func suggest(metric string, sets ...*results.RunSet) string {
	known := map[string]bool{}
	for _, s := range sets {
		for k := range s.Runs[0].Metrics() {
			known[k] = true
		}
	}
	pick := func(prefix string) []string {
		var out []string
		for _, k := range slices.Sorted(maps.Keys(known)) {
			if strings.HasPrefix(k, prefix) && len(out) < 4 {
				out = append(out, k)
			}
		}
		return out
	}
	got := pick(metric)
	if i := strings.LastIndex(metric, "."); len(got) == 0 && i > 0 {
		got = pick(metric[:i+1])
	}
	if len(got) == 0 {
		return "; metrics are summary.json paths such as latency.e2e.p99_ms, totals.lost, throughput.consumed_rps"
	}
	return "; did you mean " + strings.Join(got, ", ") + "?"
}

// gateNotes names what makes the two sides less than like for like.
func gateNotes(baseline, current *results.RunSet) []string {
	var notes []string
	b, c := baseline.Runs[0], current.Runs[0]
	if b.Config.Name != c.Config.Name {
		notes = append(notes, fmt.Sprintf("The baseline ran scenario %s and the current run %s.", clip.Quote(b.Config.Name), clip.Quote(c.Config.Name)))
	}
	if b.Target.Kind != c.Target.Kind {
		notes = append(notes, fmt.Sprintf("The baseline ran on target %s and the current run on %s.", b.Target.Kind, c.Target.Kind))
	}
	if b.Config.Shards != c.Config.Shards {
		notes = append(notes, fmt.Sprintf("The baseline ran on %d shards and the current run on %d.", b.Config.Shards, c.Config.Shards))
	}
	for _, side := range []struct {
		name string
		set  *results.RunSet
	}{{"baseline", baseline}, {"current", current}} {
		for i, r := range side.set.Runs {
			if len(r.Errors) > 0 {
				notes = append(notes, fmt.Sprintf("The %s run %s did not finish cleanly: %s", side.name, side.set.Dirs[i], r.Errors[0]))
			}
		}
	}
	return notes
}

// Failed is the number of rules that regressed.
func (g *Gate) Failed() int { return len(g.FailedRules()) }

// FailedRules returns the expressions of the rules that regressed.
func (g *Gate) FailedRules() []string {
	var out []string
	for _, r := range g.Results {
		if r.Verdict == results.VerdictFail {
			out = append(out, r.Rule.Expr)
		}
	}
	return out
}

// Passed reports whether no rule regressed.
func (g *Gate) Passed() bool { return g.Failed() == 0 }
