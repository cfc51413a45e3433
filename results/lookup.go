package results

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/kbench/kbench/metrics"
)

// Lookup resolves a dotted metric path against the summary, for thresholds
// and comparisons. Every numeric key of summary.json works under its JSON
// path: "latency.e2e.p99_ms", "totals.lost", "totals.failed_by_reason.InternalFailure",
// "throughput.consumed_rps", "deadline.on_time_ratio", "config.shards", and
// array elements by index, "per_shard.0.records". Consumer applications and
// producers are also found by name: "consumers.fraud-detector.latency.e2e.p99_ms",
// "destinations.alerts.recall",
// "deadline.by_producer.payments.on_time_ratio". Booleans read as 1 or 0.
//
// A few derived metrics are added:
//   - per_shard.count: the number of shards reported.
//   - per_shard.{max,min,sum,mean}_FIELD for every numeric shard field, e.g.
//     per_shard.max_throttled, per_shard.sum_records.
//   - per_shard.imbalance: max_records / mean_records (1 when records are
//     spread evenly; 0 when there are no records). A hot shard shows here.
//   - throughput.acked_ratio: acked_rps / target_rps (0 without a target).
//   - thresholds.failed: the number of thresholds that failed or errored
//     (meaningful after Judge).
//
// It reports false for unknown paths and for non-numeric values.
func (s *Summary) Lookup(metric string) (float64, bool) {
	v, ok := s.Metrics()[metric]
	return v, ok
}

// Metrics returns every metric Lookup knows, by path: the summary's JSON
// encoding flattened into dotted paths, plus the derived metrics documented
// on Lookup. Lookup of several metrics is cheaper through one Metrics call.
func (s *Summary) Metrics() map[string]float64 {
	out := map[string]float64{}
	b, err := json.Marshal(s.normalized())
	if err != nil {
		return out // only non-finite floats fail to encode; nothing to look up then
	}
	var tree any
	if err := json.Unmarshal(b, &tree); err != nil {
		return out
	}
	flatten("", tree, out)
	// Consumer applications and producers by name as well as by index.
	if root, ok := tree.(map[string]any); ok {
		byName(root, "consumers", "name", "consumers", out)
		byName(root, "destinations", "name", "destinations", out)
		if d, ok := root["deadline"].(map[string]any); ok {
			byName(d, "by_producer", "producer", "deadline.by_producer", out)
		}
		if cs, ok := root["consumers"].([]any); ok {
			for _, c := range cs {
				if c, ok := c.(map[string]any); ok {
					if d, ok := c["deadline"].(map[string]any); ok {
						name, _ := c["name"].(string)
						byName(d, "by_producer", "producer", "consumers."+name+".deadline.by_producer", out)
					}
				}
			}
		}
	}

	fields := map[string][]float64{}
	for _, sh := range s.PerShard {
		for k, v := range map[string]float64{
			"records": float64(sh.Records), "bytes": float64(sh.Bytes), "throttled": float64(sh.Throttled),
			"consumed": float64(sh.Consumed), "records_per_s": sh.RecordsPerS, "bytes_per_s": sh.BytesPerS,
		} {
			fields[k] = append(fields[k], v)
		}
	}
	out["per_shard.count"] = float64(len(s.PerShard))
	for k, vs := range fields {
		mx, mn, sum := vs[0], vs[0], 0.0
		for _, v := range vs {
			mx, mn, sum = max(mx, v), min(mn, v), sum+v
		}
		out["per_shard.max_"+k] = mx
		out["per_shard.min_"+k] = mn
		out["per_shard.sum_"+k] = sum
		out["per_shard.mean_"+k] = sum / float64(len(vs))
	}
	out["per_shard.imbalance"] = 0
	if mean := out["per_shard.mean_records"]; mean > 0 {
		out["per_shard.imbalance"] = out["per_shard.max_records"] / mean
	}
	out["throughput.acked_ratio"] = 0
	if s.Throughput.TargetRPS > 0 {
		out["throughput.acked_ratio"] = s.Throughput.AckedRPS / s.Throughput.TargetRPS
	}
	failed := 0
	for _, t := range s.Thresholds {
		if !t.OK {
			failed++
		}
	}
	out["thresholds.failed"] = float64(failed)
	return out
}

// byName flattens the elements of the array parent[key] under
// prefix.NAME, NAME being each element's nameKey, so thresholds and gates can
// say "consumers.fraud-detector.latency.e2e.p99_ms".
func byName(parent map[string]any, key, nameKey, prefix string, out map[string]float64) {
	list, _ := parent[key].([]any)
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		if name, ok := m[nameKey].(string); ok && name != "" {
			flatten(prefix+"."+name, m, out)
		}
	}
}

// flatten adds every numeric or boolean leaf of a decoded JSON tree to out
// under its dotted path.
func flatten(prefix string, v any, out map[string]float64) {
	join := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	switch v := v.(type) {
	case map[string]any:
		for k, c := range v {
			flatten(join(k), c, out)
		}
	case []any:
		for i, c := range v {
			flatten(join(strconv.Itoa(i)), c, out)
		}
	case float64:
		out[prefix] = v
	case bool:
		out[prefix] = 0
		if v {
			out[prefix] = 1
		}
	}
}

// KnownMetric reports whether metric names a number that a run's summary can
// have, so a scenario's thresholds can be checked before the run starts.
// Latency metrics are known for the histograms kbench records; array
// elements by index, consumer applications and producers by name, and
// failure reasons by name are accepted in any form.
func KnownMetric(metric string) bool {
	if strings.HasPrefix(metric, "totals.failed_by_reason.") && len(metric) > len("totals.failed_by_reason.") {
		return true
	}
	parts := strings.Split(metric, ".")
	for i := 1; i < len(parts); i++ {
		switch parts[i-1] {
		case "per_shard", "staleness", "events":
			if _, err := strconv.Atoi(parts[i]); err == nil {
				parts[i] = "0"
			}
		case "consumers", "destinations":
			parts[i] = "x"
		case "by_producer":
			parts[i] = "p"
		}
	}
	lat := map[string]LatencyStats{}
	for _, name := range []string{metrics.LatPut, metrics.LatDelivery, metrics.LatE2E, metrics.LatE2EUncorrected,
		metrics.LatLateness, metrics.LatSendToArrival, metrics.LatArrivalToConsumed} {
		lat[name] = LatencyStats{}
	}
	deadline := func() *DeadlineStats {
		return &DeadlineStats{Staleness: []StalenessPoint{{}}, ByProducer: []ProducerDeadline{{Producer: "p"}}}
	}
	s := &Summary{
		Latency:  lat,
		Deadline: deadline(),
		PerShard: []ShardStats{{}},
		Consumers: []ConsumerStats{{Name: "x", Deadline: deadline(), Latency: map[string]LatencyStats{
			metrics.LatE2E: {}, metrics.LatE2EUncorrected: {}, metrics.LatArrivalToConsumed: {},
		}}},
		Destinations: []DestinationStats{{Name: "x", Deadline: &DestinationDeadline{}, Latency: map[string]LatencyStats{
			metrics.LatE2E: {}, metrics.LatE2EUncorrected: {}, "application": {},
		}}},
		Application: &ApplicationInfo{},
		Events:      []EventResult{{}},
		Cost:        &CostStats{},
	}
	_, ok := s.Lookup(strings.Join(parts, "."))
	return ok
}
