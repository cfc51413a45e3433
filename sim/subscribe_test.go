package sim

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// registerConsumer registers an ACTIVE consumer and returns its ARN.
func registerConsumer(t *testing.T, c *kinesis.Client, stream, name string) string {
	t.Helper()
	reg, err := c.RegisterStreamConsumer(context.Background(), &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(streamARN(stream)), ConsumerName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(reg.Consumer.ConsumerARN)
	waitConsumerActive(t, c, arn)
	return arn
}

// collect reads events until the stream ends or limit passes.
func collect(t *testing.T, out *kinesis.SubscribeToShardOutput, limit time.Duration) []types.SubscribeToShardEvent {
	t.Helper()
	stream := out.GetStream()
	defer stream.Close()
	var events []types.SubscribeToShardEvent
	timeout := time.After(limit)
	for {
		select {
		case ev, ok := <-stream.Events():
			if !ok {
				if err := stream.Err(); err != nil {
					t.Fatalf("event stream: %v", err)
				}
				return events
			}
			e, isEvent := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
			if !isEvent {
				t.Fatalf("unexpected event %T", ev)
			}
			events = append(events, e.Value)
		case <-timeout:
			t.Fatalf("stream did not end within %v", limit)
		}
	}
}

func TestSubscribeToShard(t *testing.T) {
	cfg := testConfig()
	cfg.SubscriptionDuration = 1100 * time.Millisecond // past the 1 s resubscription limit
	srv, c := startSim(t, cfg)
	ctx := context.Background()
	createStream(t, c, "sub", 1)
	putN(t, c, "sub", 0, 5)
	carn := registerConsumer(t, c, "sub", "app")
	const shard = "shardId-000000000000"

	start := time.Now()
	out, err := c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(carn), ShardId: aws.String(shard),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(carn), ShardId: aws.String(shard),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
	if !isErr[*types.ResourceInUseException](err) {
		t.Errorf("second subscription at once: %v, want ResourceInUseException", err)
	}
	if st := srv.Stats().Total; st.Subscriptions != 1 || st.SubscriptionsOpen != 1 {
		t.Errorf("subscriptions %d, open %d; want 1 and 1 (the refused one is not counted)", st.Subscriptions, st.SubscriptionsOpen)
	}
	go func() {
		time.Sleep(200 * time.Millisecond)
		putN(t, c, "sub", 5, 5)
	}()
	events := collect(t, out, 3*time.Second)
	if d := time.Since(start); d < cfg.SubscriptionDuration {
		t.Errorf("stream ended after %v, before %v", d, cfg.SubscriptionDuration)
	}
	var recs []types.Record
	var lastCont string
	for _, ev := range events {
		recs = append(recs, ev.Records...)
		if ev.ContinuationSequenceNumber == nil {
			t.Fatal("event without ContinuationSequenceNumber on an open shard")
		}
		lastCont = aws.ToString(ev.ContinuationSequenceNumber)
	}
	if len(recs) != 10 {
		t.Fatalf("received %d records, want 10", len(recs))
	}
	for i, r := range recs {
		if want := "rec-" + strconv.Itoa(i); string(r.Data) != want {
			t.Errorf("record %d = %q", i, r.Data)
		}
	}
	if lastCont != aws.ToString(recs[9].SequenceNumber) {
		t.Errorf("last ContinuationSequenceNumber %s, last record %s", lastCont, aws.ToString(recs[9].SequenceNumber))
	}

	// Resume after the continuation: nothing new, then a new record.
	out, err = c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(carn), ShardId: aws.String(shard),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: aws.String(lastCont)}})
	if err != nil {
		t.Fatal(err)
	}
	putN(t, c, "sub", 10, 1)
	events = collect(t, out, 3*time.Second)
	n := 0
	for _, ev := range events {
		n += len(ev.Records)
	}
	if n != 1 {
		t.Errorf("resumed subscription got %d records, want 1", n)
	}
	// The server closes its side just after the client saw the end.
	st := srv.Stats().Total
	for end := time.Now().Add(2 * time.Second); st.SubscriptionsOpen != 0 && time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond)
		st = srv.Stats().Total
	}
	if st.Subscriptions != 2 || st.SubscriptionsOpen != 0 {
		t.Errorf("after both ended: subscriptions %d, open %d; want 2 and 0", st.Subscriptions, st.SubscriptionsOpen)
	}
}

func TestSubscribeClosedShard(t *testing.T) {
	cfg := testConfig()
	cfg.Quotas = QuotasOff
	_, c := startSim(t, cfg)
	ctx := context.Background()
	createStream(t, c, "cl", 1)
	putN(t, c, "cl", 0, 3)
	if _, err := c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("cl"), TargetShardCount: aws.Int32(2), ScalingType: types.ScalingTypeUniformScaling}); err != nil {
		t.Fatal(err)
	}
	carn := registerConsumer(t, c, "cl", "app")
	out, err := c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(carn), ShardId: aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}})
	if err != nil {
		t.Fatal(err)
	}
	events := collect(t, out, 3*time.Second)
	last := events[len(events)-1]
	n := 0
	for _, ev := range events {
		n += len(ev.Records)
	}
	if n != 3 || last.ContinuationSequenceNumber != nil || len(last.ChildShards) != 2 {
		t.Errorf("closed shard: %d records, last event %+v", n, last)
	}
}

func TestShutdownEndsSubscriptions(t *testing.T) {
	s, err := New(testConfig())
	if err != nil {
		t.Fatal(err)
	}
	url, stop, err := s.Start(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, url)
	createStream(t, c, "sd", 1)
	carn := registerConsumer(t, c, "sd", "app")
	out, err := c.SubscribeToShard(context.Background(), &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(carn), ShardId: aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { stop(); close(done) }()
	collect(t, out, 3*time.Second)
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("stop did not return")
	}
}
