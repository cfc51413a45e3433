package plan

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/kbench/kbench/collectors"
	"github.com/kbench/kbench/internal/textfmt"
	"github.com/kbench/kbench/model"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/scenarios"
	"github.com/kbench/kbench/sim"
	"github.com/kbench/kbench/targets"
)

// layout is one candidate: the scenario as it runs for it, and the model's
// result.
type layout struct {
	name, consumers string
	// sets are the --set overrides that make the scenario this layout.
	sets []string
	sc   *scenarios.Scenario
	res  *model.Result
	err  error
}

// variant is one way the consumer applications read: each consumer
// spec's kind, in order.
type variant struct {
	label string
	kinds []string
}

// Consumer variants' labels.
const (
	labelPolling = "polling"
	labelFanOut  = "fan-out"
	labelAsIs    = "as scenario"
	labelNone    = "no consumers"
)

// maxMixed is the most consumer specs whose every mix of polling and
// fan-out a plan tries; with more it tries all polling, all fan-out and
// the scenario's own mix.
const maxMixed = 2

// variants are the ways the plan lets sc's applications read: all
// polling, all with enhanced fan-out, and, with up to maxMixed consumer
// specs, every mix of the two (else the scenario's own mix, when it has
// one). Variants registering more fan-out consumers than a stream may have
// are left out, with a note.
func variants(sc *scenarios.Scenario, notes *[]string) []variant {
	n := len(sc.Consumers)
	if n == 0 {
		return []variant{{label: labelNone}}
	}
	kindOf := func(fan bool) string {
		if fan {
			return collectors.KindFanOut
		}
		return collectors.KindPolling
	}
	var masks []int // bit i set: consumer i uses fan-out
	if n <= maxMixed {
		for m := range 1 << n {
			masks = append(masks, m)
		}
	} else {
		masks = []int{0, 1<<n - 1}
	}
	var vs []variant
	skipped := false
	for _, m := range masks {
		v := variant{}
		fanOut, names := 0, []string{}
		for i, c := range sc.Consumers {
			fan := m&(1<<i) != 0
			v.kinds = append(v.kinds, kindOf(fan))
			if fan {
				fanOut += c.Count
			}
			names = append(names, c.Name+" "+map[bool]string{true: labelFanOut, false: labelPolling}[fan])
		}
		switch {
		case m == 0:
			v.label = labelPolling
		case m == 1<<n-1:
			v.label = labelFanOut
		default:
			v.label = strings.Join(names, ", ")
		}
		if fanOut > collectors.MaxConsumers {
			skipped = true
			continue
		}
		vs = append(vs, v)
	}
	if skipped {
		*notes = append(*notes, fmt.Sprintf("Layouts with more than %d enhanced fan-out consumers are not tried: a stream registers at most %d.",
			collectors.MaxConsumers, collectors.MaxConsumers))
	}
	polling, fanOut := sc.ConsumerApps()
	if n > maxMixed && polling > 0 && fanOut > 0 {
		v := variant{label: labelAsIs}
		for _, c := range sc.Consumers {
			v.kinds = append(v.kinds, c.Kind)
		}
		vs = append(vs, v)
	}
	return vs
}

// layoutsFor returns the candidate layouts: each shard count, then
// on-demand cold and warm (when peak is not nil: the workload's peak write
// throughput, the warm stream's previous peak), each with every consumer
// variant. Each layout's sets start with common, the overrides every
// layout shares.
func layoutsFor(base *scenarios.Scenario, shards []int, peak *onDemandPeak, common []string, notes *[]string) []*layout {
	vs := variants(base, notes)
	var out []*layout
	add := func(mode string, n int, warm *onDemandPeak) {
		for _, v := range vs {
			c := *base
			c.Stream.Mode, c.Stream.Shards = mode, n
			c.Consumers = slices.Clone(base.Consumers)
			sets := append(slices.Clone(common), "stream.mode="+mode)
			if mode == modeProvisioned {
				sets = append(sets, fmt.Sprintf("stream.shards=%d", n))
			}
			if mode == modeOnDemand {
				// Cold unless warm: the scenario's own previous peak is not
				// the layout's.
				var p onDemandPeak
				if warm != nil {
					p = *warm
				}
				c.Target.Sim.OnDemandPeakRecords, c.Target.Sim.OnDemandPeakBytes = p.records, p.bytes
				if p != (onDemandPeak{}) || base.Target.Sim.OnDemandPeakRecords != 0 || base.Target.Sim.OnDemandPeakBytes != 0 {
					sets = append(sets, fmt.Sprintf("target.sim.on_demand_peak_records=%g", p.records),
						fmt.Sprintf("target.sim.on_demand_peak_bytes=%d", p.bytes))
				}
			}
			for i := range c.Consumers {
				if c.Consumers[i].Kind != v.kinds[i] {
					sets = append(sets, fmt.Sprintf("consumers[%d].kind=%s", i, v.kinds[i]))
				}
				setKind(&c.Consumers[i], v.kinds[i])
			}
			name := fmt.Sprintf("%d shards", n)
			if n == 1 {
				name = "1 shard"
			}
			if mode == modeOnDemand {
				name = "on-demand (cold)"
				if warm != nil {
					name = "on-demand (warm)"
				}
			}
			if len(vs) > 1 {
				name += ", " + v.label
			}
			out = append(out, &layout{name: name, consumers: v.label, sets: sets, sc: &c})
		}
	}
	for _, n := range shards {
		add(modeProvisioned, n, nil)
	}
	if peak != nil {
		add(modeOnDemand, base.Stream.Shards, nil)
		add(modeOnDemand, base.Stream.Shards, peak)
		cfg := base.Target.Sim
		cfg.OnDemandPeakRecords, cfg.OnDemandPeakBytes = peak.records, peak.bytes
		n, recs, bytes := cfg.OnDemandStart()
		*notes = append(*notes, "On-demand is tried cold and warm. Cold starts as a new on-demand stream does: 4,000 records/s and 4 MiB/s "+
			"over 4 shards, growing each second to twice what it accepted; its throttling is that of the first seconds of a new stream. "+
			fmt.Sprintf("Warm is a stream whose previous peak (AWS sizes on-demand streams for twice the peak of the last 30 days) was this workload's, %s Kinesis records/s and %s/s: ",
				rate(peak.records), bytesText(float64(peak.bytes)))+
			fmt.Sprintf("it starts at twice that, %s records/s and %s/s, over %s, as many as that takes at a provisioned shard's quotas (kbench's assumption: AWS does not say how many shards it gives a warm stream). ",
				rate(recs), bytesText(bytes), textfmt.Plural(n, "shard"))+
			"Both cost the same: on-demand bills stream-hours and data, not shards.")
	}
	return out
}

// onDemandPeak is a warm on-demand stream's previous peak write
// throughput: Kinesis records and bytes per second.
type onDemandPeak struct {
	records float64
	bytes   int64
}

// Stream modes.
const (
	modeProvisioned = "provisioned"
	modeOnDemand    = "on-demand"
)

// setKind switches c to kind, with the default poll interval when it
// starts to poll.
func setKind(c *scenarios.Consumer, kind string) {
	if c.Kind == kind {
		return
	}
	c.Kind = kind
	c.PollInterval = 0
	if kind == collectors.KindPolling {
		c.PollInterval = collectors.DefaultPollInterval
	}
}

// fitProducers makes sure sc's producers can send its rate, so that the
// plan sizes the stream and not the producers: it runs the workload with
// options mo and the quotas off on shards shards and, while the producers fall short,
// multiplies every producer's instances. It returns a note saying what it
// changed ("" when nothing).
func fitProducers(ctx context.Context, sc *scenarios.Scenario, mo model.Options, shards int) (string, error) {
	before := fleet(sc)
	factor := 1
	var share float64
	for range 3 {
		probe := *sc
		probe.Stream.Mode, probe.Stream.Shards = modeProvisioned, shards
		probe.Target.Sim.Quotas = sim.QuotasOff
		probe.Warmup, probe.Duration, probe.Drain = 0, 4*time.Second, 2*time.Second
		probe.Events = slices.DeleteFunc(slices.Clone(sc.Events), func(ev scenarios.Event) bool { return ev.At >= probe.Duration })
		res, err := model.Run(ctx, &probe, mo)
		if err != nil {
			return "", err
		}
		t := res.Summary.Totals
		if t.Scheduled == 0 {
			return "", nil
		}
		share = float64(t.Acked) / float64(t.Scheduled)
		if share >= 0.98 {
			break
		}
		f := min(int(math.Ceil(1.25/max(share, 0.01))), 64)
		factor *= f
		for i := range sc.Producers {
			sc.Producers[i].Concurrency *= f
		}
	}
	if factor == 1 {
		return "", nil
	}
	note := fmt.Sprintf("The scenario's producers (%s) cannot send the rate on the model even with the quotas off, "+
		"so the plan runs %d times as many instances (%s) and sizes the stream, not the producers; --keep-producers plans with the scenario's fleet.",
		strings.Join(before, "; "), factor, strings.Join(fleet(sc), "; "))
	if share < 0.98 {
		note += fmt.Sprintf(" Even so they sent only %s of the schedule.", pct(share))
	}
	return note, nil
}

// fleet describes each producer's instances and calls in flight.
func fleet(sc *scenarios.Scenario) []string {
	var out []string
	for _, p := range sc.Producers {
		out = append(out, fmt.Sprintf("%s: %d instance(s) × %d calls in flight, batches of up to %d records",
			p.Name, p.Concurrency, p.InFlight, p.Batch.MaxRecords))
	}
	return out
}

// keysText describes the producers' partition keys.
func keysText(sc *scenarios.Scenario) string {
	var parts []string
	for _, p := range sc.Producers {
		var s string
		switch p.PartitionKey {
		case "zipf":
			s = fmt.Sprintf("zipf(%g) over %s keys", p.Keys.Skew, textfmt.Int(int64(p.Keys.HotKeys)))
		case "random":
			s = "uniform over 65,536 random keys"
		case "fixed":
			s = "one fixed key"
		case "entity":
			s = "the " + p.Generator + " generator's entities"
		default:
			s = p.PartitionKey
		}
		if len(sc.Producers) > 1 {
			s = p.Name + ": " + s
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// judge turns a layout's model run into its line of the plan. w is the
// sampled workload, avgRPS the rate billed, meanBytes the mean record size.
// maxUse is the most of its quota the hottest shard may be offered.
func (l *layout) judge(w *model.Workload, avgRPS, meanBytes float64, base *scenarios.Scenario, maxUse float64) results.PlanLayout {
	sc := l.sc
	pl := results.PlanLayout{Name: l.name, Mode: sc.Stream.Mode, Consumers: l.consumers, Sets: l.sets, OnTimeRatio: 1}
	onDemand := sc.Stream.Mode == modeOnDemand
	if !onDemand {
		pl.Shards = sc.Stream.Shards
		pl.HotUse = HotUse(w, pl.Shards)
		recs, bytes := w.Sent(pl.Shards)
		pl.MeanUse = max(recs/float64(pl.Shards)/model.ShardWriteRecords, bytes/float64(pl.Shards)/model.ShardWriteBytes)
	}
	polling, fanOut := sc.ConsumerApps()
	// Kinesis bills Kinesis records: aggregated, fewer and larger ones.
	records, avgBytes := avgRPS*3600, meanBytes
	if recs, bytes := w.Sent(max(pl.Shards, 1)); recs > 0 && w.PeakRate() > 0 {
		records *= recs / w.PeakRate()
		avgBytes = bytes / recs
	}
	rc := targets.EstimateRun(targets.RunPlan{
		Shards: pl.Shards, OnDemand: onDemand, Duration: time.Hour, Records: int64(math.Round(records)),
		AvgRecordBytes: int(math.Round(avgBytes)), PollingConsumers: polling, FanOutConsumers: fanOut,
	})
	pl.USDPerHour, pl.USDPerMonth = rc.TotalUSD, rc.TotalUSD*results.HoursPerMonth
	for _, it := range rc.Items {
		pl.Cost = append(pl.Cost, results.PlanCostItem{What: it.What, Quantity: it.Quantity, PriceUSD: it.Price, USD: it.USD})
	}
	if l.err != nil {
		pl.Error = l.err.Error()
		pl.Miss = "the model could not run it: " + pl.Error
		return pl
	}
	s := l.res.Summary
	secs := sc.Duration.Seconds()
	pl.TargetRPS = float64(s.Totals.Scheduled) / secs
	pl.AckedRPS = float64(s.Totals.Acked) / secs
	pl.ThrottleRatio = s.ThrottleRatio
	pl.HotShard = hotShard(s.PerShard)
	for _, c := range s.Consumers {
		e := c.Latency["e2e"]
		if e.Count > 0 {
			pl.Measured = true
			pl.E2EP50MS, pl.E2EP99MS = max(pl.E2EP50MS, e.P50), max(pl.E2EP99MS, e.P99)
		}
		if c.Deadline != nil {
			pl.OnTimeRatio = min(pl.OnTimeRatio, c.Deadline.OnTimeRatio)
		}
	}
	pl.Verdict = s.Verdict
	for _, t := range s.Thresholds {
		if !t.OK {
			pl.Failed = append(pl.Failed, t.Expr)
		}
	}
	pl.Miss = miss(&pl, base, maxUse)
	pl.Meets = pl.Miss == ""
	return pl
}

// miss says why pl does not meet the workload's needs ("" when it does):
// under 1% of writes throttled, the hottest shard offered at most maxUse of
// its quota, 99% of the rate acknowledged, 99% on time when there is a
// deadline (unless a threshold judges that itself), and the scenario's
// thresholds.
func miss(pl *results.PlanLayout, sc *scenarios.Scenario, maxUse float64) string {
	var why []string
	if pl.ThrottleRatio >= maxThrottle {
		why = append(why, pct(pl.ThrottleRatio)+" of writes throttled")
	}
	if pl.Shards > 0 && pl.HotUse > maxUse {
		why = append(why, fmt.Sprintf("the hottest shard is offered %s of its quota (at most %s leaves headroom)", pct(pl.HotUse), pct(maxUse)))
	}
	if pl.AckedRPS < minAcked*pl.TargetRPS {
		why = append(why, fmt.Sprintf("%s of %s records/s acknowledged", rate(pl.AckedRPS), rate(pl.TargetRPS)))
	}
	judged := slices.ContainsFunc(sc.Thresholds, func(t string) bool { return strings.Contains(t, "on_time_ratio") })
	if sc.Deadline > 0 && !judged && pl.OnTimeRatio < minOnTime {
		why = append(why, fmt.Sprintf("%s on time within %s", pct(pl.OnTimeRatio), sc.Deadline))
	}
	if len(pl.Failed) > 0 {
		why = append(why, "thresholds fail: "+strings.Join(pl.Failed, ", "))
	}
	return strings.Join(why, "; ")
}

// hotShard is the open shard nearest one of its write quotas.
func hotShard(shards []results.ShardStats) *results.PlanShard {
	var hot *results.PlanShard
	for _, sh := range shards {
		if sh.Closed {
			continue
		}
		if hot == nil || max(sh.RecordQuotaUse, sh.ByteQuotaUse) > max(hot.RecordQuotaUse, hot.ByteQuotaUse) {
			hot = &results.PlanShard{ShardID: sh.ShardID, RecordsPerS: sh.RecordsPerS, KinesisRecordsPerS: sh.KinesisRecordsPerS,
				BytesPerS: sh.BytesPerS, RecordQuotaUse: sh.RecordQuotaUse, ByteQuotaUse: sh.ByteQuotaUse, Binding: sh.Binding}
		}
	}
	return hot
}
