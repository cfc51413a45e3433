package reports_test

import (
	"fmt"
	"os"

	"github.com/kbench/kbench/reports"
)

// A run's summary is judged against the scenario's thresholds; CI gates read
// the verdict and the same dotted metric paths.
func ExampleSummary_Judge() {
	s := &reports.Summary{
		SchemaVersion: reports.SchemaVersion,
		Totals:        reports.Totals{Produced: 1000, Acked: 1000, Consumed: 998, Lost: 2},
		Latency:       map[string]reports.LatencyStats{"e2e": {Count: 998, P99: 312.5}},
		PerShard:      []reports.ShardStats{{ShardID: "shardId-000000000000", Records: 600, Throttled: 7}, {ShardID: "shardId-000000000001", Records: 400}},
	}
	s.Judge([]string{"latency.e2e.p99_ms < 500", "totals.lost == 0", "per_shard.max_throttled <= 10"})
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

// WriteText prints the end-of-run summary for the terminal.
func ExampleWriteText() {
	s := &reports.Summary{
		Config:     reports.RunInfo{Name: "iot-burst", Shards: 1, DurationS: 30},
		Target:     reports.TargetInfo{Kind: "sim"},
		Totals:     reports.Totals{Produced: 30000, Acked: 30000, Consumed: 30000},
		Throughput: reports.Throughput{TargetRPS: 1000, ProducedRPS: 1000, AckedRPS: 1000, ConsumedRPS: 1000},
	}
	s.Judge(nil)
	reports.WriteText(os.Stdout, s)
	// Output:
	// kbench iot-burst: PASS
	//   target sim, 1 shard, 30s measured
	//   records    produced 30,000  acked 30,000    failed 0     unsent 0
	//              consumed 30,000  lost 0          unread 0     duplicates 0  throttled 0
	//   records/s  target 1,000     produced 1,000  acked 1,000  consumed 1,000
	//   bytes/s    in 0 B/s, out 0 B/s
	//   throttle ratio 0.00% (0 of 30,000 write attempts)
}
