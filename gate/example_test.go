package gate_test

import (
	"fmt"

	"github.com/kbench/kbench/gate"
	"github.com/kbench/kbench/results"
)

// A run's summary is judged against the scenario's thresholds; CI gates read
// the verdict and the same dotted metric paths.
func ExampleJudge() {
	s := &results.Summary{
		SchemaVersion: results.SchemaVersion,
		Totals:        results.Totals{Produced: 1000, Acked: 1000, Consumed: 998, Lost: 2},
		Latency:       map[string]results.LatencyStats{"e2e": {Count: 998, P99: 312.5}},
		PerShard:      []results.ShardStats{{ShardID: "shardId-000000000000", Records: 600, Throttled: 7}, {ShardID: "shardId-000000000001", Records: 400}},
	}
	gate.Judge(s, []string{"latency.e2e.p99_ms < 500", "totals.lost == 0", "per_shard.max_throttled <= 10"})
	for _, t := range s.Thresholds {
		fmt.Printf("%-30s value %-6v ok %v\n", t.Expr, t.Value, t.OK)
	}
	fmt.Println("verdict:", s.Verdict)
	imbalance, _ := s.Lookup("per_shard.imbalance")
	fmt.Printf("hot shard carries %.1fx the mean\n", imbalance)
	// Output:
	// latency.e2e.p99_ms < 500       value 312.5  ok true
	// totals.lost == 0               value 2      ok false
	// per_shard.max_throttled <= 10  value 7      ok true
	// verdict: fail
	// hot shard carries 1.2x the mean
}
