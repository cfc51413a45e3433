package sim

import (
	"context"
	"math/big"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// subscribeAll subscribes consumer arn to the first n shards of an n-or-more
// shard stream from LATEST and counts the records and events pushed until
// ctx ends.
func subscribeAll(ctx context.Context, t testing.TB, c *kinesis.Client, arn string, n int, wg *sync.WaitGroup, records, events *atomic.Int64) {
	t.Helper()
	for i := range n {
		out, err := c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(arn), ShardId: aws.String(shardID(i)),
			StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			es := out.GetStream()
			defer es.Close()
			for ev := range es.Events() {
				if e, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent); ok {
					records.Add(int64(len(e.Value.Records)))
					events.Add(1)
				}
			}
		})
	}
}

// putSpread writes one record to each of the n equal shards of stream.
func putSpread(t testing.TB, c *kinesis.Client, stream string, n int) {
	t.Helper()
	recs := make([]types.PutRecordsRequestEntry, n)
	width := new(big.Int).Lsh(big.NewInt(1), 128)
	width.Div(width, big.NewInt(int64(n)))
	for i := range recs {
		k := new(big.Int).Mul(width, big.NewInt(int64(i)))
		recs[i] = types.PutRecordsRequestEntry{Data: []byte("x"), PartitionKey: aws.String("k"), ExplicitHashKey: aws.String(k.String())}
	}
	out, err := c.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: recs})
	if err != nil {
		t.Fatal(err)
	}
	if n := aws.ToInt32(out.FailedRecordCount); n != 0 {
		t.Fatalf("%d records failed", n)
	}
}

// TestPushWakesOnlyWhenVisible writes to every shard of a stream with a
// subscription on each while records take 40 ms to become visible: each
// subscription must be woken when its records become visible, not also when
// they are written (which doubled the wake-ups and made every PutRecords
// wake every subscription of the shards it wrote).
func TestPushWakesOnlyWhenVisible(t *testing.T) {
	const shards, rounds = 32, 20
	cfg := testConfig()
	cfg.PropagationDelay = 40 * time.Millisecond
	srv, c := startSim(t, cfg)
	createStream(t, c, "w", shards)
	arn := registerConsumer(t, c, "w", "app")
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var records, events atomic.Int64
	subscribeAll(ctx, t, c, arn, shards, &wg, &records, &events)
	defer func() { cancel(); wg.Wait() }()
	for srv.Stats().Total.SubscriptionsOpen < shards {
		sleepMs(10)
	}
	sleepMs(100) // past the first events
	for range rounds {
		putSpread(t, c, "w", shards)
		sleepMs(25)
	}
	want := int64(shards * rounds)
	for end := time.Now().Add(5 * time.Second); records.Load() < want && time.Now().Before(end); {
		sleepMs(10)
	}
	if got := records.Load(); got != want {
		t.Fatalf("pushed %d records, want %d", got, want)
	}
	if idle := srv.Stats().Total.PushWakeupsIdle; idle > want/20 {
		t.Errorf("%d push wake-ups found nothing to send for %d records pushed (want at most %d)", idle, want, want/20)
	}
}

// cpuTime is the process's user plus system CPU time so far.
func cpuTime(t testing.TB) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkFanoutCPU reports the process's CPU use (client and simulator,
// in % of one core) with subs subscriptions open on a 256-shard stream with
// the aws latency profile: for 3 s idle, then for 3 s of 10 PutRecords a
// second of one record per shard. Run with -benchtime=1x; compare subs=1
// with subs=256.
func BenchmarkFanoutCPU(b *testing.B) {
	for _, n := range []int{1, 256} {
		b.Run("subs="+strconv.Itoa(n), func(b *testing.B) {
			for range b.N {
				benchFanoutCPU(b, n)
			}
		})
	}
}

func benchFanoutCPU(b *testing.B, n int) {
	const shards = 256
	cfg := testConfig()
	cfg.Latency = "aws"
	srv, c := startSim(b, cfg)
	createStream(b, c, "f", shards)
	putSpread(b, c, "f", shards) // draws the shards' delay processes
	reg, err := c.RegisterStreamConsumer(context.Background(), &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(streamARN("f")), ConsumerName: aws.String("app")})
	if err != nil {
		b.Fatal(err)
	}
	arn := aws.ToString(reg.Consumer.ConsumerARN)
	waitConsumerActive(b, c, arn)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var records, events atomic.Int64
	subscribeAll(ctx, b, c, arn, n, &wg, &records, &events)
	defer func() { cancel(); wg.Wait() }()
	sleepMs(1500)
	c0, t0, e0 := cpuTime(b), time.Now(), events.Load()
	sleepMs(3000)
	b.ReportMetric(100*float64(cpuTime(b)-c0)/float64(time.Since(t0)), "idle-cpu-%")
	b.ReportMetric(float64(events.Load()-e0)/time.Since(t0).Seconds(), "idle-events/s")
	var putTime time.Duration
	idle0 := srv.Stats().Total.PushWakeupsIdle
	c0, t0 = cpuTime(b), time.Now()
	for range 30 {
		s := time.Now()
		putSpread(b, c, "f", shards)
		putTime += time.Since(s)
		sleepMs(100)
	}
	b.ReportMetric(100*float64(cpuTime(b)-c0)/float64(time.Since(t0)), "write-cpu-%")
	b.ReportMetric(float64(putTime.Milliseconds())/30, "put-ms")
	b.ReportMetric(float64(srv.Stats().Total.PushWakeupsIdle-idle0)/30, "idle-wakeups/put")
}
