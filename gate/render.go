package gate

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/kbench/kbench/internal/textfmt"
	"github.com/kbench/kbench/results"
)

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

// sideText is a side's column: "no data" for a statistic of nothing, else
// its median and spread.
func sideText(s results.Spread, noData bool) string {
	if noData {
		return "no data"
	}
	return fmtSpread(s)
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
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", r.Rule.Expr, sideText(r.Baseline, r.BaselineNoData), sideText(r.Current, r.CurrentNoData),
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
		w("| %s | %s | %s | %s | %s | %s%s |\n", mdCode(r.Rule.Expr), sideText(r.Baseline, r.BaselineNoData), sideText(r.Current, r.CurrentNoData),
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
