package sim

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// overload offers records of size bytes to stream in steps of step, n
// records per step, for steps steps, advancing clk between steps, and
// returns the records accepted.
func overload(t *testing.T, c *kinesis.Client, clk *fakeClock, stream string, size, n, steps int, step time.Duration) int {
	t.Helper()
	accepted := 0
	data := make([]byte, size)
	key := 0
	for range steps {
		for off := 0; off < n; off += 500 {
			recs := make([]types.PutRecordsRequestEntry, min(500, n-off))
			for i := range recs {
				key++
				recs[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint(key)), Data: data}
			}
			out, err := c.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: recs})
			if err != nil {
				t.Fatal(err)
			}
			accepted += len(recs) - int(aws.ToInt32(out.FailedRecordCount))
			for _, r := range out.Records {
				if r.ErrorCode != nil && aws.ToString(r.ErrorCode) != errThroughputExceeded {
					t.Fatalf("unexpected error code %s", aws.ToString(r.ErrorCode))
				}
			}
		}
		clk.Advance(step)
	}
	return accepted
}

func within(got, want, tol float64) bool { return math.Abs(got-want) <= tol*want }

func TestWriteQuota(t *testing.T) {
	tests := []struct {
		name      string
		shards    int32
		size      int // data bytes; keys add a few
		perStep   int
		wantRate  float64 // records/s per stream
		tolerance float64
	}{
		// Records: 5,000 rec/s offered per shard, 1,000 accepted.
		{"records 1 shard", 1, 10, 500, 1000, 0.02},
		{"records 2 shards", 2, 10, 1000, 2000, 0.05},
		// Bytes: 10 KiB records, 5 MiB/s offered, 1 MiB/s accepted (~102 rec/s).
		{"bytes 1 shard", 1, 10 << 10, 50, float64(1<<20) / (10<<10 + 3), 0.03},
		{"bytes 2 shards", 2, 10 << 10, 100, 2 * float64(1<<20) / (10<<10 + 3), 0.06},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock()
			_, c := startSim(t, testConfig(), WithClock(clk.Now))
			createStream(t, c, "q", tt.shards)
			// The first step takes the one-second burst; measure after it.
			overload(t, c, clk, "q", tt.size, tt.perStep*10, 1, 100*time.Millisecond)
			const steps = 20 // 2 s of 100 ms steps
			got := float64(overload(t, c, clk, "q", tt.size, tt.perStep, steps, 100*time.Millisecond)) / 2
			if !within(got, tt.wantRate, tt.tolerance) {
				t.Errorf("accepted %.0f records/s, want %.0f ±%.0f%%", got, tt.wantRate, 100*tt.tolerance)
			}
		})
	}
}

func TestPutRecordThrottled(t *testing.T) {
	clk := newFakeClock()
	s, c := startSim(t, testConfig(), WithClock(clk.Now))
	createStream(t, c, "q", 1)
	overload(t, c, clk, "q", 1, 1000, 1, 0)
	_, err := c.PutRecord(context.Background(), &kinesis.PutRecordInput{StreamName: aws.String("q"), PartitionKey: aws.String("k"), Data: []byte("x")})
	if !isErr[*types.ProvisionedThroughputExceededException](err) {
		t.Fatalf("PutRecord over quota: %v", err)
	}
	if st := s.Stats().Total; st.RecordsAccepted != 1000 || st.RecordsThrottled != 1 {
		t.Errorf("stats = %+v", st)
	}
}

func TestOnDemandCapacity(t *testing.T) {
	clk := newFakeClock()
	_, c := startSim(t, testConfig(), WithClock(clk.Now))
	ctx := context.Background()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od"), StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}}); err != nil {
		t.Fatal(err)
	}
	// Initial capacity: 4,000 records/s over 4 shards, one second of burst.
	first := overload(t, c, clk, "od", 10, 10000, 1, time.Second)
	if !within(float64(first), 4000, 0.05) {
		t.Errorf("initial burst accepted %d, want about 4000", first)
	}
	// A second later the tracker sees 2x the peak and the capacity grows.
	second := overload(t, c, clk, "od", 10, 10000, 1, time.Second)
	third := overload(t, c, clk, "od", 10, 20000, 1, time.Second)
	if !within(float64(second), 4000, 0.05) || third < 8000 {
		t.Errorf("accepted %d then %d; want the capacity to grow to twice the observed peak", second, third)
	}
}

// TestOnDemandWarm: an on-demand stream whose previous peak was 10,000
// records/s starts at twice it over 20 shards of 1,000 records/s each,
// and takes its peak from the first second on.
func TestOnDemandWarm(t *testing.T) {
	clk := newFakeClock()
	cfg := testConfig()
	cfg.OnDemandPeakRecords = 10000
	_, c := startSim(t, cfg, WithClock(clk.Now))
	ctx := context.Background()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("warm"), StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("warm")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Shards) != 20 {
		t.Errorf("a warm on-demand stream of 20,000 records/s has %d shards, want 20", len(out.Shards))
	}
	if got := overload(t, c, clk, "warm", 10, 10000, 1, time.Second); got != 10000 {
		t.Errorf("the previous peak: accepted %d of 10,000 in its first second", got)
	}
	if got := overload(t, c, clk, "warm", 10, 30000, 1, time.Second); !within(float64(got), 20000, 0.05) {
		t.Errorf("three times the peak: accepted %d, want about 20,000 (twice the peak)", got)
	}
	if shards, recs, bytes := cfg.OnDemandStart(); shards != 20 || recs != 20000 || bytes != 4<<20 {
		t.Errorf("OnDemandStart = %d shards, %g records/s, %g bytes/s", shards, recs, bytes)
	}
	cold := testConfig()
	if shards, recs, bytes := cold.OnDemandStart(); shards != 4 || recs != 4000 || bytes != 4<<20 {
		t.Errorf("cold OnDemandStart = %d shards, %g records/s, %g bytes/s", shards, recs, bytes)
	}
	cfg.OnDemandPeakRecords, cfg.OnDemandPeakBytes = -1, -1
	if probs := cfg.Problems(); len(probs) != 2 || probs[0].Field != "on_demand_peak_records" || probs[1].Field != "on_demand_peak_bytes" {
		t.Errorf("negative peaks: problems %v", probs)
	}
}

func TestReadQuota(t *testing.T) {
	clk := newFakeClock()
	s, c := startSim(t, testConfig(), WithClock(clk.Now))
	ctx := context.Background()
	createStream(t, c, "r", 1)
	const shard = "shardId-000000000000"
	its := make([]string, 0, 6)
	for range 5 {
		its = append(its, iter(t, c, "r", shard, types.ShardIteratorTypeTrimHorizon, "", nil))
	}
	_, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("r"), ShardId: aws.String(shard), ShardIteratorType: types.ShardIteratorTypeLatest})
	if !isErr[*types.ProvisionedThroughputExceededException](err) {
		t.Fatalf("6th GetShardIterator in a second: %v", err)
	}
	for i := range 6 {
		_, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(its[i%5])})
		if throttled := isErr[*types.ProvisionedThroughputExceededException](err); throttled != (i == 5) {
			t.Fatalf("GetRecords call %d: %v", i+1, err)
		}
	}
	clk.Advance(time.Second)
	if _, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(its[0])}); err != nil {
		t.Fatalf("after a second: %v", err)
	}
	if st := s.Stats().Total; st.GetRecordsThrottled != 1 || st.GetShardIteratorThrottled != 1 {
		t.Errorf("stats = %+v", st)
	}
}

func TestBigReadPenalty(t *testing.T) {
	clk := newFakeClock()
	_, c := startSim(t, testConfig(), WithClock(clk.Now))
	ctx := context.Background()
	createStream(t, c, "big", 1)
	data := make([]byte, 1000<<10)
	for i := range 12 {
		if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("big"), PartitionKey: aws.String(fmt.Sprint(i)), Data: data}); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Second)
	}
	it := iter(t, c, "big", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon, "", nil)
	out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Records) != 10 {
		t.Fatalf("a 10 MiB read returned %d records of 1000 KiB", len(out.Records))
	}
	for _, step := range []struct {
		advance   time.Duration
		throttled bool
	}{{time.Second, true}, {3 * time.Second, true}, {1100 * time.Millisecond, false}} {
		clk.Advance(step.advance)
		_, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: out.NextShardIterator})
		if got := isErr[*types.ProvisionedThroughputExceededException](err); got != step.throttled {
			t.Errorf("after %v more: throttled=%v (%v), want %v", step.advance, got, err, step.throttled)
		}
	}
}
