package promexport

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kbench/kbench/sim"
)

// Sim collects a simulator's per-shard counters (sim.Server.Stats) at
// scrape time, labelled stream and shard. The counters of a deleted stream
// are gone with it, so its series end.
type Sim struct {
	stats func() sim.Stats
	descs []simDesc
}

// simDesc is one exported simulator metric and how to read it from a
// shard's counters.
type simDesc struct {
	desc  *prometheus.Desc
	kind  prometheus.ValueType
	value func(s *sim.ShardStats) int64
}

// NewSim returns a collector of the counters stats returns (a Server's
// Stats method); labels are added to every metric.
func NewSim(stats func() sim.Stats, labels prometheus.Labels) *Sim {
	c := &Sim{stats: stats}
	add := func(name, help string, kind prometheus.ValueType, value func(s *sim.ShardStats) int64) {
		c.descs = append(c.descs, simDesc{
			desc: prometheus.NewDesc(name, help, []string{"stream", "shard"}, labels), kind: kind, value: value})
	}
	counter, gauge := prometheus.CounterValue, prometheus.GaugeValue
	add("kbench_sim_records_accepted_total", "Records PutRecord(s) stored.", counter,
		func(s *sim.ShardStats) int64 { return s.RecordsAccepted })
	add("kbench_sim_bytes_accepted_total", "Data and partition-key bytes of the records stored.", counter,
		func(s *sim.ShardStats) int64 { return s.BytesAccepted })
	add("kbench_sim_records_throttled_total", "Records rejected by the shard's write quota.", counter,
		func(s *sim.ShardStats) int64 { return s.RecordsThrottled })
	add("kbench_sim_records_failed_total", "Records failed by the configured error rate.", counter,
		func(s *sim.ShardStats) int64 { return s.RecordsFailed })
	add("kbench_sim_get_records_calls_total", "GetRecords calls served.", counter,
		func(s *sim.ShardStats) int64 { return s.GetRecordsCalls })
	add("kbench_sim_get_records_throttled_total", "GetRecords calls refused by the shard's read quota.", counter,
		func(s *sim.ShardStats) int64 { return s.GetRecordsThrottled })
	add("kbench_sim_get_shard_iterator_throttled_total", "GetShardIterator calls refused by their quota.", counter,
		func(s *sim.ShardStats) int64 { return s.GetShardIteratorThrottled })
	add("kbench_sim_records_read_total", "Records sent by GetRecords and SubscribeToShard.", counter,
		func(s *sim.ShardStats) int64 { return s.RecordsRead })
	add("kbench_sim_bytes_read_total", "Bytes of the records sent by GetRecords and SubscribeToShard.", counter,
		func(s *sim.ShardStats) int64 { return s.BytesRead })
	add("kbench_sim_records_trimmed_total", "Records dropped by retention or the byte cap.", counter,
		func(s *sim.ShardStats) int64 { return s.RecordsTrimmed })
	add("kbench_sim_subscriptions_total", "SubscribeToShard calls that began streaming events.", counter,
		func(s *sim.ShardStats) int64 { return s.Subscriptions })
	add("kbench_sim_subscriptions_open", "SubscribeToShard subscriptions streaming now.", gauge,
		func(s *sim.ShardStats) int64 { return s.SubscriptionsOpen })
	add("kbench_sim_retained_records", "Records the shard holds now.", gauge,
		func(s *sim.ShardStats) int64 { return s.RetainedRecords })
	add("kbench_sim_retained_bytes", "Bytes of the records the shard holds now.", gauge,
		func(s *sim.ShardStats) int64 { return s.RetainedBytes })
	add("kbench_sim_shard_open", "1 while the shard is open, 0 once resharding closed it.", gauge,
		func(s *sim.ShardStats) int64 {
			if s.Open {
				return 1
			}
			return 0
		})
	return c
}

// Describe sends the descriptors of every simulator metric.
func (c *Sim) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d.desc
	}
}

// Collect sends every shard's counters, read in one snapshot.
func (c *Sim) Collect(ch chan<- prometheus.Metric) {
	for _, st := range c.stats().Streams {
		for i := range st.Shards {
			sh := &st.Shards[i]
			for _, d := range c.descs {
				ch <- constMetric(d.desc, d.kind, float64(d.value(sh)), st.StreamName, sh.ShardID)
			}
		}
	}
}
