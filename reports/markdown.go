package reports

import (
	"fmt"
	"strings"
	"time"
)

// scenarioDescription returns the scenario's description field, if any.
func scenarioDescription(s *Summary) string {
	d, _ := s.Scenario["description"].(string)
	return strings.TrimSpace(d)
}

// mdEscape makes text safe inside a Markdown table cell.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}

// markdown renders report.md: the verdict and key numbers of one run, for a
// CI step summary.
func markdown(s *Summary) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	icon := "❌"
	if s.Verdict == VerdictPass {
		icon = "✅"
	}
	w("## %s %s: %s\n\n", icon, verdictWord(s.Verdict), mdEscape(runLabel(s)))
	if d := scenarioDescription(s); d != "" {
		w("> %s\n\n", mdEscape(d))
	}
	if d := deadlineSentence(s); d != "" {
		w("**Time value of data:** %s\n\n", d)
	}
	c := s.Config
	w("| run | target | shards | duration | started |\n|---|---|---:|---|---|\n")
	w("| `%s` | %s | %d | %s | %s |\n\n", mdEscape(s.RunID), mdEscape(targetLine(s.Target)), c.Shards,
		durationLine(c), c.StartedAt.UTC().Format(time.RFC3339))

	t := s.Totals
	w("### Records\n\n| produced | acked | failed | unsent | throttled | consumed | lost | duplicates |\n")
	w("|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	w("| %s | %s | %s | %s | %s | %s | %s | %s |\n\n", fmtInt(t.Produced), fmtInt(t.Acked), fmtInt(t.Failed),
		fmtInt(t.Unsent), fmtInt(t.Throttled), fmtInt(t.Consumed), fmtInt(t.Lost), fmtInt(t.Duplicates))
	if r := failedReasons(t); r != "" {
		w("Failed by reason: %s\n\n", mdEscape(r))
	}

	tp := s.Throughput
	w("### Throughput (measured window)\n\n| | target | produced | acked | consumed |\n|---|---:|---:|---:|---:|\n")
	w("| records/s | %s | %s | %s | %s |\n", fmtRate(tp.TargetRPS), fmtRate(tp.ProducedRPS), fmtRate(tp.AckedRPS), fmtRate(tp.ConsumedRPS))
	w("| bytes/s | | %s | | %s |\n\n", fmtBytesPerS(tp.ProducedBytesPerS), fmtBytesPerS(tp.ConsumedBytesPerS))

	if names := latencyOrder(s); len(names) > 0 {
		w("### Latency (ms)\n\n| histogram | count | p50 | p90 | p99 | p99.9 | max | mean |\n")
		w("|---|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, n := range names {
			l := s.Latency[n]
			w("| %s | %s | %s | %s | %s | %s | %s | %s |\n", mdEscape(n), fmtInt(l.Count), fmtMS(l.P50), fmtMS(l.P90),
				fmtMS(l.P99), fmtMS(l.P999), fmtMS(l.Max), fmtMS(l.Mean))
		}
		w("\n")
	}

	if len(s.Thresholds) > 0 {
		w("### Thresholds\n\n| result | expression | value |\n|---|---|---:|\n")
		for _, th := range s.Thresholds {
			res, val := "✅ pass", fmtValue(th.Value)
			if !th.OK {
				res = "❌ fail"
			}
			if th.Error != "" {
				val = "error: " + mdEscape(th.Error)
			}
			w("| %s | `%s` | %s |\n", res, strings.ReplaceAll(th.Expr, "|", `\|`), val)
		}
		w("\n")
	}
	mdList(&b, "Errors", s.Errors)
	mdList(&b, "Notes", notes(s))
	return b.String()
}

// mdList writes a titled bullet list, nothing when items is empty.
func mdList(b *strings.Builder, title string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(b, "### %s\n\n", title)
	for _, it := range items {
		fmt.Fprintf(b, "- %s\n", mdEscape(strings.TrimSpace(it)))
	}
	b.WriteString("\n")
}
