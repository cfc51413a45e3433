package conformance

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kbench/kbench/targets"
)

// testSubscribeToShard reads records over enhanced fan-out. kinesis-mock
// 0.6.2 sends no initial-response event, which aws-sdk-go-v2 rejects; for
// it the case only checks that the SDK still fails, so the suite notices
// the day kinesis-mock is fixed.
func testSubscribeToShard(t *testing.T, c *kinesis.Client, engine string) {
	ctx := caseContext(t)
	name := createStream(t, c, 1)
	d := describe(ctx, t, c, name)
	shard := d.Shards[0].ShardId
	recs := []put{{key: "a", data: allBytes()}, {key: "b", data: []byte("second")}}
	putAll(t, c, name, recs, 0)

	reg, err := c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: d.StreamARN, ConsumerName: aws.String("efo")})
	if err != nil {
		t.Fatalf("RegisterStreamConsumer: %v", err)
	}
	consumer := reg.Consumer.ConsumerARN
	poll(ctx, t, "consumer ACTIVE", func() (bool, error) {
		out, err := c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: consumer})
		if err != nil {
			return false, err
		}
		return out.ConsumerDescription.ConsumerStatus == types.ConsumerStatusActive, nil
	})

	sub, err := c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
		ConsumerARN: consumer, ShardId: shard,
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon},
	})
	if engine == targets.KindKinesisMock {
		// Not AWS behaviour: kinesis-mock's first event is a
		// SubscribeToShardEvent, not initial-response.
		if err == nil {
			sub.GetStream().Close()
			t.Fatal("SubscribeToShard on kinesis-mock succeeded: it now sends initial-response; run the full case on it")
		}
		if !strings.Contains(err.Error(), "initial-response") {
			t.Fatalf("SubscribeToShard on kinesis-mock: %v, want the known missing initial-response error", err)
		}
		t.Logf("kinesis-mock SubscribeToShard fails as known: %v", err)
		return
	}
	if err != nil {
		t.Fatalf("SubscribeToShard: %v", err)
	}
	stream := sub.GetStream()
	defer stream.Close()

	var got []types.Record
	more := []put{{key: "c", data: []byte("after subscribing")}}
	timeout := time.After(pollTimeout)
	for len(got) < len(recs)+len(more) {
		select {
		case ev, ok := <-stream.Events():
			if !ok {
				t.Fatalf("event stream ended after %d records: %v", len(got), stream.Err())
			}
			e, isEvent := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
			if !isEvent {
				t.Fatalf("unexpected event %T", ev)
			}
			if e.Value.MillisBehindLatest == nil {
				t.Error("SubscribeToShardEvent: MillisBehindLatest missing")
			}
			if aws.ToString(e.Value.ContinuationSequenceNumber) == "" {
				t.Error("SubscribeToShardEvent on an open shard: ContinuationSequenceNumber missing")
			}
			got = append(got, e.Value.Records...)
			if len(got) == len(recs) && more[0].seq == "" {
				putAll(t, c, name, more, 0)
			}
		case <-timeout:
			t.Fatalf("SubscribeToShard: %d records after %v, want %d", len(got), pollTimeout, len(recs)+len(more))
		}
	}
	want := append(recs, more...)
	if len(got) != len(want) {
		t.Fatalf("SubscribeToShard: %d records, want %d", len(got), len(want))
	}
	for i, r := range got {
		if !bytes.Equal(r.Data, want[i].data) || aws.ToString(r.SequenceNumber) != want[i].seq || aws.ToString(r.PartitionKey) != want[i].key {
			t.Errorf("record %d: %q key %q seq %s, want %q key %q seq %s", i, r.Data, aws.ToString(r.PartitionKey), aws.ToString(r.SequenceNumber), want[i].data, want[i].key, want[i].seq)
		}
	}
}
