package runner

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/kbench/kbench/collectors"
	"github.com/kbench/kbench/gate"
	"github.com/kbench/kbench/generators"
	"github.com/kbench/kbench/latency"
	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/scenarios"
	"github.com/kbench/kbench/targets"
)

// summary turns what the run recorded into summary.json's shape and judges
// the scenario's thresholds.
func (r *run) summary(started time.Time, smp *sampler) *results.Summary {
	sc, m := r.sc, r.m
	consumers := 0
	for _, c := range sc.Consumers {
		consumers += c.Count
	}
	s := &results.Summary{
		SchemaVersion: results.SchemaVersion,
		RunID:         fmt.Sprintf("%016x", r.runID),
		Scenario:      sc.Resolved(),
		Target: results.TargetInfo{Kind: r.o.Target.Kind, Endpoint: r.o.Target.Endpoint, Region: r.o.Target.Region,
			MemoryBudget: r.o.Target.MemoryBudget, LatencyProfile: latencyInfo(r.o.Target.Latency)},
		Config: results.RunInfo{
			Name: sc.Name, Cell: sc.Cell, Shards: sc.Stream.Shards, Stream: sc.Stream.Name,
			Producers: r.producers, Consumers: consumers,
			DurationS: sc.Duration.Seconds(), WarmupS: sc.Warmup.Seconds(), DrainS: sc.Drain.Seconds(),
			DeadlineMS: float64(sc.Deadline) / 1e6,
			StartedAt:  started.UTC(), EndedAt: time.Now().UTC(),
			Host: hostName(), GoVersion: runtime.Version(), KbenchVersion: r.o.Version,
			Notes: []string{"producers and collectors ran in one process on one clock: end-to-end latency has no clock-offset error"},
		},
		Latency: map[string]results.LatencyStats{},
		Errors:  r.errs,
	}
	var lost, unread, failedDelivered int64
	for i, t := range r.trackers {
		cs := r.consumerStats(i, t, smp)
		s.Consumers = append(s.Consumers, cs)
		lost, unread = max(lost, cs.Lost), max(unread, cs.Unread)
		if i == 0 {
			failedDelivered = cs.FailedDelivered
		}
	}
	s.Totals = results.Totals{
		Produced: m.Produced.Load(), Acked: m.Acked.Load(), Failed: m.Failed.Load(),
		FailedByReason: m.FailReasons(), Unsent: m.Unsent.Load(), UnsentByCause: m.UnsentCauses(), Late: m.Late.Load(),
		Throttled: m.Throttled.Load(), Retried: m.Retried.Load(), Calls: m.Calls.Load(),
		CallErrors: m.CallErrors.Load(), Consumed: m.Consumed.Load(), Lost: lost, Unread: unread,
		FailedDelivered: failedDelivered,
		Duplicates:      m.Duplicates.Load(), Foreign: m.Foreign.Load(),
		GetRecordsCalls: m.GetRecordsCalls.Load(), GetThrottled: m.GetThrottled.Load(),
	}
	s.Totals.Scheduled = s.Totals.Acked + s.Totals.Failed + s.Totals.Unsent

	if len(r.trackers) > 0 {
		s.Totals.Order = orderStats(&m.OrderCounts, r.trackers[0])
	}
	for _, l := range m.Latencies() {
		s.Latency[l.Name()] = results.LatencyFrom(l.Total())
	}

	s.Throughput = results.ThroughputOf(smp.rows)

	if len(r.apps) > 0 {
		s.Deadline = r.deadlineStats(r.apps[0], m.E2E.Total())
	}
	if answered := s.Totals.Throttled + s.Totals.Acked; answered > 0 {
		s.ThrottleRatio = float64(s.Totals.Throttled) / float64(answered)
	}

	for _, id := range m.ShardIDs() {
		c := m.Shard(id)
		st := results.ShardStats{ShardID: id, Records: c.Records.Load(), Bytes: c.Bytes.Load(),
			Throttled: c.Throttled.Load(), Consumed: c.Consumed.Load(),
			OutOfOrder: c.OutOfOrder.Load(), OutOfOrderKeys: c.OutOfOrderKeys.Load(),
			OutOfOrderMaxDisplacement: c.MaxDisplacement.Load()}
		// Over the time the shard was written to, at least a second: a
		// parent closed by resharding, or a child opened by it, carries
		// records for part of the run only.
		secs := max(c.Written(), time.Second).Seconds()
		st.RecordsPerS = float64(st.Records) / secs
		st.BytesPerS = float64(st.Bytes) / secs
		if answered := st.Records + st.Throttled; answered > 0 {
			st.ThrottleRatio = float64(st.Throttled) / float64(answered)
		}
		if len(r.apps) > 0 {
			st.E2E = results.LatencyFrom(r.apps[0].Shard(id).E2E.Total())
		}
		st.Closed = !r.shards.open(id)
		s.PerShard = append(s.PerShard, st)
	}
	if r.app != nil {
		s.Destinations = r.destinationStats(r.app)
		switch {
		case r.app.proc != nil:
			s.Application = r.app.proc.info()
		case r.o.Worker.leader():
			s.Application = &results.ApplicationInfo{External: true}
		default: // worker 0 of a distributed run started it
			s.Application = &results.ApplicationInfo{External: r.sc.Application.External}
		}
	}
	s.Events = r.events.results()
	r.packSummary(s)
	s.Bottleneck = r.bottleneck(smp, s)
	r.recordBytesSummary(s)
	slices.SortStableFunc(s.Events, func(a, b results.EventResult) int { return cmp.Compare(a.AtS, b.AtS) })
	s.Cost = r.cost(s.Throughput)
	if w := r.o.Worker; w != nil {
		s.Worker = &results.WorkerInfo{Index: w.Index, Count: w.Count, StartAt: time.Unix(0, r.start).UTC(), Host: s.Config.Host, Clock: r.clock}
		s.Config.Notes[0] = fmt.Sprintf("worker %d of %d: this summary covers this worker's share of the producers' schedules and the shards "+
			"its consumers read; lost, unread and duplicates across workers, and the destinations' accounting, come from kbench merge", w.Index, w.Count)
	}

	if w := readQuotaWarning(sc); w != "" {
		s.Config.Notes = append(s.Config.Notes, w)
	}
	if n := m.E2E.Negative() + m.E2E.Clamped(); n > 0 {
		s.Config.Notes = append(s.Config.Notes, fmt.Sprintf("%d end-to-end values were outside the histogram range and were clamped", n))
	}
	gate.Judge(s, sc.Thresholds)
	return s
}

// consumerStats is consumer application i's own accounting.
func (r *run) consumerStats(i int, t *collectors.Tracker, smp *sampler) results.ConsumerStats {
	cs := r.consumers[i]
	app := r.apps[i]
	st := r.pollers[i].Stats()
	cs.Kind = r.pollers[i].Kind()
	cs.Fallback = app.Fallback()
	cs.Consumed, cs.Duplicates = t.Seen(), t.Duplicates()
	// Not seen: lost if the application read past them (it reached the tip
	// of every shard well after the last acknowledgement and had stopped
	// making progress), else unread (the run stopped early, or it was still
	// catching up).
	// A worker sees a part of the producers' records and a part of the
	// shards: kbench merge sets these across workers.
	if r.o.Worker == nil {
		readPast := st.TipAt > r.m.LastAck()+int64(ReadPastMargin)
		if missing := t.Lost(r.m); readPast && !(i < len(r.reading) && r.reading[i]) {
			cs.Lost = missing
		} else {
			cs.Unread = missing
		}
		cs.FailedDelivered = t.Unacked(r.m)
	}
	cs.Calls, cs.Throttled = st.Calls, st.Throttled
	cs.MillisBehindMax = smp.lagMax[i]
	cs.Checkpoints, cs.AtRiskMax = app.Checkpoints.Load(), app.AtRiskMax.Load()
	cs.ProcessingS = time.Duration(app.ProcessingBusy.Load()).Seconds()
	cs.Restarts, cs.Rewound = app.Restarts.Load(), app.Rewound.Load()
	cs.Order = orderStats(&app.OrderCounts, t)
	if smp.measureS > 0 {
		cs.ConsumedRPS = float64(smp.appMeasured[i]) / smp.measureS
	}
	cs.Latency = map[string]results.LatencyStats{}
	for _, l := range app.Latencies() {
		cs.Latency[l.Name()] = results.LatencyFrom(l.Total())
	}
	cs.Deadline = r.deadlineStats(app, app.E2E.Total())
	return cs
}

// ReadPastMargin is how long after the last acknowledged write a consumer
// must have been at the tip of every shard for the records it never saw to
// count as lost: room for the records to become readable (AWS: well under a
// second).
const ReadPastMargin = time.Second

// orderStats is one application's out-of-order accounting.
func orderStats(c *metrics.OrderCounts, t *collectors.Tracker) results.Order {
	return results.Order{
		OutOfOrder: c.OutOfOrder.Load(), OutOfOrderKeys: c.OutOfOrderKeys.Load(),
		OutOfOrderMaxDisplacement: c.MaxDisplacement.Load(),
		OutOfOrderExact:           t.OrderExact(), OutOfOrderKeyShare: t.OrderSampledShare(),
	}
}

// stalenessMultiples are the ages, as multiples of the deadline, at which
// the staleness distribution is reported.
var stalenessMultiples = []float64{0.25, 0.5, 1, 2, 4, 10}

// deadlineStats is an application's time value of data: on time against
// each record's deadline, by producer spec, and the staleness distribution
// from its e2e histogram. It is nil when no deadline is set.
func (r *run) deadlineStats(app *metrics.App, e2e *hdrhistogram.Histogram) *results.DeadlineStats {
	sc := r.sc
	set := sc.Deadline > 0
	for i := range sc.Producers {
		set = set || sc.ProducerDeadline(i) > 0
	}
	if !set {
		return nil
	}
	d := &results.DeadlineStats{DeadlineMS: float64(sc.Deadline) / 1e6, Measured: app.Measured.Load(), OnTime: app.OnTime.Load()}
	for id := range r.specOf {
		d.Scheduled += r.m.Scheduled(uint32(id))
	}
	if d.Scheduled > 0 {
		d.OnTimeRatio = float64(d.OnTime) / float64(d.Scheduled)
	}
	d.Staleness = Staleness(e2e, sc.Deadline, d.Scheduled)
	if len(sc.Producers) > 1 || sc.ProducerDeadline(0) != sc.Deadline {
		for i, p := range sc.Producers {
			pd := results.ProducerDeadline{Producer: p.Name, DeadlineMS: float64(sc.ProducerDeadline(i)) / 1e6}
			for id, spec := range r.specOf {
				if spec != i {
					continue
				}
				pd.Scheduled += r.m.Scheduled(uint32(id))
				if id < app.Producers() {
					c := app.Producer(uint32(id))
					pd.Measured += c.Measured.Load()
					pd.OnTime += c.OnTime.Load()
				}
			}
			if pd.Scheduled > 0 {
				pd.OnTimeRatio = float64(pd.OnTime) / float64(pd.Scheduled)
			}
			d.ByProducer = append(d.ByProducer, pd)
		}
	}
	return d
}

// Staleness is the staleness distribution of an application's end-to-end
// histogram against the scenario's deadline ref, as shares of the records
// scheduled; nil without a deadline or records.
func Staleness(e2e *hdrhistogram.Histogram, ref time.Duration, scheduled int64) []results.StalenessPoint {
	if ref <= 0 || e2e.TotalCount() == 0 || scheduled <= 0 {
		return nil
	}
	// Records never consumed are older than any age: they stay out of
	// every share's numerator.
	var out []results.StalenessPoint
	consumedShare := float64(e2e.TotalCount()) / float64(scheduled)
	for _, k := range stalenessMultiples {
		age := time.Duration(k * float64(ref))
		out = append(out, results.StalenessPoint{
			AgeMS: float64(age) / 1e6, Ratio: min(shareAtMost(e2e, int64(age))*consumedShare, 1),
		})
	}
	return out
}

// shareAtMost returns the share of h's values at most v, to the histogram's
// precision.
func shareAtMost(h *hdrhistogram.Histogram, v int64) float64 {
	var n int64
	for _, b := range h.Distribution() {
		if b.Count == 0 {
			continue
		}
		if b.To > v {
			break
		}
		n += b.Count
	}
	return float64(n) / float64(h.TotalCount())
}

// cost is what the measured acknowledged rate would cost per hour on AWS.
func (r *run) cost(tp results.Throughput) *results.CostStats {
	m := r.m
	return Cost(m.Acked.Load(), m.KinesisRecords.Load(), m.ProducedBytes.Load(), tp.AckedRPS, r.shards.Len(), r.sc.Stream.Mode == "on-demand")
}

// Cost is what acknowledging user records at ackedRPS would cost per hour
// on AWS, given the run's acknowledged user and Kinesis records, their
// bytes and the open shards; nil when nothing was acknowledged.
func Cost(acked, kinesis, ackedBytes int64, ackedRPS float64, shards int, onDemand bool) *results.CostStats {
	if acked == 0 || kinesis == 0 || ackedRPS <= 0 {
		return nil
	}
	// Kinesis bills Kinesis records: an aggregate of many user records
	// counts once, its size rounded up to 25 KB PUT payload units.
	avg := int(ackedBytes / kinesis)
	perHour := int64(ackedRPS * 3600)
	kinesisPerHour := int64(ackedRPS * 3600 * float64(kinesis) / float64(acked))
	c := targets.EstimateCost(shards, onDemand, time.Hour, kinesisPerHour, avg)
	cs := &results.CostStats{USDPerHour: c.TotalUSD, CapacityUSDPerHour: c.CapacityUSD, DataUSDPerHour: c.DataUSD}
	cs.USDPerMillionRecords = c.TotalUSD / (float64(perHour) / 1e6)
	cs.PutUnitsPerHour = c.PutUnits
	if perHour > 0 {
		cs.PutUnitsPerRecord = c.PutUnits / float64(perHour)
	}
	return cs
}

// getRecordsQuota is Kinesis's limit of GetRecords calls per second per
// shard, shared by every polling consumer application.
const getRecordsQuota = 5

// readQuotaWarning says when the scenario's polling applications together
// call GetRecords on each shard more often than the shard allows, so the
// throttled reads and the latency they add are expected, not a surprise.
// It is "" otherwise.
func readQuotaWarning(sc *scenarios.Scenario) string {
	var perShard float64
	for _, c := range sc.Consumers {
		if c.PollInterval > 0 { // only kinds that poll have one
			perShard += float64(c.Count) * float64(time.Second) / float64(c.PollInterval)
		}
	}
	if perShard <= getRecordsQuota {
		return ""
	}
	return fmt.Sprintf("the polling consumers call GetRecords %.3g times a second on each shard, over Kinesis's %d per shard: "+
		"expect throttled reads (totals.get_throttled) and the backoff in e2e latency; poll less often or use enhanced fan-out",
		perShard, getRecordsQuota)
}

// recordSizes merges each scenario producer's instances' record-size
// histograms, tagged with the producer's name, for record-bytes.hlog.
func (r *run) recordSizes() []*hdrhistogram.Histogram {
	if len(r.prods) == 0 {
		return nil
	}
	hists := make([]*hdrhistogram.Histogram, len(r.sc.Producers))
	for i, p := range r.sc.Producers {
		hists[i] = metrics.NewSizeHistogram()
		hists[i].SetTag(p.Name)
	}
	for id, p := range r.prods {
		if id < len(r.specOf) {
			hists[r.specOf[id]].Merge(p.RecordBytes())
		}
	}
	return hists
}

// recordBytesSummary adds each producer's generator, record format and
// record sizes to s.Producers (one per scenario producer, in order).
func (r *run) recordBytesSummary(s *results.Summary) {
	hists := r.recordSizes()
	for i, p := range r.sc.Producers {
		if i >= len(s.Producers) || s.Producers[i].Name != p.Name {
			return
		}
		ps := &s.Producers[i]
		ps.Generator, ps.Format = p.Generator, generators.RecordFormat(p.Options)
		if i < len(hists) {
			ps.RecordBytes = results.SizeFrom(hists[i])
		}
	}
}

// writeRecordBytes writes record-bytes.hlog: one histogram of record sizes
// (bytes) per scenario producer, tagged with its name, covering the run.
func (r *run) writeRecordBytes(start, end time.Time) error {
	hists := r.recordSizes()
	if len(hists) == 0 {
		return nil
	}
	f, err := os.Create(filepath.Join(r.o.OutDir, results.RecordBytesFile))
	if err != nil {
		return fmt.Errorf("runner: %w", err)
	}
	w, err := results.NewHlogWriter(f, start)
	for _, h := range hists {
		if err == nil {
			err = w.Write(h, start, end)
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// latencyInfo describes a target's latency profile for summary.json; nil
// when the target has none.
func latencyInfo(p *latency.Profile) *results.LatencyProfileInfo {
	if p == nil {
		return nil
	}
	return &results.LatencyProfileInfo{
		Name: p.Name, Source: p.Source,
		Put: p.Put.String(), Propagation: p.Propagation.String(), FanOut: p.FanOut.String(),
		Assumptions: p.Assumptions,
	}
}
