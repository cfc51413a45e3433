package promexport

import (
	"maps"
	"slices"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/runner"
)

// Run collects the metrics of the run in progress (see runner.Live): the
// latest run handed to Observe, whose values stay on show after it ends,
// until the next one starts. Every metric carries the labels run_id and
// scenario, cell in a matrix, worker in a run split over workers, and the
// constant labels given to NewRun. It reads kbench's own counters and
// latency totals at scrape time and adds no work to the run.
type Run struct {
	labels prometheus.Labels
	cur    atomic.Pointer[runner.Live]
}

// NewRun returns a collector with no run yet; labels are added to every
// metric.
func NewRun(labels prometheus.Labels) *Run {
	return &Run{labels: maps.Clone(labels)}
}

// Observe makes l the run the collector shows. It can be passed as
// runner.Options.OnLive.
func (c *Run) Observe(l *runner.Live) { c.cur.Store(l) }

// Describe sends nothing: the labels of a run are known only once it
// starts, so Run is an unchecked collector.
func (c *Run) Describe(chan<- *prometheus.Desc) {}

// Collect sends the current run's metrics; nothing before the first run.
func (c *Run) Collect(ch chan<- prometheus.Metric) {
	l := c.cur.Load()
	if l == nil {
		return
	}
	labels := prometheus.Labels{"run_id": l.RunID, "scenario": l.Scenario}
	if l.Cell != "" {
		labels["cell"] = l.Cell
	}
	if l.Worker != "" {
		labels["worker"] = l.Worker
	}
	maps.Copy(labels, c.labels)
	e := emitter{ch: ch, labels: labels}
	m := l.Metrics

	ended := 0.0
	if l.Ended() {
		ended = 1
	}
	e.gauge("kbench_run_ended", "1 once the run has ended and every value is final (as in summary.json), else 0.", ended)
	e.gauge("kbench_run_start_time_seconds", "When the producers' schedule started, in seconds since the Unix epoch.",
		float64(l.Started.UnixNano())/1e9)
	e.producers(l)

	e.counter("kbench_records_late_total", "Records sent more than a pacer tick after their intended time, or never sent by the producers' cutoff.", m.Late.Load())
	e.counter("kbench_records_retried_total", "Record resends after a failed attempt.", m.Retried.Load())
	e.counter("kbench_records_duplicate_total", "Records consumed more than once, all consumer applications.", m.Duplicates.Load())
	e.counter("kbench_put_calls_total", "PutRecords calls made, retries included.", m.Calls.Load())
	e.counter("kbench_put_call_errors_total", "PutRecords calls that failed whole (transport, service error or throttling).", m.CallErrors.Load())
	e.counter("kbench_acked_bytes_total", "Bytes (data and partition key) of acknowledged records.", m.ProducedBytes.Load())
	e.gauge("kbench_put_calls_in_flight", "PutRecords calls in flight now.", float64(m.InFlight.Load()))
	e.gauge("kbench_schedule_lag_seconds", "How far behind its schedule the furthest-behind producer is now.", l.ScheduleLag().Seconds())
	e.gauge("kbench_shards", "Shards the stream has open now.", float64(l.Shards()))
	causes := m.UnsentCauses()
	for _, cause := range slices.Sorted(maps.Keys(causes)) {
		e.counter("kbench_records_unsent_total", "Records due but never sent, by cause.", causes[cause], "cause", cause)
	}
	backlog := int64(0)
	if len(l.Apps) > 0 {
		backlog = max(m.Acked.Load()-l.Apps[0].Consumed.Load(), 0)
	}
	e.gauge("kbench_backlog_records", "Records acknowledged but not yet consumed by the primary consumer application.", float64(backlog))

	e.histogram("kbench_put_latency_seconds", "PutRecords call latency, request to response (after warmup).", m.Put)
	e.histogram("kbench_delivery_latency_seconds", "Intended send time to acknowledged (after warmup).", m.Delivery)
	e.histogram("kbench_lateness_seconds", "Actual minus intended send time of each record's first attempt (after warmup).", m.Lateness)

	for _, a := range l.Apps {
		e.consumer(a)
	}
	for _, id := range m.ShardIDs() {
		e.shard(id, m.Shard(id))
	}
}

// emitter sends metrics with a run's constant labels.
type emitter struct {
	ch     chan<- prometheus.Metric
	labels prometheus.Labels
}

// desc builds a descriptor with the run's labels and the given variable
// label names.
func (e emitter) desc(name, help string, labelNames ...string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, labelNames, e.labels)
}

// labelNames and labelValuesOf split alternating label names and values.
func labelNames(kv []string) []string {
	var names []string
	for i := 0; i+1 < len(kv); i += 2 {
		names = append(names, kv[i])
	}
	return names
}

func labelValuesOf(kv []string) []string {
	var values []string
	for i := 1; i < len(kv); i += 2 {
		values = append(values, kv[i])
	}
	return values
}

func (e emitter) counter(name, help string, v int64, kv ...string) {
	e.constant(name, help, prometheus.CounterValue, float64(v), kv)
}

func (e emitter) gauge(name, help string, v float64, kv ...string) {
	e.constant(name, help, prometheus.GaugeValue, v, kv)
}

// constant sends one value; a metric that cannot be made (a bad label
// value) is sent as an invalid metric, which fails the scrape with its
// error rather than the run.
func (e emitter) constant(name, help string, kind prometheus.ValueType, v float64, kv []string) {
	e.ch <- constMetric(e.desc(name, help, labelNames(kv)...), kind, v, labelValuesOf(kv)...)
}

// constMetric is prometheus.NewConstMetric, with its error as an invalid
// metric.
func constMetric(desc *prometheus.Desc, kind prometheus.ValueType, v float64, labelValues ...string) prometheus.Metric {
	m, err := prometheus.NewConstMetric(desc, kind, v, labelValues...)
	if err != nil {
		return prometheus.NewInvalidMetric(desc, err)
	}
	return m
}

func (e emitter) histogram(name, help string, l *metrics.Latency, kv ...string) {
	e.ch <- newHDRMetric(e.desc(name, help, labelNames(kv)...), l.TotalSnapshot(), labelValuesOf(kv)...)
}

// producers sends the producer counters, each scenario producer's instances
// added up.
func (e emitter) producers(l *runner.Live) {
	type sums struct{ sent, acked, throttled, failed int64 }
	by := map[string]*sums{}
	var names []string
	for id, name := range l.Producers {
		p := l.Metrics.ByProducer(uint32(id))
		if p == nil {
			continue
		}
		s := by[name]
		if s == nil {
			s = new(sums)
			by[name] = s
			names = append(names, name)
		}
		s.sent += p.Produced.Load()
		s.acked += p.Acked.Load()
		s.throttled += p.Throttled.Load()
		s.failed += p.Failed.Load()
	}
	for _, name := range names {
		s := by[name]
		e.counter("kbench_records_sent_total", "Records generated and handed to the batcher (summary totals.produced).", s.sent, "producer", name)
		e.counter("kbench_records_acked_total", "Records the target acknowledged.", s.acked, "producer", name)
		e.counter("kbench_records_throttled_total", "Record attempts rejected for throughput (retries count again).", s.throttled, "producer", name)
		e.counter("kbench_records_failed_total", "Records given up on after their last attempt.", s.failed, "producer", name)
	}
}

// consumer sends one consumer application's metrics.
func (e emitter) consumer(a *metrics.App) {
	n := a.Name
	e.counter("kbench_records_consumed_total", "Distinct records of the run consumed.", a.Consumed.Load(), "consumer", n)
	e.counter("kbench_consumed_bytes_total", "Bytes (data and partition key) of the records consumed.", a.ConsumedBytes.Load(), "consumer", n)
	e.counter("kbench_records_measured_total", "Records whose end-to-end latency was recorded (after warmup).", a.Measured.Load(), "consumer", n)
	e.counter("kbench_records_on_time_total", "Measured records consumed within their deadline.", a.OnTime.Load(), "consumer", n)
	e.counter("kbench_read_calls_total", "Read calls: GetRecords, or SubscribeToShard for fan-out.", a.Calls.Load(), "consumer", n)
	e.counter("kbench_read_throttled_total", "Read calls rejected for throughput.", a.Throttled.Load(), "consumer", n)
	e.gauge("kbench_consumer_behind_latest_seconds", "Latest MillisBehindLatest, the largest over the shards read, in seconds.",
		float64(a.MillisBehind.Load())/1e3, "consumer", n)
	e.histogram("kbench_e2e_latency_seconds", "Intended send time to consumed, coordinated-omission corrected (after warmup).", a.E2E, "consumer", n)
	e.histogram("kbench_e2e_uncorrected_latency_seconds", "Actual send time to consumed (after warmup).", a.E2EUncorrected, "consumer", n)
}

// shard sends one shard's counters.
func (e emitter) shard(id string, s *metrics.ShardCounts) {
	e.counter("kbench_shard_records_acked_total", "Records acknowledged on the shard.", s.Records.Load(), "shard", id)
	e.counter("kbench_shard_acked_bytes_total", "Bytes of the records acknowledged on the shard.", s.Bytes.Load(), "shard", id)
	e.counter("kbench_shard_records_throttled_total", "Record attempts throttled on the shard.", s.Throttled.Load(), "shard", id)
	e.counter("kbench_shard_records_consumed_total", "Records the primary consumer application read from the shard.", s.Consumed.Load(), "shard", id)
}
