package reports

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/kbench/kbench/internal/textfmt"
	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/results"
)

// fmtRate formats a per-second rate: whole numbers with separators above 100,
// one decimal below.
func fmtRate(v float64) string {
	if math.Abs(v) >= 100 {
		return textfmt.Int(int64(math.Round(v)))
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// fmtBytesPerS formats a byte rate in binary units (the Kinesis quotas are
// 1 MiB/s in and 2 MiB/s out per shard).
func fmtBytesPerS(v float64) string {
	switch {
	case v >= 1<<20:
		return fmt.Sprintf("%.2f MiB/s", v/(1<<20))
	case v >= 1<<10:
		return fmt.Sprintf("%.1f KiB/s", v/(1<<10))
	default:
		return fmt.Sprintf("%.0f B/s", v)
	}
}

// fmtMS formats milliseconds with three decimals, as summary.json has them.
func fmtMS(v float64) string {
	return strconv.FormatFloat(v, 'f', 3, 64)
}

// latencyCells formats a histogram's p50, p90, p99, p99.9, max and mean, or
// "no data" six times when it holds no values: its zeros are not latencies.
func latencyCells(l results.LatencyStats) []any {
	if l.Count == 0 {
		return []any{"no data", "no data", "no data", "no data", "no data", "no data"}
	}
	return []any{fmtMS(l.P50), fmtMS(l.P90), fmtMS(l.P99), fmtMS(l.P999), fmtMS(l.Max), fmtMS(l.Mean)}
}

// fmtSeconds formats a duration in seconds compactly: "60s", "1.5s".
func fmtSeconds(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64) + "s"
}

// fmtPct formats a ratio as a percentage with one decimal; a ratio just
// under 1 never rounds up to "100.0%".
func fmtPct(ratio float64) string {
	p := math.Floor(ratio*1000) / 10
	return strconv.FormatFloat(p, 'f', 1, 64) + "%"
}

// failedReasons formats the failed-record breakdown, "" when none failed.
func failedReasons(t results.Totals) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(t.FailedByReason)) {
		parts = append(parts, fmt.Sprintf("%s %s", k, textfmt.Int(t.FailedByReason[k])))
	}
	return strings.Join(parts, ", ")
}

// deadlineSentence is the time value of data in one sentence, "" when the
// scenario set no deadline.
func deadlineSentence(s *results.Summary) string {
	d := s.Deadline
	if d == nil {
		return ""
	}
	if d.Scheduled == 0 {
		return fmt.Sprintf("No records were due after warmup to measure against the %s ms deadline.", textfmt.Value(d.DeadlineMS))
	}
	missing := ""
	if n := d.Scheduled - d.Measured; n > 0 {
		missing = fmt.Sprintf("; %s never consumed", textfmt.Int(n))
	}
	return fmt.Sprintf("%s of records were consumed within %s ms of their intended send time (%s of %s due after warmup%s).",
		fmtPct(d.OnTimeRatio), textfmt.Value(d.DeadlineMS), textfmt.Int(d.OnTime), textfmt.Int(d.Scheduled), missing)
}

// runLabel names a run in headers and comparisons.
func runLabel(s *results.Summary) string {
	name := s.Config.Name
	if name == "" {
		name = "kbench run"
	}
	if s.Config.Cell != "" {
		return name + " [" + s.Config.Cell + "]"
	}
	return name
}

// durationLine describes the run's phases, e.g. "50s measured (after 10s
// warmup; then up to 5s drain)". DurationS includes the warmup.
func durationLine(c results.RunInfo) string {
	var extra []string
	if c.WarmupS > 0 {
		extra = append(extra, "after "+fmtSeconds(c.WarmupS)+" warmup")
	}
	if c.DrainS > 0 {
		extra = append(extra, "then up to "+fmtSeconds(c.DrainS)+" drain")
	}
	out := fmtSeconds(c.DurationS-c.WarmupS) + " measured"
	if len(extra) > 0 {
		out += " (" + strings.Join(extra, "; ") + ")"
	}
	return out
}

// clockBannerShare is the share of the end-to-end p50 above which a merged
// report warns of the workers' clock error.
const clockBannerShare = 0.05

// banners returns what a merged report must say first: that workers are
// missing, or that the workers' clocks may differ by more than 5% of the
// end-to-end p50.
func banners(s *results.Summary) []string {
	w := s.Workers
	if w == nil {
		return nil
	}
	var out []string
	if w.Incomplete {
		out = append(out, fmt.Sprintf("INCOMPLETE: merged from %d of %d workers; missing: %v. Their records and the shards they read are not in these results.",
			len(w.Merged), w.Count, w.Missing))
	}
	if w.ClockErrorShare > clockBannerShare {
		out = append(out, fmt.Sprintf("Clock error: the workers' clocks may differ by up to %.3f ms, %.0f%% of the end-to-end p50; cross-host latencies carry that error.",
			w.ClockErrorMS, 100*w.ClockErrorShare))
	}
	return out
}

// notes returns the run's own notes followed by warnings derived from the
// numbers, so that no bad bucket goes unmentioned.
func notes(s *results.Summary) []string {
	out := slices.Clone(s.Config.Notes)
	if p := s.Target.LatencyProfile; p != nil && p.Name != "none" {
		out = append(out, fmt.Sprintf("Latency profile %s (%s): put %s, propagation %s, fan-out %s.", p.Name, p.Source, p.Put, p.Propagation, p.FanOut))
		for _, a := range p.Assumptions {
			out = append(out, "Latency profile assumption: "+a)
		}
	}
	t := s.Totals
	if t.Throttled > 0 {
		out = append(out, fmt.Sprintf("%s record-attempts were throttled (ProvisionedThroughputExceeded): "+
			"shards hit their write quota (1 MiB/s or 1,000 records/s each).", textfmt.Int(t.Throttled)))
	}
	if t.Failed > 0 {
		out = append(out, fmt.Sprintf("%s records failed after their last attempt (%s).", textfmt.Int(t.Failed), failedReasons(t)))
	}
	if t.Lost > 0 {
		out = append(out, fmt.Sprintf("%s acknowledged records were never consumed although the consumer read past them (lost).", textfmt.Int(t.Lost)))
	}
	if t.Unread > 0 {
		out = append(out, fmt.Sprintf("%s acknowledged records were not read yet when the run ended (unread: it was stopped early, "+
			"or the consumer was still catching up when the drain ended); they are not counted lost.", textfmt.Int(t.Unread)))
	}
	if t.FailedDelivered > 0 {
		out = append(out, fmt.Sprintf("%s records counted failed or unsent were consumed all the same (failed_delivered): "+
			"ambiguous writes, such as PutRecords calls that timed out after the target stored them.", textfmt.Int(t.FailedDelivered)))
	}
	if t.Duplicates > 0 {
		out = append(out, fmt.Sprintf("%s records were consumed more than once.", textfmt.Int(t.Duplicates)))
	}
	if t.Unsent > 0 {
		out = append(out, unsentNote(t))
	}
	if t.Late > 0 {
		out = append(out, fmt.Sprintf("%s records were late (sent behind the pacer's schedule, or cut off by the producers' stop); "+
			"e2e latency counts from the intended send time, e2e_uncorrected from the actual one.", textfmt.Int(t.Late)))
	}
	if t.GetThrottled > 0 {
		out = append(out, fmt.Sprintf("%s GetRecords calls were throttled (read quota: 5 calls/s and 2 MiB/s per shard).", textfmt.Int(t.GetThrottled)))
	}
	if t.Foreign > 0 {
		out = append(out, fmt.Sprintf("%s records on the stream were not written by this run.", textfmt.Int(t.Foreign)))
	}
	if tp := s.Throughput; tp.TargetRPS > 0 && tp.AckedRPS < 0.95*tp.TargetRPS {
		out = append(out, fmt.Sprintf("Acknowledged throughput was %s/s, %s of the %s/s target.",
			fmtRate(tp.AckedRPS), fmtPct(tp.AckedRPS/tp.TargetRPS), fmtRate(tp.TargetRPS)))
	}
	return out
}

// latencyOrder lists the summary's histogram names: kbench's own in report
// order first, then any others sorted.
func latencyOrder(s *results.Summary) []string {
	known := []string{metrics.LatE2E, metrics.LatE2EUncorrected, metrics.LatSendToArrival, metrics.LatArrivalToConsumed,
		metrics.LatDelivery, metrics.LatPut, metrics.LatLateness}
	var out []string
	for _, k := range known {
		if _, ok := s.Latency[k]; ok {
			out = append(out, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(s.Latency)) {
		if !slices.Contains(known, k) {
			out = append(out, k)
		}
	}
	return out
}

// latencyDescriptions say what each of kbench's histograms measures.
var latencyDescriptions = map[string]string{
	metrics.LatE2E:               "intended send → consumed (coordinated-omission corrected)",
	metrics.LatE2EUncorrected:    "actual send → consumed",
	metrics.LatSendToArrival:     "actual send → arrival on the stream (the target's clock)",
	metrics.LatArrivalToConsumed: "arrival on the stream → consumed: the read path",
	metrics.LatDelivery:          "intended send → acknowledged",
	metrics.LatPut:               "one PutRecords call",
	metrics.LatLateness:          "actual send − intended send",
}

// verdictWord is the verdict in capitals, "UNJUDGED" when Judge never ran.
func verdictWord(v string) string {
	if v == "" {
		return "UNJUDGED"
	}
	return strings.ToUpper(v)
}

// fmtRatio formats a small ratio (a throttle ratio) as a percentage with
// two decimals: 0.0123 → "1.23%".
func fmtRatio(ratio float64) string {
	return strconv.FormatFloat(ratio*100, 'f', 2, 64) + "%"
}

// fmtUSD formats dollars: three decimals below $10, two above.
func fmtUSD(v float64) string {
	switch a := math.Abs(v); {
	case a >= 10:
		return "$" + strconv.FormatFloat(v, 'f', 2, 64)
	case a >= 0.1 || a == 0:
		return "$" + strconv.FormatFloat(v, 'f', 3, 64)
	}
	return "$" + strconv.FormatFloat(v, 'f', 4, 64)
}

// fmtLatency formats milliseconds for a comparison: thousands separators
// and one decimal, two below 10 ms.
func fmtLatency(v float64) string {
	if math.Abs(v) < 10 {
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	r := math.Round(v * 10)
	frac := int64(math.Abs(math.Mod(r, 10)))
	return textfmt.Int(int64(r/10)) + "." + strconv.FormatInt(frac, 10)
}

// unsentCauses says, in report order, why records of the schedule were
// never sent, by the keys of totals.unsent_by_cause.
var unsentCauses = []struct{ key, why string }{
	{metrics.UnsentNotGenerated, "not generated: the producers were that far behind the schedule when they stopped at duration + max_overrun"},
	{metrics.UnsentOverrun, "generated but still waiting to be sent (or resent) when the producers stopped at duration + max_overrun"},
	{metrics.UnsentRunStopped, "the run was stopped (interrupted or aborted) before they were sent"},
}

// unsentNote says how much of the schedule was not sent, and why.
func unsentNote(t results.Totals) string {
	var why []string
	rest := t.Unsent
	for _, c := range unsentCauses {
		if n := t.UnsentByCause[c.key]; n > 0 {
			why = append(why, fmt.Sprintf("%s %s", textfmt.Int(n), c.why))
			rest -= n
		}
	}
	if rest > 0 { // a schema-2 summary has no causes
		why = append(why, fmt.Sprintf("%s the run stopped first", textfmt.Int(rest)))
	}
	share := ""
	if sched := t.Acked + t.Failed + t.Unsent; sched > 0 {
		share = " (" + fmtPct(float64(t.Unsent)/float64(sched)) + " of the schedule)"
	}
	out := fmt.Sprintf("%s records%s were never sent: %s.", textfmt.Int(t.Unsent), share, strings.Join(why, "; "))
	if t.UnsentByCause[metrics.UnsentNotGenerated]+t.UnsentByCause[metrics.UnsentOverrun] > 0 {
		out += " Those the producers' stop cut off count as late too."
	}
	return out
}

// bottleneckSentence says what limited the run, with its evidence; "" for a
// summary without a verdict.
func bottleneckSentence(s *results.Summary) string {
	b := s.Bottleneck
	if b == nil {
		return ""
	}
	return fmt.Sprintf("%s: %s (CPU %s of %d cores, in-flight %s, schedule lag %s ms, backlog growth %s/s)",
		b.Kind, b.Reason, fmtPct(b.CPURatio), b.Cores, fmtPct(b.InFlightRatio), textfmt.Int(int64(b.ScheduleLagMS)), fmtRate(b.BacklogGrowthRPS))
}
