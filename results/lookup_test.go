package results_test

import (
	"math"
	"testing"

	"github.com/kbench/kbench/internal/resultstest"
	"github.com/kbench/kbench/results"
)

func TestLookup(t *testing.T) {
	s := resultstest.Summary()
	// As gate.Judge leaves it: totals.lost is 1, so the threshold fails.
	s.Thresholds = []results.ThresholdResult{{Expr: "totals.lost == 0", Value: 1}}
	s.Verdict = results.VerdictFail
	tests := []struct {
		metric string
		want   float64
		ok     bool
	}{
		{"schema_version", 2, true},
		{"totals.produced", 100, true},
		{"totals.lost", 1, true},
		{"totals.failed_by_reason.InternalFailure", 2, true},
		{"latency.e2e.p99_ms", 450.125, true},
		{"latency.put.count", 98, true},
		{"latency.e2e_uncorrected.max_ms", 490, true},
		{"throughput.consumed_rps", 9.7, true},
		{"throughput.produced_bytes_per_s", 3000, true},
		{"deadline.on_time_ratio", 95.0 / 97, true},
		{"deadline.deadline_ms", 500, true},
		{"config.shards", 2, true},
		{"config.duration_s", 10, true},
		{"scenario.stream.shards", 2, true},
		{"per_shard.0.records", 60, true},
		{"per_shard.1.throttled", 0, true},
		{"thresholds.0.ok", 0, true},
		{"thresholds.0.value", 1, true},
		// Derived.
		{"per_shard.count", 2, true},
		{"per_shard.max_throttled", 5, true},
		{"per_shard.min_records", 38, true},
		{"per_shard.sum_records", 98, true},
		{"per_shard.mean_records", 49, true},
		{"per_shard.imbalance", 60.0 / 49, true},
		{"throughput.acked_ratio", 0.98, true},
		{"thresholds.failed", 1, true},
		// Unknown or not numeric.
		{"latency.nope.p99_ms", 0, false},
		{"verdict", 0, false},
		{"run_id", 0, false},
		{"totals", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.metric, func(t *testing.T) {
			got, ok := s.Lookup(tt.metric)
			if ok != tt.ok || math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("Lookup(%q) = %v, %v; want %v, %v", tt.metric, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestLookupNoShardsNoTarget(t *testing.T) {
	s := &results.Summary{}
	for _, m := range []string{"per_shard.imbalance", "throughput.acked_ratio", "per_shard.count"} {
		if v, ok := s.Lookup(m); !ok || v != 0 {
			t.Errorf("Lookup(%q) = %v, %v; want 0, true", m, v, ok)
		}
	}
	if _, ok := s.Lookup("per_shard.max_records"); ok {
		t.Error("per_shard.max_records should be unknown without shards")
	}
}

func BenchmarkLookup(b *testing.B) {
	s := resultstest.Summary()
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := s.Lookup("latency.e2e.p99_ms"); !ok {
			b.Fatal("missing")
		}
	}
}

func TestLookupByName(t *testing.T) {
	s := &results.Summary{
		Consumers: []results.ConsumerStats{
			{Name: "fraud", Latency: map[string]results.LatencyStats{"e2e": {P99: 80}}},
			{Name: "lake", Latency: map[string]results.LatencyStats{"e2e": {P99: 900}},
				Deadline: &results.DeadlineStats{ByProducer: []results.ProducerDeadline{{Producer: "iot", OnTimeRatio: 0.5}}}},
		},
		Deadline: &results.DeadlineStats{ByProducer: []results.ProducerDeadline{{Producer: "payments", OnTimeRatio: 0.25}}},
	}
	for metric, want := range map[string]float64{
		"consumers.fraud.latency.e2e.p99_ms":                    80,
		"consumers.1.latency.e2e.p99_ms":                        900,
		"consumers.lake.latency.e2e.p99_ms":                     900,
		"deadline.by_producer.payments.on_time_ratio":           0.25,
		"consumers.lake.deadline.by_producer.iot.on_time_ratio": 0.5,
	} {
		if v, ok := s.Lookup(metric); !ok || v != want {
			t.Errorf("Lookup(%q) = %v, %v; want %v", metric, v, ok, want)
		}
	}
}

func TestKnownMetric(t *testing.T) {
	for metric, want := range map[string]bool{
		"latency.e2e.p99_ms":                          true,
		"latency.e2e_uncorrected.p999_ms":             true,
		"latency.e2e.p99":                             false,
		"latency.nope.p99_ms":                         false,
		"totals.lost":                                 true,
		"totals.failed_by_reason.InternalFailure":     true,
		"throughput.consumed_rps":                     true,
		"deadline.on_time_ratio":                      true,
		"per_shard.max_throttled":                     true,
		"per_shard.3.records":                         true,
		"per_shard.x.records":                         false,
		"thresholds.failed":                           true,
		"throttle_ratio":                              true,
		"latency.send_to_arrival.p50_ms":              true,
		"latency.arrival_to_consumed.max_ms":          true,
		"per_shard.1.e2e.p99_ms":                      true,
		"consumers.fraud-detector.latency.e2e.p99_ms": true,
		"consumers.0.deadline.on_time_ratio":          true,
		"consumers.lake.at_risk_max":                  true,
		"consumers.lake.latency.put.p99_ms":           false,
		"destinations.alerts.latency.e2e.p99_ms":      true,
		"destinations.alerts.recall":                  true,
		"destinations.0.deadline.on_time_ratio":       true,
		"destinations.alerts.latency.put.p99_ms":      false,
		"deadline.by_producer.payments.on_time_ratio": true,
		"deadline.staleness.2.ratio":                  true,
		"cost.usd_per_hour":                           true,
		"events.0.ok":                                 true,
		"totals":                                      false,
		"":                                            false,
	} {
		if got := results.KnownMetric(metric); got != want {
			t.Errorf("KnownMetric(%q) = %v, want %v", metric, got, want)
		}
	}
}
