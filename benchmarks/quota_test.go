package benchmarks

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// AWS's per-shard quotas the simulator models (see kinesis-facts.md).
const (
	quotaRecords  = 1000    // records/s written per shard
	quotaBytes    = 1 << 20 // bytes/s written per shard, data plus partition key
	quotaGetCalls = 5       // GetRecords calls/s per shard
)

// Timing of one quota measurement: the first quotaWarmup holds the
// buckets' initial one-second burst and is not counted.
const (
	quotaWarmup  = time.Second
	quotaMeasure = 4 * time.Second
	quotaOverrun = 4 // offered load, in multiples of the quota
)

// BenchmarkQuota measures, per shard, what the simulator (AWS quotas)
// accepts under paced overload of quotaOverrun times the quota: one op is
// one measurement of quotaWarmup+quotaMeasure. writes=records offers many
// small records, so the 1,000 records/s quota binds; writes=bytes offers
// 8 KiB records, so the 1 MiB/s quota binds; each on 1 and 2 shards (two
// shards should accept twice what one does, so the per-shard figures
// match). reads=getrecords polls one shard at 20 calls/s. Each reports the
// accepted rate per shard and its ratio to the binding quota (quota-ratio,
// 1 is exact).
func BenchmarkQuota(b *testing.B) {
	writes := []struct {
		name      string
		perCall   int // records per PutRecords call
		size      int // data bytes per record
		recordCap bool
	}{
		{"writes=records", 100, 50, true},
		{"writes=bytes", 16, 8 << 10, false},
	}
	for _, w := range writes {
		for _, shards := range []int{1, 2} {
			b.Run(w.name+"/shards="+strconv.Itoa(shards), func(b *testing.B) {
				benchWriteQuota(b, shards, w.perCall, w.size, w.recordCap)
			})
		}
	}
	b.Run("reads=getrecords/shards=1", benchReadQuota)
}

func benchWriteQuota(b *testing.B, shards, perCall, size int, recordCap bool) {
	c := client(b, engineSimQuotas)
	stream := newStream(b, c, shards)
	entries := batch(0, perCall, size, shards)
	perRecord := float64(recordBytes(entries[0]))
	offeredRecs := float64(quotaOverrun*quotaRecords) * float64(shards)
	if !recordCap {
		offeredRecs = float64(quotaOverrun*quotaBytes) * float64(shards) / perRecord
	}
	o := offer{
		entries:     entries,
		callsPerSec: offeredRecs / float64(perCall),
		workers:     4,
		warmup:      quotaWarmup,
		measure:     quotaMeasure,
	}
	var sum offerResult
	for b.Loop() {
		r, err := o.run(context.Background(), c, stream)
		if err != nil {
			b.Fatal(err)
		}
		sum.accepted += r.accepted
		sum.acceptedBytes += r.acceptedBytes
		sum.throttled += r.throttled
		sum.late += r.late
		sum.seconds += r.seconds
	}
	perShard := float64(shards) * sum.seconds
	recs := float64(sum.accepted) / perShard
	bytes := float64(sum.acceptedBytes) / perShard
	ratio := recs / quotaRecords
	if !recordCap {
		ratio = bytes / quotaBytes
	}
	b.ReportMetric(recs, "accepted-records/s/shard")
	b.ReportMetric(bytes/(1<<20), "accepted-MiB/s/shard")
	b.ReportMetric(ratio, "quota-ratio")
	b.ReportMetric(float64(sum.throttled)/perShard, "throttled-records/s/shard")
	if sum.late > 0 {
		b.Logf("%d calls were sent more than one interval late: the offered load fell short", sum.late)
	}
	if sum.throttled == 0 {
		b.Errorf("no record was throttled: the load did not overload the quota")
	}
}

// getPollRate is how often benchReadQuota polls, in calls/s: four times
// the quota.
const getPollRate = 4 * quotaGetCalls

// benchReadQuota polls one shard with GetRecords at getPollRate calls/s
// and reports the calls accepted per second after the warm-up.
func benchReadQuota(b *testing.B) {
	c := client(b, engineSimQuotas)
	stream := newStream(b, c, 1)
	ctx := context.Background()
	if _, err := put(ctx, c, stream, batch(0, 10, 100, 1)); err != nil {
		b.Fatal(err)
	}
	shards, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		b.Fatal(err)
	}
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
		StreamName: aws.String(stream), ShardId: shards.Shards[0].ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
	})
	if err != nil {
		b.Fatal(err)
	}
	iter := it.ShardIterator
	var accepted, throttled int64
	var seconds float64
	for b.Loop() {
		tick := time.NewTicker(time.Second / getPollRate)
		start := time.Now()
		from, end := start.Add(quotaWarmup), start.Add(quotaWarmup+quotaMeasure)
		for now := start; now.Before(end); now = <-tick.C {
			ok, err := getOnce(ctx, c, &iter)
			if err != nil {
				tick.Stop()
				b.Fatal(err)
			}
			if now.Before(from) {
				continue
			}
			if ok {
				accepted++
			} else {
				throttled++
			}
		}
		tick.Stop()
		seconds += quotaMeasure.Seconds()
	}
	b.ReportMetric(float64(accepted)/seconds, "accepted-calls/s")
	b.ReportMetric(float64(throttled)/seconds, "throttled-calls/s")
	b.ReportMetric(float64(accepted)/seconds/quotaGetCalls, "quota-ratio")
}

// getOnce sends one GetRecords call with *iter and moves *iter on when it
// succeeds. It reports whether the call was accepted; a throttled call is
// not an error.
func getOnce(ctx context.Context, c *kinesis.Client, iter **string) (bool, error) {
	out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: *iter})
	if pte := (*types.ProvisionedThroughputExceededException)(nil); errors.As(err, &pte) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	*iter = out.NextShardIterator
	return true, nil
}
