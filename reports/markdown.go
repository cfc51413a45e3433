package reports

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kbench/kbench/internal/textfmt"
	"github.com/kbench/kbench/results"
)

// scenarioDescription returns the scenario's description field, if any.
func scenarioDescription(s *results.Summary) string {
	d, _ := s.Scenario["description"].(string)
	return strings.TrimSpace(d)
}

// mdTopShards is how many shards report.md lists.
const mdTopShards = 5

// markdown renders report.md: the verdict and key numbers of one run, for a
// CI step summary.
func markdown(s *results.Summary, rows []results.Row) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	icon := "❌"
	if s.Verdict == results.VerdictPass {
		icon = "✅"
	}
	w("## %s %s: %s\n\n", icon, verdictWord(s.Verdict), textfmt.MDEscape(runLabel(s)))
	if d := scenarioDescription(s); d != "" {
		w("> %s\n\n", textfmt.MDEscape(d))
	}
	for _, b := range banners(s) {
		w("> **⚠️ %s**\n\n", textfmt.MDEscape(b))
	}
	w("**Verdict:** %s.", verdictLine(s))
	for _, th := range failedThresholds(s) {
		w(" ❌ `%s` (%s).", strings.ReplaceAll(th.Expr, "|", `\|`), textfmt.MDEscape(strings.Trim(thresholdDetail(th), "()")))
	}
	w("\n\n")
	if bn := bottleneckSentence(s); bn != "" {
		w("**Bottleneck:** %s\n\n", textfmt.MDEscape(bn))
	}
	if d := deadlineSentence(s); d != "" {
		w("**Time value of data:** %s\n\n", d)
	}
	c := s.Config
	w("| run | target | shards | duration | started |\n|---|---|---:|---|---|\n")
	w("| `%s` | %s | %d | %s | %s |\n\n", textfmt.MDEscape(s.RunID), textfmt.MDEscape(targetLine(s.Target)), c.Shards,
		durationLine(c), c.StartedAt.UTC().Format(time.RFC3339))

	w("### Key numbers\n\n|")
	cards := keyCards(s)
	for _, k := range cards {
		w(" %s |", k.Key)
	}
	w("\n|%s\n|", strings.Repeat("---:|", len(cards)))
	for _, k := range cards {
		v := k.Value
		if k.Bad {
			v = "**" + v + "** ⚠️"
		}
		w(" %s |", v)
	}
	w("\n\n")

	if len(s.Thresholds) > 0 {
		w("### Thresholds\n\n| result | expression | value |\n|---|---|---:|\n")
		for _, th := range s.Thresholds {
			res, val := "✅ pass", textfmt.Value(th.Value)
			if !th.OK {
				res = "❌ fail"
			}
			switch {
			case th.NoData:
				val = "no data"
			case th.Error != "":
				val = "error: " + textfmt.MDEscape(th.Error)
			}
			w("| %s | `%s` | %s |\n", res, strings.ReplaceAll(th.Expr, "|", `\|`), val)
		}
		w("\n")
	}

	t, tp := s.Totals, s.Throughput
	w("### Records\n\n| produced | acked | failed | unsent | throttled | consumed | lost | unread | duplicates |\n")
	w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	w("| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n\n", textfmt.Int(t.Produced), textfmt.Int(t.Acked), textfmt.Int(t.Failed),
		textfmt.Int(t.Unsent), textfmt.Int(t.Throttled), textfmt.Int(t.Consumed), textfmt.Int(t.Lost), textfmt.Int(t.Unread), textfmt.Int(t.Duplicates))
	if r := failedReasons(t); r != "" {
		w("Failed by reason: %s\n\n", textfmt.MDEscape(r))
	}
	if t.OutOfOrder > 0 || t.OutOfOrderKeyShare > 0 && t.OutOfOrderKeyShare < 1 {
		w("Out of order: %s records (%s).\n\n", textfmt.Int(t.OutOfOrder), textfmt.MDEscape(orderSub(t.Order)))
	}
	w("Records/s (measured window): target %s, produced %s, acked %s, consumed %s; bytes/s in %s, out %s.\n\n",
		fmtRate(tp.TargetRPS), fmtRate(tp.ProducedRPS), fmtRate(tp.AckedRPS), fmtRate(tp.ConsumedRPS),
		fmtBytesPerS(tp.ProducedBytesPerS), fmtBytesPerS(tp.ConsumedBytesPerS))

	mdProducers(&b, s)
	mdConsumers(&b, s)
	mdDestinations(&b, s, rows)
	mdShards(&b, s)
	mdPacking(&b, s)
	if len(s.Events) > 0 {
		w("### Events\n\n| event | at | action | what changed | result |\n|---|---:|---|---|---|\n")
		for i, e := range s.Events {
			res := "✅ done"
			if !e.OK {
				res = "❌ " + textfmt.MDEscape(e.Error)
			}
			w("| %s | %s | %s | %s | %s |\n", eventLabel(i), fmtSeconds(e.AtS), textfmt.MDEscape(e.Action), textfmt.MDEscape(e.Detail), res)
		}
		w("\n")
	}

	if names := latencyOrder(s); len(names) > 0 {
		w("### Latency (ms)\n\n| histogram | count | p50 | p90 | p99 | p99.9 | max | mean |\n")
		w("|---|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, n := range names {
			l := s.Latency[n]
			w("| %s | %s | %s | %s | %s | %s | %s | %s |\n", append([]any{textfmt.MDEscape(n), textfmt.Int(l.Count)}, latencyCells(l)...)...)
		}
		w("\n")
	}
	mdList(&b, "Errors", s.Errors)
	mdList(&b, "Notes", notes(s))
	return b.String()
}

// mdProducers writes each producer's record sizes.
func mdProducers(b *strings.Builder, s *results.Summary) {
	if len(s.Producers) == 0 {
		return
	}
	b.WriteString("### Producers\n\nRecord sizes in bytes, envelope included.\n\n")
	b.WriteString("| producer | generator | records | min | p50 | p99 | max |\n|---|---|---:|---:|---:|---:|---:|\n")
	for _, p := range s.Producers {
		r := p.RecordBytes
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", textfmt.MDEscape(p.Name), textfmt.MDEscape(producerKind(p)),
			textfmt.Int(r.Count), textfmt.Int(r.Min), textfmt.Int(r.P50), textfmt.Int(r.P99), textfmt.Int(r.Max))
	}
	b.WriteString("\n")
}

// mdConsumers writes the consumer applications' table.
func mdConsumers(b *strings.Builder, s *results.Summary) {
	if len(s.Consumers) == 0 {
		return
	}
	b.WriteString("### Consumers\n\n| application | kind | consumed | lost | dupes | e2e p50 ms | e2e p99 ms | on time | lag max ms | checkpoints / at risk |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, c := range s.Consumers {
		kind := c.Kind
		if c.Primary {
			kind += ", primary"
		}
		if c.Fallback != "" {
			kind += "; fallback: " + c.Fallback
		}
		onTime := "–"
		if c.Deadline != nil && c.Deadline.Scheduled > 0 {
			onTime = fmtPct(c.Deadline.OnTimeRatio)
		}
		e2e := c.Latency["e2e"]
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s |\n", textfmt.MDEscape(c.Name), textfmt.MDEscape(kind),
			textfmt.Int(c.Consumed), textfmt.Int(c.Lost), textfmt.Int(c.Duplicates), fmtMS(e2e.P50), fmtMS(e2e.P99), onTime,
			textfmt.Int(c.MillisBehindMax), textfmt.Int(c.Checkpoints), textfmt.Int(c.AtRiskMax))
	}
	b.WriteString("\n")
}

// mdShards writes the busiest shards: the most throttled first, then the
// most records.
func mdShards(b *strings.Builder, s *results.Summary) {
	if len(s.PerShard) == 0 {
		return
	}
	hot := hotShards(s.PerShard)
	idx := make([]int, len(s.PerShard))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(x, y int) int {
		a, c := s.PerShard[x], s.PerShard[y]
		if a.Throttled != c.Throttled {
			return cmp.Compare(c.Throttled, a.Throttled)
		}
		return cmp.Compare(c.Records, a.Records)
	})
	title := "### Shards\n\n"
	if len(idx) > mdTopShards {
		title = fmt.Sprintf("### Shards (top %d of %d)\n\n", mdTopShards, len(idx))
		idx = idx[:mdTopShards]
	}
	b.WriteString(title + "| shard | records | bytes | throttled | throttle ratio | e2e p99 ms |\n|---|---:|---:|---:|---:|---:|\n")
	for _, i := range idx {
		sh := s.PerShard[i]
		id := "`" + sh.ShardID + "`"
		if hot[i] {
			id += " 🔥 hot"
		}
		if sh.Closed {
			id += " (closed)"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", id, textfmt.Int(sh.Records), textfmt.Int(sh.Bytes),
			textfmt.Int(sh.Throttled), fmtRatio(sh.ThrottleRatio), fmtMS(sh.E2E.P99))
	}
	b.WriteString("\n")
}

// mdList writes a titled bullet list, nothing when items is empty.
func mdList(b *strings.Builder, title string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(b, "### %s\n\n", title)
	for _, it := range items {
		fmt.Fprintf(b, "- %s\n", textfmt.MDEscape(strings.TrimSpace(it)))
	}
	b.WriteString("\n")
}
