package benchmarks

import (
	"context"
	"runtime"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// The simulator's ingest workload: 500 records of 100 bytes per PutRecords
// call, ingestWorkers calls in flight, on ingestShards shards.
const (
	ingestRecords = 500
	ingestSize    = 100
	ingestWorkers = 4
	ingestShards  = 4
	// ingestShardsQuotas is the stream of the quotas-on run: enough shards
	// (1,000 records/s each) that the quotas never bind at the simulator's
	// ingest rate, so the run shows what quota bookkeeping costs.
	ingestShardsQuotas = 2048
)

// BenchmarkIngest measures PutRecords ingest through the SDK client, one op
// being one 500-record call: engine=sim (quotas off) and engine=kinesis-mock
// run the identical workload one after the other in the same process, so
// their ratio is measured side by side and logged; engine=sim-quotas-aws is
// the simulator with AWS's quotas on a stream wide enough that they do not
// bind (it reports throttled/op, which should stay 0), and
// engine=sim-2048-shards the same stream with quotas off, its baseline.
// kinesis-mock manages a few thousand records/s when new and slows down as
// it takes more records, so every round (b.N ramp step and -count round)
// gets a new kinesis-mock process and the default -benchtime (1 s) keeps
// its b.N to about ten calls: its figure is its best case.
func BenchmarkIngest(b *testing.B) {
	rates := map[string]float64{}
	cases := []struct {
		name, engine string
		shards       int
		fresh        bool // a new engine process for every round
	}{
		{"engine=sim", engineSim, ingestShards, false},
		{"engine=kinesis-mock", engineKinesisMock, ingestShards, true},
		{"engine=sim-quotas-aws", engineSimQuotas, ingestShardsQuotas, false},
		{"engine=sim-2048-shards", engineSim, ingestShardsQuotas, false},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			var c *kinesis.Client
			if tc.fresh {
				c = freshClient(b, tc.engine)
			} else {
				c = client(b, tc.engine)
			}
			stream := newStream(b, c, tc.shards)
			// Worker w's records start at shard w×500, so on the wide
			// stream no shard gets more than one key.
			mk := func(w int) []types.PutRecordsRequestEntry {
				return batch(w*ingestRecords, ingestRecords, ingestSize, tc.shards)
			}
			runtime.GC() // the last round's stream is garbage now

			b.ReportAllocs()
			b.ResetTimer()
			r, err := closedLoop(context.Background(), c, stream, ingestWorkers, int64(b.N), mk)
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			rate := float64(r.accepted) / b.Elapsed().Seconds()
			b.ReportMetric(rate, "records/s")
			b.ReportMetric(float64(r.throttled)/float64(b.N), "throttled/op")
			rates[tc.name] = rate // the last round, the one reported, wins
		})
	}
	if s, m := rates["engine=sim"], rates["engine=kinesis-mock"]; s > 0 && m > 0 {
		b.Logf("sim %.0f records/s, kinesis-mock %.0f records/s: sim/kinesis-mock = %.0fx (goal >= 50x, sim >= 200,000 records/s)", s, m, s/m)
	}
	if on, off := rates["engine=sim-quotas-aws"], rates["engine=sim-2048-shards"]; on > 0 && off > 0 {
		b.Logf("2048 shards: quotas aws %.0f records/s, quotas off %.0f records/s (%.1f%% for quota bookkeeping)", on, off, 100*(1-on/off))
	}
}
