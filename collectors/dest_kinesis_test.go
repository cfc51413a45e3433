package collectors

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/sim"
)

// TestKinesisDestinationFollowsReshard: the application's output stream is
// split from one shard into two and merged back to one while kbench reads
// it (the real SDK against the simulator); the kinesis destination reads
// the children once their parents are read to their end, so every output is
// matched exactly once: none missing, none unexpected or duplicated.
func TestKinesisDestinationFollowsReshard(t *testing.T) {
	c := simClient(t, sim.DefaultConfig())
	createStream(t, c, "out", 1)
	run := metrics.NewRun(2)
	tr := NewTracker(2)
	m := NewMatcher(MatchConfig{Expect: ExpectOne, RunID: testRun, Tracker: tr})
	var log logLines
	d, err := kinesisDestination.New(DestinationConfig{Name: "alerts", Stream: "out", Reader: c,
		PollInterval: 100 * time.Millisecond, Log: log.log})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx, m.Add) }()
	reshard := func(to int32) {
		t.Helper()
		_, err := c.UpdateShardCount(t.Context(), &kinesis.UpdateShardCountInput{
			StreamName: aws.String("out"), TargetShardCount: aws.Int32(to), ScalingType: types.ScalingTypeUniformScaling,
		})
		if err != nil {
			t.Fatal(err)
		}
		waitActive(t, c, "out")
	}
	n := putEnveloped(t, c, "out", run, 2, 0, 100)
	reshard(2)
	n += putEnveloped(t, c, "out", run, 2, 100, 200)
	reshard(1)
	n += putEnveloped(t, c, "out", run, 2, 200, 300)
	deadline := time.Now().Add(30 * time.Second)
	for m.Counts(run).Outputs < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := m.Counts(run)
	if got.Outputs != n || got.Expected != n || got.Missing != 0 || got.Unexpected != 0 || got.Duplicates > run.Retried.Load() {
		t.Errorf("outputs %d, expected %d, missing %d, unexpected %d, duplicates %d; want %d, %d, 0, 0, none beyond resends",
			got.Outputs, got.Expected, got.Missing, got.Unexpected, got.Duplicates, n, n)
	}
	shards, err := c.ListShards(t.Context(), &kinesis.ListShardsInput{StreamName: aws.String("out")})
	if err != nil {
		t.Fatal(err)
	}
	if len(shards.Shards) != 4 {
		t.Errorf("%d shards after splitting and merging, want 4", len(shards.Shards))
	}
}
