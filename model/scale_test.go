package model

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/kbench/kbench/scenarios"
)

// BenchmarkScale runs testdata/scale.yaml (1,000,000 records/s into
// 1,000 shards) for KBENCH_MODEL_SCALE_DURATION of simulated time (default
// 1 m; make bench sets 1 h) and reports the wall time per simulated hour
// and the peak heap.
func BenchmarkScale(b *testing.B) {
	d := os.Getenv("KBENCH_MODEL_SCALE_DURATION")
	if d == "" {
		d = "1m"
	}
	sc, err := scenarios.Load("testdata/scale.yaml", []string{"duration=" + d, "warmup=10s"})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		began := time.Now()
		res, err := Run(context.Background(), sc, Options{NoIntervals: true})
		if err != nil {
			b.Fatal(err)
		}
		el := time.Since(began)
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(el.Seconds()/sc.Duration.Hours(), "s/simulated-hour")
		b.ReportMetric(float64(ms.HeapSys)/(1<<20), "MiB-heap-sys")
		b.Logf("%s simulated in %v: acked %d, throttle ratio %.4f, e2e p99 %.0f ms",
			sc.Duration, el.Round(time.Millisecond), res.Summary.Totals.Acked, res.Summary.ThrottleRatio, res.Summary.Latency["e2e"].P99)
	}
}
