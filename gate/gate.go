// Package gate judges runs: a run's thresholds at its end (Judge), the
// verdict over the repeats of one cell (Repeats), and a current run against a
// baseline by regression rules, as one gate or cell by cell over a matrix
// (Evaluate, EvaluateMatrix, EvaluateDirs). Its verdicts are its own output,
// so it also writes them: a terminal table, gate.md and JUnit XML.
package gate

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/kbench/kbench/internal/textfmt"
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

// ChangeKind says how a Rule's change is measured.
type ChangeKind int

const (
	// Relative is a change relative to the baseline median, written "+10%"
	// or "-5%": the limit is baseline + |baseline| × change.
	Relative ChangeKind = iota + 1
	// Delta is a signed absolute change, written "+50" or "-0.01": the limit
	// is baseline + change.
	Delta
	// Bound is an absolute bound, written without a sign ("500"): the limit
	// is the bound, whatever the baseline.
	Bound
)

// Rule is one regression-gate rule, "METRIC OP CHANGE", such as
// "latency.e2e.p99_ms > +10%". The rule fails (a regression) when the
// current median compared with OP against the limit holds: "> +10%" fails
// when current > baseline × 1.10, "< -5%" when current < baseline × 0.95,
// "> +50" when current > baseline + 50, "> 500" when current > 500.
type Rule struct {
	// Expr is the rule as written, trimmed.
	Expr string
	// Metric is a Summary.Lookup path.
	Metric string
	// Op is one of > >= < <=.
	Op string
	// Kind says how Change is applied.
	Kind ChangeKind
	// Change is a fraction for Relative ("+10%" is 0.10), a signed amount
	// for Delta and the bound itself for Bound.
	Change float64
}

var (
	metricRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$`)
	numberRE = regexp.MustCompile(`^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)
)

// ruleHint ends every rule parse error.
const ruleHint = `want METRIC OP CHANGE with OP one of > >= < <= and CHANGE +10% or -5% (relative to the baseline), +50 or -100 (added to the baseline) or 500 (an absolute bound), such as "latency.e2e.p99_ms > +10%"`

// ParseRule parses a gate rule strictly: a dotted metric path, an operator
// (> >= < <=) and a change. A change with a sign and "%" is relative to the
// baseline median, one with a sign and no "%" is added to it, and a plain
// number is an absolute bound. The error names the rule and what is wrong.
func ParseRule(expr string) (Rule, error) {
	bad := func(format string, a ...any) (Rule, error) {
		return Rule{}, fmt.Errorf("rule %q: %s; %s", expr, fmt.Sprintf(format, a...), ruleHint)
	}
	e := strings.TrimSpace(expr)
	if e == "" {
		return bad("empty rule")
	}
	i := strings.IndexAny(e, "<>=!")
	if i < 0 {
		return bad("no operator")
	}
	metric := strings.TrimSpace(e[:i])
	if metric == "" {
		return bad("no metric before the operator")
	}
	if !metricRE.MatchString(metric) {
		return bad("%q is not a dotted summary.json path such as latency.e2e.p99_ms", metric)
	}
	j := i
	for j < len(e) && strings.ContainsRune("<>=!", rune(e[j])) {
		j++
	}
	op := e[i:j]
	switch op {
	case ">", ">=", "<", "<=":
	case "==", "!=", "=":
		return bad("operator %q: a gate fails on a change, so OP is one of > >= < <= (use a scenario threshold to test equality)", op)
	default:
		return bad("unknown operator %q", op)
	}
	change := strings.TrimSpace(e[j:])
	if change == "" {
		return bad("no change after %q", op)
	}
	if strings.ContainsAny(change, " \t") {
		return bad("unexpected text %q after the change", change[strings.IndexAny(change, " \t")+1:])
	}
	r := Rule{Expr: e, Metric: metric, Op: op}
	sign := 0.0
	switch change[0] {
	case '+':
		sign = 1
	case '-':
		sign = -1
	}
	body := change
	if sign != 0 {
		body = change[1:]
	}
	pct := strings.HasSuffix(body, "%")
	body = strings.TrimSuffix(body, "%")
	if !numberRE.MatchString(body) {
		return bad("%q is not a number (write plain numbers; the unit is in the metric name)", change)
	}
	v, err := strconv.ParseFloat(body, 64)
	if err != nil || math.IsInf(v, 0) {
		return bad("%q is not a finite number", change)
	}
	switch {
	case pct && sign == 0:
		return bad("relative change %q needs a sign: +%s%% (higher than the baseline) or -%s%% (lower)", change, body, body)
	case pct:
		r.Kind, r.Change = Relative, sign*v/100
		if r.Change < -1 {
			return bad("%q: a metric cannot fall by more than 100%%", change)
		}
	case sign != 0:
		r.Kind, r.Change = Delta, sign*v
	default:
		r.Kind, r.Change = Bound, v
	}
	return r, nil
}

// ParseRules parses every rule and reports every bad one at once.
func ParseRules(exprs []string) ([]Rule, error) {
	var rules []Rule
	var errs []error
	for _, e := range exprs {
		r, err := ParseRule(e)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rules = append(rules, r)
	}
	return rules, errors.Join(errs...)
}

// DefaultRules are the rules a gate applies when it is given none: the
// end-to-end p99 may not rise by more than 10%, consumed throughput may not
// fall by more than 5%, no record may be lost, and the throttle ratio may
// not rise by more than 0.01 (one record-attempt in a hundred).
func DefaultRules() []Rule {
	return []Rule{
		{Expr: "latency.e2e.p99_ms > +10%", Metric: "latency.e2e.p99_ms", Op: ">", Kind: Relative, Change: 0.10},
		{Expr: "throughput.consumed_rps < -5%", Metric: "throughput.consumed_rps", Op: "<", Kind: Relative, Change: -0.05},
		{Expr: "totals.lost > 0", Metric: "totals.lost", Op: ">", Kind: Bound, Change: 0},
		{Expr: "throttle_ratio > +0.01", Metric: "throttle_ratio", Op: ">", Kind: Delta, Change: 0.01},
	}
}

// String returns the rule as written.
func (r Rule) String() string { return r.Expr }

// changeText is the change as written in the rule, such as "+10%".
func (r Rule) changeText() string {
	return strings.TrimSpace(r.Expr[strings.LastIndexAny(r.Expr, "<>=")+1:])
}

// Limit is the value the current median is compared with, given the
// baseline median.
func (r Rule) Limit(baseline float64) float64 {
	switch r.Kind {
	case Relative:
		return baseline + math.Abs(baseline)*r.Change
	case Delta:
		return baseline + r.Change
	}
	return r.Change
}

// Breached reports whether current compared with OP against limit holds,
// that is whether the rule fails.
func (r Rule) Breached(current, limit float64) bool {
	switch r.Op {
	case ">":
		return current > limit
	case ">=":
		return current >= limit
	case "<":
		return current < limit
	case "<=":
		return current <= limit
	}
	return false
}

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
		switch {
		case !okB && !okC && !g.Defaults:
			errs = append(errs, fmt.Errorf("rule %q: neither baseline nor current has metric %q%s",
				r.Expr, r.Metric, suggest(r.Metric, baseline, current)))
			continue
		case !okB && !okC:
			res.Verdict, res.Note = VerdictSkip, "neither baseline nor current has this metric"
		case !okC:
			res.Verdict, res.Note = results.VerdictFail, "the current run has no value for this metric"
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
		notes = append(notes, fmt.Sprintf("The baseline ran scenario %q and the current run %q.", b.Config.Name, c.Config.Name))
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

// verdict is the gate's verdict word.
func (g *Gate) verdict() string {
	if g.Passed() {
		return "PASS"
	}
	return "FAIL"
}

// headline says how many rules regressed.
func (g *Gate) headline() string {
	return fmt.Sprintf("%d of %d rules regressed", g.Failed(), len(g.Results))
}

// fmtSpread formats a median with its min–max when there are several runs.
func fmtSpread(s results.Spread) string {
	switch {
	case s.N == 0:
		return "n/a"
	case s.N == 1 || s.Min == s.Max:
		return fmtNum(s.Median)
	}
	return fmt.Sprintf("%s [%s–%s]", fmtNum(s.Median), fmtNum(s.Min), fmtNum(s.Max))
}

// fmtNum formats a gate value: integers as textfmt.Value does, others with three
// decimals, both with thousands separators so the columns read alike.
func fmtNum(v float64) string {
	if v == math.Trunc(v) || math.IsNaN(v) || math.IsInf(v, 0) {
		return textfmt.Value(v)
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', 3, 64)
	ip, fp, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(ip, 10, 64)
	if err != nil {
		return textfmt.Value(v)
	}
	sign := ""
	if v < 0 {
		sign = "-"
	}
	return sign + textfmt.Int(n) + "." + fp
}

// fmtChange formats a relative change as a signed percentage.
func fmtChange(c float64) string {
	if math.IsNaN(c) {
		return "n/a"
	}
	return fmt.Sprintf("%+.1f%%", c*100)
}

// limitText is the limit column: "n/a" when the rule was not judged.
func (r RuleResult) limitText() string {
	if r.Note != "" {
		return "n/a"
	}
	return fmtNum(r.Limit)
}

// verdictText is the verdict column of the text and Markdown tables.
func (r RuleResult) verdictText() string {
	switch {
	case r.Verdict == VerdictSkip:
		return "skip"
	case r.Verdict == results.VerdictPass:
		return "pass"
	case r.WithinNoise:
		return "FAIL (within noise)"
	}
	return "FAIL"
}

// Detail says in one sentence why the rule passed, failed or was skipped,
// with the numbers.
func (r RuleResult) Detail() string {
	if r.Note != "" {
		return r.Note
	}
	why := ""
	if r.Rule.Kind != Bound {
		why = fmt.Sprintf(" = baseline median %s %s", fmtNum(r.Baseline.Median), r.Rule.changeText())
	}
	op := r.Rule.Op
	if r.Verdict == results.VerdictPass {
		op = "not " + op
	}
	s := fmt.Sprintf("current median %s is %s limit %s%s", fmtNum(r.Current.Median), op, fmtNum(r.Limit), why)
	if r.WithinNoise {
		s += fmt.Sprintf("; within noise: the current median lies inside the baseline's range %s–%s over %d runs",
			fmtNum(r.Baseline.Min), fmtNum(r.Baseline.Max), r.Baseline.N)
	}
	return s
}

// noiseRule explains the within-noise flag in the outputs.
const noiseRule = "A regression is flagged within noise when both sides have at least 3 runs, the rule is relative to the baseline (+N% or +N), and the current median lies within the baseline's min–max: it still fails the gate, but a rerun may clear it."

// WriteText writes the gate's table for a terminal: rule, baseline and
// current medians with their min–max, change, limit and verdict. Write
// errors are ignored, as with fmt.Fprintf to a terminal.
func (g *Gate) WriteText(w io.Writer) {
	fmt.Fprintf(w, "kbench gate: %s (%s)\n", g.verdict(), g.headline())
	fmt.Fprintf(w, "  baseline %s (%s), current %s (%s); medians, [min–max] over the runs\n",
		g.BaselineDir, textfmt.Plural(g.BaselineRuns, "run"), g.CurrentDir, textfmt.Plural(g.CurrentRuns, "run"))
	if g.Defaults {
		fmt.Fprintln(w, "  no --fail-on rules given: using the default rules")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  rule\tbaseline\tcurrent\tchange\tlimit\tverdict")
	for _, r := range g.Results {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", r.Rule.Expr, fmtSpread(r.Baseline), fmtSpread(r.Current),
			fmtChange(r.Change), r.limitText(), r.verdictText())
	}
	_ = tw.Flush()
	for _, r := range g.Results {
		if r.Verdict != results.VerdictPass {
			fmt.Fprintf(w, "  %s %s: %s\n", r.verdictText(), r.Rule.Expr, r.Detail())
		}
	}
	for _, n := range g.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
}

// Markdown renders the gate's verdict page (gate.md), suitable for
// $GITHUB_STEP_SUMMARY.
func (g *Gate) Markdown() []byte {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	icon := "❌"
	if g.Passed() {
		icon = "✅"
	}
	w("## %s kbench regression gate: %s\n\n", icon, g.verdict())
	w("%s. Baseline %s (%s) against current %s (%s): each side is judged by its median; [min–max] is the spread over its runs.\n\n",
		g.headline(), mdCode(g.BaselineDir), textfmt.Plural(g.BaselineRuns, "run"), mdCode(g.CurrentDir), textfmt.Plural(g.CurrentRuns, "run"))
	w("| rule | baseline | current | change | limit | verdict |\n|---|---:|---:|---:|---:|---|\n")
	for _, r := range g.Results {
		mark := map[string]string{results.VerdictPass: "✅ ", results.VerdictFail: "❌ ", VerdictSkip: "⚪ "}[r.Verdict]
		if r.WithinNoise {
			mark = "⚠️ "
		}
		w("| %s | %s | %s | %s | %s | %s%s |\n", mdCode(r.Rule.Expr), fmtSpread(r.Baseline), fmtSpread(r.Current),
			fmtChange(r.Change), r.limitText(), mark, r.verdictText())
	}
	b.WriteString("\n")
	var details []string
	for _, r := range g.Results {
		if r.Verdict != results.VerdictPass {
			details = append(details, fmt.Sprintf("%s: %s", mdCode(r.Rule.Expr), textfmt.MDEscape(r.Detail())))
		}
	}
	mdItems(&b, "Details", details)
	var notes []string
	if g.Defaults {
		var exprs []string
		for _, r := range DefaultRules() {
			exprs = append(exprs, mdCode(r.Expr))
		}
		notes = append(notes, "No --fail-on rules were given, so the default rules were used: "+strings.Join(exprs, ", ")+".")
	}
	for _, r := range g.Results {
		if r.WithinNoise {
			notes = append(notes, noiseRule)
			break
		}
	}
	for _, n := range g.Notes {
		notes = append(notes, textfmt.MDEscape(n))
	}
	mdItems(&b, "Notes", notes)
	return []byte(b.String())
}

// mdItems writes a titled Markdown list of items that are already escaped
// (mdList escapes, which would show entities inside code spans).
func mdItems(b *strings.Builder, title string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(b, "### %s\n\n", title)
	for _, it := range items {
		fmt.Fprintf(b, "- %s\n", it)
	}
	b.WriteString("\n")
}

// mdCode formats text as a Markdown code span that is safe in a table cell:
// entities are not decoded inside code, so only "|" and "`" are escaped.
func mdCode(s string) string {
	return "`" + strings.NewReplacer("|", `\|`, "`", "'", "\n", " ").Replace(s) + "`"
}
