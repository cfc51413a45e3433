package collectors

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/metrics"
)

// benchCases are the collector set-ups the per-record benchmarks compare.
var benchCases = []struct {
	name    string
	primary bool
}{{"primary", true}, {"secondary", false}}

// benchConfig returns a valid Config for the benchmarks.
func benchConfig(b *testing.B, primary bool) Config {
	b.Helper()
	cfg, err := Config{
		Stream: "s", RunID: testRun, Primary: primary, Deadline: time.Second,
		Metrics: metrics.NewRun(1), Tracker: NewTracker(1), App: metrics.NewApp("bench"),
	}.withDefaults()
	if err != nil {
		b.Fatal(err)
	}
	return cfg
}

// BenchmarkRecord measures the per-record path: envelope decode, tracking,
// the application's counters and histograms, and for the primary also the
// run's.
func BenchmarkRecord(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			c := newCore(benchConfig(b, bc.primary))
			s := c.newSink("shard-0")
			now := envelope.Now()
			data := make([]byte, envelope.Size+100)
			e := envelope.Envelope{RunID: testRun, Intended: now - int64(50*time.Millisecond), Sent: now - int64(20*time.Millisecond)}
			arrival := now - int64(10*time.Millisecond)
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for i := 0; b.Loop(); i++ {
				e.Seq = uint64(i)
				e.Put(data)
				s.record(now, data, "card-123", arrival)
			}
		})
	}
}

// BenchmarkBatch measures the path of a batch of 500 SDK records through
// simulated log-normal processing (its waits skipped) and a checkpoint per
// batch; ns/op is per record.
func BenchmarkBatch(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			cfg := benchConfig(b, bc.primary)
			cfg.Processing = Processing{Median: time.Microsecond, P99: 10 * time.Microsecond, Seed: 1}
			c := newCore(cfg)
			c.wait = func(context.Context, time.Duration) error { return nil }
			s := c.newSink("shard-0")
			now := envelope.Now()
			recs := make([]types.Record, 500)
			for i := range recs {
				recs[i] = types.Record{
					Data:                        make([]byte, envelope.Size+100),
					PartitionKey:                aws.String("key-0"),
					SequenceNumber:              aws.String("49590338271490256608559692538361571095921575989136588898"),
					ApproximateArrivalTimestamp: aws.Time(time.Unix(0, now)),
				}
			}
			e := envelope.Envelope{RunID: testRun, Intended: now, Sent: now}
			ctx := context.Background()
			b.ReportAllocs()
			var seq uint64
			for b.Loop() {
				for i := range recs {
					e.Seq = seq
					seq++
					e.Put(recs[i].Data)
				}
				s.batch(ctx, now, recs)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
		})
	}
}
