package reports

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kbench/kbench/internal/textfmt"
	"github.com/kbench/kbench/results"
)

// WriteText writes the human summary printed on stdout at the end of a run:
// verdict, record accounting, throughput, the deadline share, latency
// percentiles, thresholds, notes and errors. Write errors are ignored, as
// with fmt.Fprintf to a terminal.
func WriteText(w io.Writer, s *results.Summary) {
	t, tp, c := s.Totals, s.Throughput, s.Config
	fmt.Fprintf(w, "kbench %s: %s\n", runLabel(s), verdictWord(s.Verdict))
	var head []string
	if s.RunID != "" {
		head = append(head, "run "+s.RunID)
	}
	head = append(head, "target "+targetLine(s.Target), textfmt.Plural(c.Shards, "shard"), durationLine(c))
	if !c.StartedAt.IsZero() {
		head = append(head, "started "+c.StartedAt.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(w, "  %s\n", strings.Join(head, ", "))
	if b := bottleneckSentence(s); b != "" {
		fmt.Fprintf(w, "  bottleneck %s\n", b)
	}

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  records\tproduced %s\tacked %s\tfailed %s\tunsent %s\n",
		textfmt.Int(t.Produced), textfmt.Int(t.Acked), textfmt.Int(t.Failed), textfmt.Int(t.Unsent))
	fmt.Fprintf(tw, "  \tconsumed %s\tlost %s\tunread %s\tduplicates %s\tthrottled %s\n",
		textfmt.Int(t.Consumed), textfmt.Int(t.Lost), textfmt.Int(t.Unread), textfmt.Int(t.Duplicates), textfmt.Int(t.Throttled))
	fmt.Fprintf(tw, "  records/s\ttarget %s\tproduced %s\tacked %s\tconsumed %s\n",
		fmtRate(tp.TargetRPS), fmtRate(tp.ProducedRPS), fmtRate(tp.AckedRPS), fmtRate(tp.ConsumedRPS))
	_ = tw.Flush()
	fmt.Fprintf(w, "  bytes/s    in %s, out %s\n", fmtBytesPerS(tp.ProducedBytesPerS), fmtBytesPerS(tp.ConsumedBytesPerS))
	for _, p := range s.Producers {
		b := p.RecordBytes
		fmt.Fprintf(w, "  record bytes %s (%s): min %s, p50 %s, p99 %s, max %s\n", p.Name, producerKind(p),
			textfmt.Int(b.Min), textfmt.Int(b.P50), textfmt.Int(b.P99), textfmt.Int(b.Max))
	}
	if r := failedReasons(t); r != "" {
		fmt.Fprintf(w, "  failed by reason: %s\n", r)
	}
	if t.OutOfOrder > 0 || t.OutOfOrderKeyShare > 0 && t.OutOfOrderKeyShare < 1 {
		fmt.Fprintf(w, "  order      %s out of order (%s)\n", textfmt.Int(t.OutOfOrder), orderSub(t.Order))
	}
	if d := deadlineSentence(s); d != "" {
		fmt.Fprintf(w, "  deadline: %s\n", d)
	}
	cost := ""
	if v, ok := s.Lookup("cost.usd_per_hour"); ok {
		cost = ", cost " + fmtUSD(v) + "/h on AWS"
	}
	fmt.Fprintf(w, "  throttle ratio %s (%s of %s write attempts)%s\n", fmtRatio(s.ThrottleRatio),
		textfmt.Int(t.Throttled), textfmt.Int(t.Throttled+t.KinesisAcked()), cost)
	writeConsumers(w, s)
	writeDestinations(w, s)
	writeHotShards(w, s)
	writePacking(w, s)
	for i, e := range s.Events {
		res := "done"
		if !e.OK {
			res = "failed: " + e.Error
		}
		fmt.Fprintf(w, "  event %s at %s: %s %s (%s)\n", eventLabel(i), fmtSeconds(e.AtS), e.Action, e.Detail, res)
	}

	if names := latencyOrder(s); len(names) > 0 {
		fmt.Fprintln(w, "  latency (ms)")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "    \tcount\tp50\tp90\tp99\tp99.9\tmax\tmean\t")
		for _, name := range names {
			l := s.Latency[name]
			fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", append([]any{name, textfmt.Int(l.Count)}, latencyCells(l)...)...)
		}
		_ = tw.Flush()
	}

	if len(s.Thresholds) > 0 {
		fmt.Fprintln(w, "  thresholds")
		for _, th := range s.Thresholds {
			fmt.Fprintf(w, "    %s  %s  %s\n", passWord(th.OK), th.Expr, thresholdDetail(th))
		}
	}
	writeList(w, "notes", notes(s))
	writeList(w, "errors", s.Errors)
}

// writeConsumers writes one line per consumer application, when the run
// had more than one or one fell back to another way of reading.
func writeConsumers(w io.Writer, s *results.Summary) {
	show := len(s.Consumers) > 1
	for _, c := range s.Consumers {
		show = show || c.Fallback != ""
	}
	if !show {
		return
	}
	fmt.Fprintln(w, "  consumers")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range s.Consumers {
		kind := c.Kind
		if c.Primary {
			kind += ", primary"
		}
		onTime := "–"
		if c.Deadline != nil && c.Deadline.Scheduled > 0 {
			onTime = fmtPct(c.Deadline.OnTimeRatio)
		}
		fmt.Fprintf(tw, "    %s\t%s\tconsumed %s\tlost %s\tdupes %s\te2e p99 %s ms\ton time %s\tlag max %s ms\n",
			c.Name, kind, textfmt.Int(c.Consumed), textfmt.Int(c.Lost), textfmt.Int(c.Duplicates), fmtMS(c.Latency["e2e"].P99), onTime,
			textfmt.Int(c.MillisBehindMax))
	}
	_ = tw.Flush()
	for _, c := range s.Consumers {
		if c.Fallback != "" {
			fmt.Fprintf(w, "    %s fell back: %s\n", c.Name, c.Fallback)
		}
	}
}

// writeHotShards names the shards that stand out, if any.
func writeHotShards(w io.Writer, s *results.Summary) {
	var parts []string
	for i, hot := range hotShards(s.PerShard) {
		if hot {
			sh := s.PerShard[i]
			parts = append(parts, fmt.Sprintf("%s (records %s, throttled %s, %s)", sh.ShardID, textfmt.Int(sh.Records),
				textfmt.Int(sh.Throttled), fmtRatio(sh.ThrottleRatio)))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, "  hot shards: %s\n", strings.Join(parts, "; "))
	}
}

// targetLine describes the target in a few words: "sim", "aws (eu-west-1)",
// "localstack at http://127.0.0.1:4566".
func targetLine(t results.TargetInfo) string {
	out := t.Kind
	if out == "" {
		out = "unknown"
	}
	if t.Region != "" {
		out += " (" + t.Region + ")"
	}
	if t.Endpoint != "" {
		out += " at " + t.Endpoint
	}
	if t.MemoryBudget > 0 {
		out += fmt.Sprintf(", in process, memory budget %.0f MiB", float64(t.MemoryBudget)/(1<<20))
	}
	if p := t.LatencyProfile; p != nil && p.Name != "none" {
		out += ", latency profile " + p.Name
	}
	return out
}

// passWord is PASS or FAIL.
func passWord(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

// thresholdDetail is the value a threshold saw, or its error.
func thresholdDetail(th results.ThresholdResult) string {
	if th.NoData {
		return "(" + th.Error + ")"
	}
	if th.Error != "" {
		return "(error: " + th.Error + ")"
	}
	return "(value " + textfmt.Value(th.Value) + ")"
}

// writeList writes a titled bullet list, nothing when items is empty.
func writeList(w io.Writer, title string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(w, "  %s\n", title)
	for _, it := range items {
		fmt.Fprintf(w, "    - %s\n", strings.TrimSpace(it))
	}
}

// producerKind is a producer's generator and, when it has one, format.
func producerKind(p results.ProducerStats) string {
	if p.Format == "" {
		return p.Generator
	}
	return p.Generator + ", " + p.Format
}
