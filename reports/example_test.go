package reports_test

import (
	"os"

	"github.com/kbench/kbench/gate"
	"github.com/kbench/kbench/reports"
	"github.com/kbench/kbench/results"
)

// WriteText prints the end-of-run summary for the terminal.
func ExampleWriteText() {
	s := &results.Summary{
		Config:     results.RunInfo{Name: "iot-burst", Shards: 1, DurationS: 30},
		Target:     results.TargetInfo{Kind: "sim"},
		Totals:     results.Totals{Produced: 30000, Acked: 30000, Consumed: 30000},
		Throughput: results.Throughput{TargetRPS: 1000, ProducedRPS: 1000, AckedRPS: 1000, ConsumedRPS: 1000},
	}
	gate.Judge(s, nil)
	reports.WriteText(os.Stdout, s)
	// Output:
	// kbench iot-burst: PASS
	//   target sim, 1 shard, 30s measured
	//   records    produced 30,000  acked 30,000    failed 0      unsent 0
	//              consumed 30,000  lost 0          duplicates 0  throttled 0
	//   records/s  target 1,000     produced 1,000  acked 1,000   consumed 1,000
	//   bytes/s    in 0 B/s, out 0 B/s
	//   throttle ratio 0.00% (0 of 30,000 write attempts)
}
