package results_test

import (
	"fmt"

	"github.com/kbench/kbench/results"
)

// Thresholds and gates name a number of summary.json by its dotted path;
// consumer applications are also found by name, and a few metrics are
// derived, such as the shard imbalance.
func ExampleSummary_Lookup() {
	s := &results.Summary{
		Latency:   map[string]results.LatencyStats{"e2e": {Count: 998, P99: 312.5}},
		PerShard:  []results.ShardStats{{ShardID: "shardId-000000000000", Records: 600}, {ShardID: "shardId-000000000001", Records: 400}},
		Consumers: []results.ConsumerStats{{Name: "fraud-detector", Lost: 2}},
	}
	for _, m := range []string{"latency.e2e.p99_ms", "consumers.fraud-detector.lost", "per_shard.imbalance", "latency.e2e.p98_ms"} {
		v, ok := s.Lookup(m)
		fmt.Println(m, v, ok)
	}
	// Output:
	// latency.e2e.p99_ms 312.5 true
	// consumers.fraud-detector.lost 2 true
	// per_shard.imbalance 1.2 true
	// latency.e2e.p98_ms 0 false
}
