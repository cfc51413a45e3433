package promexport

import (
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/runner"
)

// BenchmarkGatherRun measures one scrape's work (no HTTP) of a run with 4
// producers, 2 consumer applications and 4 or 1,000 shards, its histograms
// holding values from 1 ms to 10 s: what --metrics-addr costs per scrape.
func BenchmarkGatherRun(b *testing.B) {
	for _, shards := range []int{4, 1000} {
		b.Run(fmt.Sprintf("shards=%d", shards), func(b *testing.B) { benchGather(b, shards) })
	}
}

func benchGather(b *testing.B, shards int) {
	m := metrics.NewRun(4)
	apps := []*metrics.App{metrics.NewApp("a"), metrics.NewApp("b")}
	for _, l := range append(m.Latencies(), apps[0].E2E, apps[1].E2E, apps[0].E2EUncorrected, apps[1].E2EUncorrected) {
		r := l.Recorder()
		for v := time.Millisecond; v < 10*time.Second; v += v / 64 {
			r.Record(v)
		}
		l.Rotate()
	}
	for i := range shards {
		m.Shard(fmt.Sprintf("shardId-%012d", i)).Records.Add(1)
	}
	c := NewRun(nil)
	c.Observe(&runner.Live{RunID: "r", Scenario: "s", Metrics: m, Producers: []string{"p", "p", "q", "q"}, Apps: apps})
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := reg.Gather(); err != nil {
			b.Fatal(err)
		}
	}
}
