package collectors

import (
	"testing"
	"time"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/metrics"
)

// BenchmarkRecord measures the per-record path of a primary collector:
// envelope decode, tracking, counters and both e2e histograms.
func BenchmarkRecord(b *testing.B) {
	for _, bc := range []struct {
		name    string
		primary bool
	}{{"primary", true}, {"secondary", false}} {
		b.Run(bc.name, func(b *testing.B) {
			run := metrics.NewRun(1)
			cfg, err := Config{Stream: "s", RunID: testRun, Primary: bc.primary, Metrics: run, Tracker: NewTracker(1)}.withDefaults()
			if err != nil {
				b.Fatal(err)
			}
			c := newCore(cfg)
			s := c.newSink("shard-0")
			now := envelope.Now()
			data := make([]byte, envelope.Size+100)
			e := envelope.Envelope{RunID: testRun, Intended: now - int64(50*time.Millisecond), Sent: now - int64(20*time.Millisecond)}
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for i := 0; b.Loop(); i++ {
				e.Seq = uint64(i)
				e.Put(data)
				s.record(now, data, 8)
			}
		})
	}
}
