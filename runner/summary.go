package runner

import (
	"fmt"
	"runtime"
	"time"

	"github.com/kbench/kbench/reports"
)

// summary turns what the run recorded into summary.json's shape and judges
// the scenario's thresholds.
func (r *run) summary(started time.Time, smp *sampler) *reports.Summary {
	sc, m := r.sc, r.m
	consumers := 0
	for _, c := range sc.Consumers {
		consumers += c.Count
	}
	s := &reports.Summary{
		SchemaVersion: reports.SchemaVersion,
		RunID:         fmt.Sprintf("%016x", r.runID),
		Scenario:      sc.Resolved(),
		Target:        reports.TargetInfo{Kind: r.o.Target.Kind, Endpoint: r.o.Target.Endpoint, Region: r.o.Target.Region},
		Config: reports.RunInfo{
			Name: sc.Name, Cell: sc.Cell, Shards: sc.Stream.Shards, Stream: sc.Stream.Name,
			Producers: r.producers, Consumers: consumers,
			DurationS: sc.Duration.Seconds(), WarmupS: sc.Warmup.Seconds(), DrainS: sc.Drain.Seconds(),
			DeadlineMS: float64(sc.Deadline) / 1e6,
			StartedAt:  started.UTC(), EndedAt: time.Now().UTC(),
			Host: hostName(), GoVersion: runtime.Version(), KbenchVersion: r.o.Version,
			Notes: []string{"producers and collectors ran in one process on one clock: end-to-end latency has no clock-offset error"},
		},
		Latency: map[string]reports.LatencyStats{},
		Errors:  r.errs,
	}
	var lost int64
	for i, t := range r.trackers {
		cs := r.consumers[i]
		st := r.pollers[i].Stats()
		cs.Consumed, cs.Lost, cs.Duplicates = t.Seen(), t.Lost(m), t.Duplicates()
		cs.Calls, cs.Throttled = st.Calls, st.Throttled
		s.Consumers = append(s.Consumers, cs)
		lost = max(lost, cs.Lost)
	}
	s.Totals = reports.Totals{
		Produced: m.Produced.Load(), Acked: m.Acked.Load(), Failed: m.Failed.Load(),
		FailedByReason: m.FailReasons(), Unsent: m.Unsent.Load(), Late: m.Late.Load(),
		Throttled: m.Throttled.Load(), Retried: m.Retried.Load(), Calls: m.Calls.Load(),
		CallErrors: m.CallErrors.Load(), Consumed: m.Consumed.Load(), Lost: lost,
		Duplicates: m.Duplicates.Load(), Foreign: m.Foreign.Load(),
		GetRecordsCalls: m.GetRecordsCalls.Load(), GetThrottled: m.GetThrottled.Load(),
	}
	for _, l := range m.Latencies() {
		s.Latency[l.Name()] = reports.LatencyFrom(l.Total())
	}

	var measureS float64
	var tp reports.Throughput
	for _, row := range smp.rows {
		if row.Phase != "measure" {
			continue
		}
		measureS++
		tp.TargetRPS += row.TargetRPS
		tp.ProducedRPS += float64(row.Produced)
		tp.AckedRPS += float64(row.Acked)
		tp.ConsumedRPS += float64(row.Consumed)
		tp.ProducedBytesPerS += float64(row.AckedBytes)
		tp.ConsumedBytesPerS += float64(row.ConsumedBytes)
	}
	if measureS > 0 {
		tp.TargetRPS /= measureS
		tp.ProducedRPS /= measureS
		tp.AckedRPS /= measureS
		tp.ConsumedRPS /= measureS
		tp.ProducedBytesPerS /= measureS
		tp.ConsumedBytesPerS /= measureS
	}
	s.Throughput = tp

	if sc.Deadline > 0 {
		d := &reports.DeadlineStats{DeadlineMS: float64(sc.Deadline) / 1e6, Measured: m.Measured.Load(), OnTime: m.OnTime.Load()}
		if d.Measured > 0 {
			d.OnTimeRatio = float64(d.OnTime) / float64(d.Measured)
		}
		s.Deadline = d
	}

	secs := sc.Duration.Seconds()
	for _, id := range m.ShardIDs() {
		c := m.Shard(id)
		st := reports.ShardStats{ShardID: id, Records: c.Records.Load(), Bytes: c.Bytes.Load(),
			Throttled: c.Throttled.Load(), Consumed: c.Consumed.Load()}
		if secs > 0 {
			st.RecordsPerS = float64(st.Records) / secs
			st.BytesPerS = float64(st.Bytes) / secs
		}
		s.PerShard = append(s.PerShard, st)
	}

	if n := m.E2E.Negative() + m.E2E.Clamped(); n > 0 {
		s.Config.Notes = append(s.Config.Notes, fmt.Sprintf("%d end-to-end values were outside the histogram range and were clamped", n))
	}
	s.Judge(sc.Thresholds)
	return s
}
