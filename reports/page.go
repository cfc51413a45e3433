package reports

import (
	"encoding/json"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/kbench/kbench/internal/textfmt"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/scenarios"
)

// card is one key number.
type card struct {
	Key, Value, Sub string
	Bad             bool
}

// runPage is what report.html shows.
type runPage struct {
	CSS                template.CSS
	Label, Description string
	// Model is the banner of a run the model target predicted.
	Model               string
	Verdict, VerdictCSS string
	VerdictLine         string
	Failed              []results.ThresholdResult
	Meta                [][2]string
	Deadline            string
	Bottleneck          string
	DeadlinePct         string // bar width, "97.3%"
	DeadlineMiss        bool
	KeyCards            []card
	Cards, RateCards    []card
	Latency             []latencyRow
	Thresholds          []results.ThresholdResult
	Notes, Errors       []string
	Banners             []string // a merge of workers: incomplete, clock error
	Figures             []figure
	PNGs                []string
	Problems            []string
	Consumers           []consumerRow
	Producers           []results.ProducerStats
	Destinations        []destinationRow
	Shards              []shardRow
	ShardsFolded        bool         // more shards than the plot draws a bar each: the table starts folded
	Packing             []packingRow // empty unless a producer packed its records
	Events              []eventRow
	Config              [][2]string
	ScenarioJSON        string
	Generated, RunID    string
}

// latencyRow is one histogram in the latency table.
type latencyRow struct {
	Name, Desc string
	results.LatencyStats
}

// consumerRow is one consumer application in the consumers table.
type consumerRow struct {
	results.ConsumerStats
	E2E    results.LatencyStats
	OnTime string
}

// destinationRow is one destination of the application under test.
type destinationRow struct {
	results.DestinationStats
	Cells destinationCells
}

// shardRow is one shard in the shards table.
type shardRow struct {
	results.ShardStats
	Hot bool
}

// eventRow is one scenario event in the events table.
type eventRow struct {
	results.EventResult
	Label, At string
}

// newRunPage assembles report.html's content and draws its figures.
func newRunPage(r *results.Run) (*runPage, figureSet, error) {
	s := r.Summary
	c := s.Config
	scen, err := json.MarshalIndent(s.Scenario, "", "  ")
	if err != nil {
		return nil, figureSet{}, fmt.Errorf("reports: scenario: %w", err)
	}
	p := &runPage{
		CSS:          template.CSS(pageCSS),
		Label:        runLabel(s),
		Description:  scenarioDescription(s),
		Model:        modelBanner(s),
		Verdict:      verdictWord(s.Verdict),
		VerdictCSS:   verdictCSS(s.Verdict),
		VerdictLine:  verdictLine(s),
		Failed:       failedThresholds(s),
		Deadline:     deadlineSentence(s),
		Bottleneck:   bottleneckSentence(s),
		KeyCards:     keyCards(s),
		Thresholds:   s.Thresholds,
		Notes:        notes(s),
		Errors:       s.Errors,
		Banners:      banners(s),
		Config:       configRows(s),
		ScenarioJSON: string(scen),
		RunID:        s.RunID,
		Generated:    time.Now().UTC().Format(time.RFC3339),
	}
	p.Meta = [][2]string{
		{"target", targetLine(s.Target)}, {"stream", c.Stream}, {"shards", fmt.Sprint(c.Shards)},
		{"duration", durationLine(c)}, {"started", c.StartedAt.UTC().Format(time.RFC3339)},
	}
	if d := s.Deadline; d != nil && d.Scheduled > 0 {
		p.DeadlinePct = fmtPct(d.OnTimeRatio)
		p.DeadlineMiss = d.OnTimeRatio < 0.99
	}
	p.Cards, p.RateCards = recordCards(s)
	for _, name := range latencyOrder(s) {
		p.Latency = append(p.Latency, latencyRow{Name: name, Desc: latencyDescriptions[name], LatencyStats: s.Latency[name]})
	}
	p.Producers = s.Producers
	for _, cs := range s.Consumers {
		row := consumerRow{ConsumerStats: cs, E2E: cs.Latency["e2e"], OnTime: "–"}
		if cs.Deadline != nil && cs.Deadline.Scheduled > 0 {
			row.OnTime = fmtPct(cs.Deadline.OnTimeRatio)
		}
		p.Consumers = append(p.Consumers, row)
	}
	metrics := s.Metrics()
	for _, d := range s.Destinations {
		p.Destinations = append(p.Destinations, destinationRow{DestinationStats: d, Cells: cellsOf(metrics, d)})
	}
	hot := hotShards(s.PerShard)
	for i, sh := range s.PerShard {
		p.Shards = append(p.Shards, shardRow{ShardStats: sh, Hot: hot[i]})
	}
	p.ShardsFolded = len(p.Shards) > manyShards
	p.Packing = packingRows(s)
	for i, e := range s.Events {
		p.Events = append(p.Events, eventRow{EventResult: e, Label: eventLabel(i), At: fmtSeconds(e.AtS)})
	}
	figs := runFigures(r)
	p.Figures = figs.figs
	for _, f := range figs.figs {
		p.PNGs = append(p.PNGs, f.File)
	}
	p.Problems = append(append([]string(nil), r.Missing...), figs.problems...)
	return p, figs, nil
}

// verdictLine explains the verdict in a few words.
func verdictLine(s *results.Summary) string {
	failed := len(failedThresholds(s))
	n := len(s.Thresholds)
	switch {
	case s.Verdict == "":
		return "not judged"
	case failed > 0:
		return fmt.Sprintf("%d of %d thresholds failed", failed, n)
	case len(s.Errors) > 0:
		return "the run reported errors"
	case n == 0:
		return "no thresholds set"
	case n == 1:
		return "the threshold is met"
	}
	return fmt.Sprintf("all %d thresholds met", n)
}

// failedThresholds returns the thresholds that failed or could not be
// evaluated.
func failedThresholds(s *results.Summary) []results.ThresholdResult {
	var out []results.ThresholdResult
	for _, t := range s.Thresholds {
		if !t.OK {
			out = append(out, t)
		}
	}
	return out
}

// keyCards are the numbers people act on: throughput, e2e p99, the share
// on time, lost records, the throttle ratio and what the load would cost.
func keyCards(s *results.Summary) []card {
	tp, t := s.Throughput, s.Totals
	e2e := s.Latency["e2e"]
	thru := card{Key: "consumed records/s", Value: fmtRate(tp.ConsumedRPS)}
	if tp.TargetRPS > 0 {
		thru.Sub = fmtPct(tp.ConsumedRPS/tp.TargetRPS) + " of the " + fmtRate(tp.TargetRPS) + "/s target"
		thru.Bad = tp.ConsumedRPS < 0.95*tp.TargetRPS
	}
	lat := card{Key: "e2e p99", Value: fmtMS(e2e.P99) + " ms", Sub: "p50 " + fmtMS(e2e.P50) + " ms · max " + fmtMS(e2e.Max) + " ms"}
	if e2e.Count == 0 {
		lat = card{Key: "e2e p99", Value: "no data", Sub: "no record was consumed", Bad: true}
	}
	onTime := card{Key: "on time", Value: "–", Sub: "no deadline set"}
	if d := s.Deadline; d != nil {
		lat.Bad = e2e.Count == 0 || d.DeadlineMS > 0 && e2e.P99 > d.DeadlineMS
		onTime.Sub = "within " + textfmt.Value(d.DeadlineMS) + " ms"
		if d.Scheduled > 0 {
			onTime.Value = fmtPct(d.OnTimeRatio)
			onTime.Bad = d.OnTimeRatio < 0.99
			if v, ok := onTimeThreshold(s); ok {
				onTime.Bad = d.OnTimeRatio < v
			}
		}
	}
	cost := card{Key: "cost per hour", Value: "–", Sub: "not estimated"}
	if v, ok := s.Lookup("cost.usd_per_hour"); ok {
		cost.Value, cost.Sub = fmtUSD(v), "on AWS, us-east-1, capacity + data in"
		if m, ok := s.Lookup("cost.usd_per_million_records"); ok && m > 0 {
			cost.Sub = fmtUSD(m) + " per million records"
		}
	}
	return []card{
		thru, lat, onTime,
		{Key: "lost", Value: textfmt.Int(t.Lost), Sub: textfmt.Int(t.Duplicates) + " duplicates, " + textfmt.Int(t.OutOfOrder) + " out of order", Bad: t.Lost > 0},
		{Key: "throttle ratio", Value: fmtRatio(s.ThrottleRatio), Sub: textfmt.Int(t.Throttled) + " write attempts throttled",
			Bad: s.ThrottleRatio >= MaxRecommendedThrottleRatio},
		cost,
	}
}

// recordCards are the run's record accounting and its rates.
func recordCards(s *results.Summary) (records, rates []card) {
	t, tp := s.Totals, s.Throughput
	records = []card{
		{Key: "produced", Value: textfmt.Int(t.Produced)},
		{Key: "acked", Value: textfmt.Int(t.Acked)},
		{Key: "failed", Value: textfmt.Int(t.Failed), Sub: failedReasons(t), Bad: t.Failed > 0},
		{Key: "unsent", Value: textfmt.Int(t.Unsent), Bad: t.Unsent > 0},
		{Key: "throttled attempts", Value: textfmt.Int(t.Throttled), Sub: textfmt.Int(t.Retried) + " retried", Bad: t.Throttled > 0},
		{Key: "consumed", Value: textfmt.Int(t.Consumed)},
		{Key: "lost", Value: textfmt.Int(t.Lost), Bad: t.Lost > 0},
		{Key: "unread", Value: textfmt.Int(t.Unread), Bad: t.Unread > 0},
		{Key: "duplicates", Value: textfmt.Int(t.Duplicates), Bad: t.Duplicates > 0},
		{Key: "out of order", Value: textfmt.Int(t.OutOfOrder), Sub: orderSub(t.Order), Bad: t.OutOfOrder > 0},
	}
	achieved := ""
	if tp.TargetRPS > 0 {
		achieved = fmtPct(tp.AckedRPS/tp.TargetRPS) + " of target"
	}
	rates = []card{
		{Key: "target records/s", Value: fmtRate(tp.TargetRPS)},
		{Key: "acked records/s", Value: fmtRate(tp.AckedRPS), Sub: achieved, Bad: tp.TargetRPS > 0 && tp.AckedRPS < 0.95*tp.TargetRPS},
		{Key: "produced records/s", Value: fmtRate(tp.ProducedRPS)},
		{Key: "consumed records/s", Value: fmtRate(tp.ConsumedRPS)},
		{Key: "bytes in", Value: fmtBytesPerS(tp.ProducedBytesPerS), Sub: perShardBytes(s, tp.ProducedBytesPerS, "of 1 MiB/s")},
		{Key: "bytes out", Value: fmtBytesPerS(tp.ConsumedBytesPerS), Sub: perShardBytes(s, tp.ConsumedBytesPerS, "of 2 MiB/s")},
	}
	return records, rates
}

// configRows is the resolved configuration as label/value pairs.
func configRows(s *results.Summary) [][2]string {
	c := s.Config
	rows := [][2]string{
		{"scenario", runLabel(s)}, {"run", s.RunID}, {"target", targetLine(s.Target)},
		{"stream", fmt.Sprintf("%s, %s", c.Stream, textfmt.Plural(c.Shards, "shard"))},
		{"producers / consumers", fmt.Sprintf("%d / %d", c.Producers, c.Consumers)},
		{"duration", durationLine(c)},
	}
	if c.DeadlineMS > 0 {
		rows = append(rows, [2]string{"deadline", textfmt.Value(c.DeadlineMS) + " ms"})
	}
	rows = append(rows, [2]string{"started / ended", c.StartedAt.UTC().Format(time.RFC3339) + " / " + c.EndedAt.UTC().Format(time.RFC3339)})
	for _, kv := range [][2]string{{"host", c.Host}, {"Go", c.GoVersion}, {"kbench", c.KbenchVersion}} {
		if kv[1] != "" {
			rows = append(rows, kv)
		}
	}
	return rows
}

// perShardBytes describes a byte rate per shard against its quota; "" when
// the shard count changed during the run (the shards table has each
// shard's own rate then).
func perShardBytes(s *results.Summary, total float64, quota string) string {
	shards := s.Config.Shards
	for _, e := range s.Events {
		if e.Action == scenarios.EventUpdateShardCount && e.OK {
			return ""
		}
	}
	if shards <= 0 {
		return ""
	}
	return fmtBytesPerS(total/float64(shards)) + " per shard " + quota
}

// verdictCSS is the badge class for a verdict.
func verdictCSS(v string) string {
	switch v {
	case results.VerdictPass:
		return "pass"
	case results.VerdictFail:
		return "fail"
	}
	return "none"
}

// orderSub says how many keys had late records, how far the worst came
// behind, and whether the count covers every key.
func orderSub(o results.Order) string {
	var parts []string
	if o.OutOfOrder > 0 {
		keys := textfmt.Int(o.OutOfOrderKeys) + " keys"
		if o.OutOfOrderKeys == 1 {
			keys = "1 key"
		}
		parts = append(parts, keys+", displaced up to "+textfmt.Int(o.OutOfOrderMaxDisplacement))
	}
	if o.OutOfOrderKeyShare > 0 && o.OutOfOrderKeyShare < 1 {
		parts = append(parts, "sampled: "+fmtPct(o.OutOfOrderKeyShare)+" of keys")
	}
	return strings.Join(parts, "; ")
}

// modelBanner is the banner of a run the model target predicted, "" for a
// measured run.
func modelBanner(s *results.Summary) string {
	if s.Target.Model == nil {
		return ""
	}
	return s.Target.Model.Note
}
