package model

import (
	"fmt"
	"math"
	"runtime"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/kbench/kbench/gate"
	"github.com/kbench/kbench/latency"
	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/targets"
)

// KindModel is the model target's kind, as summary.json's target.kind.
const KindModel = "model"

// Note is the line every model summary carries in config.notes and every
// report shows as a banner.
const Note = "MODEL: these numbers are predicted by kbench's model of Kinesis (a simulated clock, no endpoint, no records sent), not measured; see docs/model.md"

// second closes the second ending at to: one timeseries row, and one
// interval of every histogram.
func (o *outputs) second(to int64) error {
	e := o.e
	from := o.last
	o.last = to
	wf, wt := e.start.Add(time.Duration(from)), e.start.Add(time.Duration(to))
	row := results.Row{
		Second: int(from / second), Phase: o.phase(from), Shards: len(e.open),
		Produced: int64(math.Round(o.sec.produced)), Acked: int64(math.Round(o.sec.acked)),
		Throttled: int64(math.Round(o.sec.throttled)), Failed: int64(math.Round(o.sec.failed)),
		AckedBytes: int64(math.Round(o.sec.ackedBytes)), AckedKinesis: int64(math.Round(o.sec.kinesis)),
	}
	var rate float64
	for _, p := range e.prods {
		rate += p.pacer.Rate(time.Duration(from)) * p.conc
		row.InFlight += int(math.Round((p.slots - p.free) * p.conc))
	}
	row.TargetRPS = rate
	if len(e.apps) > 0 {
		st := e.apps[0].st
		row.Consumed = int64(math.Round(st.sec.consumed))
		row.ConsumedBytes = int64(math.Round(st.sec.consumedBytes))
		row.Measured = int64(math.Round(st.sec.measured))
		row.OnTime = int64(math.Round(st.sec.onTime))
		row.E2EP50 = ms(st.e2e.iv.ValueAtQuantile(50))
		row.E2EP99 = ms(st.e2e.iv.ValueAtQuantile(99))
		row.E2EMax = ms(st.e2e.iv.Max())
		row.Backlog = int64(math.Round(o.total.acked - st.total.consumed))
		row.MillisBehind = e.apps[0].behindMax
	}
	for _, a := range e.apps {
		row.GetThrottled += int64(math.Round(a.st.sec.getThrottled))
	}
	row.PutP50 = ms(o.put.iv.ValueAtQuantile(50))
	row.PutP99 = ms(o.put.iv.ValueAtQuantile(99))
	o.rows = append(o.rows, row)
	o.sec = counts{}
	for _, h := range o.hists() {
		if err := h.rotate(wf, wt); err != nil {
			return fmt.Errorf("model: %s interval: %w", h.name, err)
		}
	}
	for _, a := range e.apps {
		a.st.sec = counts{}
		for _, h := range []*hist{a.st.e2e, a.st.e2eUnc, a.st.a2c} {
			if err := h.rotate(wf, wt); err != nil {
				return fmt.Errorf("model: %s interval: %w", h.name, err)
			}
		}
	}
	return nil
}

// hists are the run-level histograms besides the primary application's.
func (o *outputs) hists() []*hist {
	return []*hist{o.put, o.delivery, o.lateness, o.sendArr}
}

func (o *outputs) phase(t int64) string {
	switch {
	case t < o.e.warmup:
		return results.PhaseWarmup
	case t < o.e.duration:
		return results.PhaseMeasure
	}
	return results.PhaseDrain
}

func ms(ns int64) float64 { return math.Round(float64(ns)/1e3) / 1e3 }

func round(x float64) int64 { return int64(math.Round(x)) }

// result builds the run's summary and results.
func (e *engine) result(began time.Time) *Result {
	sc, o := e.sc, e.out
	s := &results.Summary{
		SchemaVersion: results.SchemaVersion,
		RunID:         fmt.Sprintf("model-%d", began.UnixNano()),
		Scenario:      sc.Resolved(),
		Target: results.TargetInfo{Kind: KindModel, LatencyProfile: profileInfo(e.profile),
			Model: &results.ModelInfo{StepMS: float64(e.step) / 1e6, Note: Note}},
		Config: results.RunInfo{
			Name: sc.Name, Cell: sc.Cell, Shards: sc.Stream.Shards, Stream: sc.Stream.Name,
			Consumers: len(e.apps), DurationS: sc.Duration.Seconds(), WarmupS: sc.Warmup.Seconds(),
			DrainS: sc.Drain.Seconds(), DeadlineMS: float64(sc.Deadline) / 1e6,
			StartedAt: e.start.UTC(), EndedAt: e.start.Add(time.Duration(o.ended)).UTC(),
			Host: "model", GoVersion: runtime.Version(), KbenchVersion: e.o.Version,
			Notes: []string{Note},
		},
		Latency: map[string]results.LatencyStats{},
		Events:  o.events,
	}
	for _, p := range sc.Producers {
		s.Config.Producers += p.Concurrency
	}
	if w := e.readOversubscribed(); w != "" {
		s.Config.Notes = append(s.Config.Notes, w)
	}
	t := &s.Totals
	t.Produced = round(o.total.produced)
	t.Acked = round(o.total.acked)
	t.KinesisRecords = round(o.total.kinesis)
	t.Failed = round(o.total.failed)
	t.FailedByReason = map[string]int64{}
	if t.Failed > 0 {
		t.FailedByReason["ProvisionedThroughputExceededException"] = t.Failed
	}
	t.Unsent = max(t.Produced-t.Acked-t.Failed, 0)
	t.UnsentByCause = map[string]int64{}
	if ng := min(round(o.notGen), t.Unsent); ng > 0 {
		t.UnsentByCause[metrics.UnsentNotGenerated] = ng
		t.Produced -= ng
	}
	if ov := t.Unsent - t.UnsentByCause[metrics.UnsentNotGenerated]; ov > 0 {
		t.UnsentByCause[metrics.UnsentOverrun] = ov
	}
	t.Scheduled = t.Acked + t.Failed + t.Unsent
	t.Late = round(o.late)
	t.Throttled = round(o.total.throttled)
	t.Retried = round(o.total.retried)
	t.Calls = round(o.calls)
	for _, h := range o.hists() {
		s.Latency[h.name] = results.LatencyFrom(h.total)
	}
	// Throttling is counted in Kinesis record attempts, the quota's unit.
	if answered := t.Throttled + t.KinesisRecords; answered > 0 {
		s.ThrottleRatio = float64(t.Throttled) / float64(answered)
	}
	for i, a := range e.apps {
		cs := e.consumerStats(a)
		s.Consumers = append(s.Consumers, cs)
		t.GetRecordsCalls += round(a.calls * boolf(!a.fanOut))
		t.GetThrottled += round(a.throttled)
		if i == 0 {
			t.Consumed = cs.Consumed
			t.Unread = cs.Unread
			for _, h := range []*hist{a.st.e2e, a.st.e2eUnc, a.st.a2c} {
				s.Latency[h.name] = results.LatencyFrom(h.total)
			}
			s.Deadline = cs.Deadline
		}
	}
	s.Throughput = results.ThroughputOf(e.out.rows)
	s.PerShard = e.perShard()
	s.Cost = e.cost(s.Throughput)
	for i, p := range e.prods {
		s.Producers = append(s.Producers, p.stats(sc.Producers[i].Generator, round(o.total.produced)))
	}
	s.Bottleneck = e.bottleneck(s)
	gate.Judge(s, sc.Thresholds)
	res := &Result{Summary: s, Rows: o.rows, Hlogs: map[string][]Interval{}, Start: e.start}
	for _, h := range o.allHists() {
		if !o.streamed && h.keep {
			res.Hlogs[h.name] = h.intervals
		}
	}
	for _, p := range e.prods {
		b, err := p.smp.sizes.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
		if err == nil {
			res.RecordBytes = append(res.RecordBytes, Interval{From: e.start, To: e.start.Add(time.Duration(o.ended)), Data: b})
		}
	}
	return res
}

// readOversubscribed warns when the polling applications together call
// GetRecords on a shard more often than its 5 calls/s: readers then
// throttle each other, and which of them varies from run to run, on the
// simulator as on Kinesis. When the others alone call more than 4 times a
// second (they leave less than a token a second), a throttled reader
// often comes back to spent tokens and backs off again and again: the
// model's e2e there is one outcome of many.
func (e *engine) readOversubscribed() string {
	var perShard float64
	least := math.Inf(1)
	for _, a := range e.apps {
		if !a.fanOut {
			r := float64(second) / float64(a.poll)
			perShard += r
			least = min(least, r)
		}
	}
	if perShard <= shardReadCalls {
		return ""
	}
	note := fmt.Sprintf("the polling applications call GetRecords %.3g times a second on each shard, over the %d allowed: "+
		"readers throttle each other and back off, and which application it hits varies from run to run; "+
		"read the slowest application's e2e, not the first's", perShard, shardReadCalls)
	if perShard-least > shardReadCalls-1 {
		note += fmt.Sprintf("; without any one of them the others still call %.3g times a second, so a throttled reader often comes back "+
			"to spent tokens and backs off again (1, 2, 4, 5 s): which application starves, and for how long, is chance, "+
			"and the model's e2e is one outcome of many, not validated against the simulator", perShard-least)
	}
	return note + " (docs/model.md)"
}

// profileInfo describes the latency profile the model ran with, as the
// simulator's runs describe theirs.
func profileInfo(p *latency.Profile) *results.LatencyProfileInfo {
	return &results.LatencyProfileInfo{
		Name: p.Name, Source: p.Source,
		Put: p.Put.String(), Propagation: p.Propagation.String(), FanOut: p.FanOut.String(),
		Assumptions: p.Assumptions,
	}
}

func boolf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// consumerStats is one application's accounting.
func (e *engine) consumerStats(a *app) results.ConsumerStats {
	st := a.st
	cs := results.ConsumerStats{
		Name: a.name, Kind: a.kind, Primary: a.primary,
		Consumed: round(st.total.consumed), Calls: round(a.calls), Throttled: round(a.throttled),
		MillisBehindMax: a.behindMax, ProcessingS: a.processing / 1e9,
		Latency: map[string]results.LatencyStats{},
	}
	if a.fanOut {
		cs.Calls = round(float64(len(e.shards)) * (1 + math.Floor(float64(e.out.ended)/float64(subscription))))
	}
	cs.Unread = max(round(e.out.total.acked)-cs.Consumed, 0)
	for _, h := range []*hist{st.e2e, st.e2eUnc, st.a2c} {
		cs.Latency[h.name] = results.LatencyFrom(h.total)
	}
	if e.out.measureSeconds() > 0 {
		cs.ConsumedRPS = e.out.measuredConsumed(a) / e.out.measureSeconds()
	}
	if e.sc.Deadline > 0 {
		d := &results.DeadlineStats{DeadlineMS: float64(e.sc.Deadline) / 1e6,
			Scheduled: round(e.out.scheduled), Measured: round(st.total.measured), OnTime: round(st.total.onTime)}
		if d.Scheduled > 0 {
			d.OnTimeRatio = float64(d.OnTime) / float64(d.Scheduled)
		}
		cs.Deadline = d
	}
	return cs
}

// throughput averages the measured window's rows.
func (o *outputs) measureSeconds() float64 {
	n := 0.0
	for _, r := range o.rows {
		if r.Phase == results.PhaseMeasure {
			n++
		}
	}
	return n
}

// measuredConsumed is what app a consumed in the measured window; only the
// primary's is in the rows, so the others are scaled by their totals.
func (o *outputs) measuredConsumed(a *app) float64 {
	var prim float64
	for _, r := range o.rows {
		if r.Phase == results.PhaseMeasure {
			prim += float64(r.Consumed)
		}
	}
	p := o.e.apps[0].st.total.consumed
	if p <= 0 {
		return 0
	}
	return prim * a.st.total.consumed / p
}

// perShard is every shard's counters.
func (e *engine) perShard() []results.ShardStats {
	out := make([]results.ShardStats, 0, len(e.shards))
	for _, sh := range e.shards {
		st := results.ShardStats{ShardID: sh.id, Records: round(sh.records), Bytes: round(sh.bytes),
			Throttled: round(sh.throttled), KinesisRecords: round(sh.kinesis), Closed: sh.closed}
		secs := max(time.Duration(sh.last-sh.first), time.Second).Seconds()
		st.RecordsPerS = float64(st.Records) / secs
		st.BytesPerS = float64(st.Bytes) / secs
		st.KinesisRecordsPerS = sh.kinesis / secs
		st.RecordQuotaUse = st.KinesisRecordsPerS / shardWriteRecords
		st.ByteQuotaUse = st.BytesPerS / shardWriteBytes
		st.Binding = "records"
		if st.ByteQuotaUse > st.RecordQuotaUse {
			st.Binding = "bytes"
		}
		if answered := st.KinesisRecords + st.Throttled; answered > 0 {
			st.ThrottleRatio = float64(st.Throttled) / float64(answered)
		}
		if len(e.apps) > 0 {
			st.Consumed = round(e.apps[0].st.shardConsumed[sh.idx])
			if h := e.apps[0].st.shardE2E[sh.idx]; h != nil {
				st.E2E = results.LatencyFrom(h)
			}
		}
		out = append(out, st)
	}
	return out
}

// cost is what the predicted acknowledged rate would cost per hour.
func (e *engine) cost(tp results.Throughput) *results.CostStats {
	o := e.out
	if o.total.acked <= 0 || tp.AckedRPS <= 0 {
		return nil
	}
	// Kinesis bills Kinesis records: an aggregate counts once, its size
	// rounded up to 25 KB PUT payload units.
	kin := max(o.total.kinesis, 1)
	avg := int(o.total.ackedBytes / kin)
	perHour := int64(tp.AckedRPS * 3600)
	kinPerHour := int64(tp.AckedRPS * 3600 * kin / o.total.acked)
	c := targets.EstimateCost(len(e.open), e.onDemand != nil, time.Hour, kinPerHour, avg)
	cs := &results.CostStats{USDPerHour: c.TotalUSD, CapacityUSDPerHour: c.CapacityUSD, DataUSDPerHour: c.DataUSD,
		USDPerMillionRecords: c.TotalUSD / (float64(perHour) / 1e6), PutUnitsPerHour: c.PutUnits}
	if perHour > 0 {
		cs.PutUnitsPerRecord = c.PutUnits / float64(perHour)
	}
	return cs
}

// bottleneck says what limited the modelled run, with the evidence: the
// share of call slots busy, the furthest a producer fell behind its
// schedule and how fast the unread backlog grew over the measured window.
func (e *engine) bottleneck(s *results.Summary) *results.Bottleneck {
	o := e.out
	b := &results.Bottleneck{Kind: results.BottleneckNone, Reason: "nothing held the modelled run back",
		ScheduleLagMS: float64(o.lagMax) / 1e6}
	if o.slotTime > 0 {
		b.InFlightRatio = o.busyTime / o.slotTime
	}
	var first, last *results.Row
	for i := range o.rows {
		if o.rows[i].Phase == results.PhaseMeasure {
			if first == nil {
				first = &o.rows[i]
			}
			last = &o.rows[i]
		}
	}
	if first != nil && last != first {
		b.BacklogGrowthRPS = float64(last.Backlog-first.Backlog) / float64(last.Second-first.Second)
	}
	switch {
	case s.ThrottleRatio > 0.01:
		b.Kind, b.Reason = results.BottleneckTarget, fmt.Sprintf("%.1f%% of record-attempts were throttled by the shards' write quota", 100*s.ThrottleRatio)
	case b.InFlightRatio > 0.9:
		b.Kind, b.Reason = results.BottleneckTarget, fmt.Sprintf("the producers' call slots were busy %.0f%% of the time", 100*b.InFlightRatio)
	case s.Totals.Unread > 0 || b.BacklogGrowthRPS > 0.01*s.Throughput.AckedRPS:
		b.Kind, b.Reason = results.BottleneckConsumer, "acknowledged records piled up unread"
	}
	return b
}
