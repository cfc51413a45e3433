package sim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

func TestNewValidates(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Quotas = "maybe"
	cfg.ErrorRate = 2
	cfg.PutDelay = -1
	cfg.Retention = 0
	_, err := New(cfg)
	if err == nil {
		t.Fatal("New accepted a bad config")
	}
	for _, want := range []string{"quotas", "error_rate", "put_delay", "retention"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if _, err := New(DefaultConfig()); err != nil {
		t.Fatalf("DefaultConfig: %v", err)
	}
}

func TestStreamLifecycle(t *testing.T) {
	cfg := DefaultConfig() // 50 ms create delay
	_, c := startSim(t, cfg)
	ctx := context.Background()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s1"), ShardCount: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s1")})
	if err != nil {
		t.Fatal(err)
	}
	if got := sum.StreamDescriptionSummary.StreamStatus; got != types.StreamStatusCreating {
		t.Errorf("status right after create = %s, want CREATING", got)
	}
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s1"), PartitionKey: aws.String("k"), Data: []byte("x")})
	if !isErr[*types.ResourceNotFoundException](err) {
		t.Errorf("PutRecord on CREATING stream: %v, want ResourceNotFoundException", err)
	}
	waitActive(t, c, "s1")

	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s1"), ShardCount: aws.Int32(1)})
	if !isErr[*types.ResourceInUseException](err) {
		t.Errorf("second CreateStream: %v, want ResourceInUseException", err)
	}
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od"), StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}}); err != nil {
		t.Fatal(err)
	}

	desc, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamARN: aws.String(streamARN("s1"))})
	if err != nil {
		t.Fatal(err)
	}
	d := desc.StreamDescription
	if aws.ToString(d.StreamName) != "s1" || len(d.Shards) != 3 || aws.ToBool(d.HasMoreShards) || d.StreamCreationTimestamp == nil || d.StreamModeDetails.StreamMode != types.StreamModeProvisioned {
		t.Errorf("DescribeStream = %+v", d)
	}
	if got := aws.ToString(d.Shards[0].HashKeyRange.StartingHashKey); got != "0" {
		t.Errorf("first shard starts at %s", got)
	}
	if got := aws.ToString(d.Shards[2].HashKeyRange.EndingHashKey); got != "340282366920938463463374607431768211455" {
		t.Errorf("last shard ends at %s", got)
	}
	if got := aws.ToString(d.Shards[1].HashKeyRange.StartingHashKey); got != "113427455640312821154458202477256070485" {
		t.Errorf("second shard starts at %s", got)
	}

	od, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("od")})
	if err != nil {
		t.Fatal(err)
	}
	if n := aws.ToInt32(od.StreamDescriptionSummary.OpenShardCount); n != 4 || od.StreamDescriptionSummary.StreamModeDetails.StreamMode != types.StreamModeOnDemand {
		t.Errorf("on-demand stream: %d shards, mode %s", n, od.StreamDescriptionSummary.StreamModeDetails.StreamMode)
	}

	ls, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{Limit: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(ls.StreamNames) != 1 || ls.StreamNames[0] != "od" || !aws.ToBool(ls.HasMoreStreams) || ls.NextToken == nil {
		t.Fatalf("ListStreams page 1 = %+v", ls)
	}
	ls, err = c.ListStreams(ctx, &kinesis.ListStreamsInput{NextToken: ls.NextToken})
	if err != nil {
		t.Fatal(err)
	}
	if len(ls.StreamNames) != 1 || ls.StreamNames[0] != "s1" || aws.ToBool(ls.HasMoreStreams) || len(ls.StreamSummaries) != 1 || aws.ToString(ls.StreamSummaries[0].StreamARN) != streamARN("s1") {
		t.Fatalf("ListStreams page 2 = %+v", ls)
	}

	if _, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s1")}); err != nil {
		t.Fatal(err)
	}
	gone, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s1")})
	if err != nil || gone.StreamDescriptionSummary.StreamStatus != types.StreamStatusDeleting {
		t.Fatalf("DescribeStreamSummary right after delete: %+v, %v; want DELETING", gone, err)
	}
	time.Sleep(cfg.DeleteDelay)
	_, err = c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("s1")})
	if !isErr[*types.ResourceNotFoundException](err) {
		t.Errorf("DescribeStream after the delete delay: %v, want ResourceNotFoundException", err)
	}
}

func TestErrorTypes(t *testing.T) {
	_, c := startSim(t, testConfig())
	ctx := context.Background()
	createStream(t, c, "e", 1)
	tests := []struct {
		name string
		call func() error
		is   func(error) bool
	}{
		{"missing stream", func() error {
			_, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("nope")})
			return err
		}, isErr[*types.ResourceNotFoundException]},
		{"bad iterator", func() error {
			_, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("garbage")})
			return err
		}, isErr[*types.InvalidArgumentException]},
		{"explicit hash key too big", func() error {
			_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("e"), PartitionKey: aws.String("k"), Data: []byte("x"),
				ExplicitHashKey: aws.String("340282366920938463463374607431768211456")})
			return err
		}, isErr[*types.InvalidArgumentException]},
		{"partition key too long", func() error {
			_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("e"), PartitionKey: aws.String(string(make([]byte, 257))), Data: []byte("x")})
			return err
		}, isAPIError("ValidationException")},
		{"too many records", func() error {
			recs := make([]types.PutRecordsRequestEntry, 501)
			for i := range recs {
				recs[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: []byte("x")}
			}
			_, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("e"), Records: recs})
			return err
		}, isAPIError("ValidationException")},
		{"record too large", func() error {
			_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("e"), PartitionKey: aws.String("k"), Data: make([]byte, 1<<20)})
			return err
		}, isErr[*types.InvalidArgumentException]},
		{"request too large", func() error {
			recs := make([]types.PutRecordsRequestEntry, 6)
			for i := range recs {
				recs[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String("k"), Data: make([]byte, 1<<20-1)}
			}
			_, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("e"), Records: recs})
			return err
		}, isErr[*types.InvalidArgumentException]},
		{"limit out of range", func() error {
			it := iter(t, c, "e", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon, "", nil)
			_, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it), Limit: aws.Int32(10001)})
			return err
		}, isErr[*types.InvalidArgumentException]},
		{"limit zero", func() error {
			it := iter(t, c, "e", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon, "", nil)
			_, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it), Limit: aws.Int32(0)})
			return err
		}, isAPIError("ValidationException")},
		{"unknown shard", func() error {
			_, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("e"), ShardId: aws.String("shardId-000000000009"), ShardIteratorType: types.ShardIteratorTypeLatest})
			return err
		}, isErr[*types.ResourceNotFoundException]},
		{"sequence number of another shard", func() error {
			_, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("e"), ShardId: aws.String("shardId-000000000000"),
				ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: aws.String(seqString(5, 1))})
			return err
		}, isErr[*types.InvalidArgumentException]},
		{"delete with consumers", func() error {
			if _, err := c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(streamARN("e")), ConsumerName: aws.String("c")}); err != nil {
				return err
			}
			_, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("e")})
			return err
		}, isErr[*types.ResourceInUseException]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !tt.is(err) {
				t.Errorf("got %v (%T)", err, err)
			}
		})
	}
}

func isAPIError(code string) func(error) bool {
	return func(err error) bool {
		var ae smithy.APIError
		return errors.As(err, &ae) && ae.ErrorCode() == code
	}
}

func TestListShardsPagination(t *testing.T) {
	_, c := startSim(t, testConfig())
	ctx := context.Background()
	createStream(t, c, "p", 7)
	var ids []string
	out, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamARN: aws.String(streamARN("p")), MaxResults: aws.Int32(3)})
	for page := 0; ; page++ {
		if err != nil {
			t.Fatal(err)
		}
		for _, sh := range out.Shards {
			ids = append(ids, aws.ToString(sh.ShardId))
		}
		if out.NextToken == nil {
			break
		}
		if page > 5 {
			t.Fatal("too many pages")
		}
		out, err = c.ListShards(ctx, &kinesis.ListShardsInput{NextToken: out.NextToken, MaxResults: aws.Int32(3)})
	}
	if len(ids) != 7 {
		t.Fatalf("listed %d shards: %v", len(ids), ids)
	}
	for i, id := range ids {
		if want := fmt.Sprintf("shardId-%012d", i); id != want {
			t.Errorf("shard %d = %s, want %s", i, id, want)
		}
	}
	_, err = c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("p"), NextToken: aws.String("x")})
	if !isErr[*types.InvalidArgumentException](err) {
		t.Errorf("NextToken with StreamName: %v", err)
	}
	after, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("p"), ExclusiveStartShardId: aws.String("shardId-000000000004")})
	if err != nil || len(after.Shards) != 2 {
		t.Errorf("ExclusiveStartShardId: %v, %d shards", err, len(after.Shards))
	}
}

func TestTags(t *testing.T) {
	_, c := startSim(t, testConfig())
	ctx := context.Background()
	createStream(t, c, "t", 1)
	if _, err := c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("t"), Tags: map[string]string{"b": "2", "a": "1"}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamARN: aws.String(streamARN("t"))})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tags) != 2 || aws.ToString(out.Tags[0].Key) != "a" || aws.ToString(out.Tags[1].Value) != "2" || aws.ToBool(out.HasMoreTags) {
		t.Errorf("tags = %+v", out.Tags)
	}
	many := map[string]string{}
	for i := range 11 {
		many[fmt.Sprint(i)] = ""
	}
	_, err = c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("t"), Tags: many})
	if !isErr[*types.InvalidArgumentException](err) {
		t.Errorf("11 tags: %v", err)
	}
}

func TestConsumers(t *testing.T) {
	_, c := startSim(t, DefaultConfig())
	ctx := context.Background()
	createStream(t, c, "c", 1)
	arn := aws.String(streamARN("c"))
	reg, err := c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	carn := aws.ToString(reg.Consumer.ConsumerARN)
	if !strings.Contains(carn, streamARN("c")+"/consumer/app:") || reg.Consumer.ConsumerStatus != types.ConsumerStatusCreating {
		t.Errorf("consumer = %+v", reg.Consumer)
	}
	_, err = c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String("app")})
	if !isErr[*types.ResourceInUseException](err) {
		t.Errorf("duplicate consumer: %v", err)
	}
	waitConsumerActive(t, c, carn)
	d, err := c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String("app")})
	if err != nil || aws.ToString(d.ConsumerDescription.ConsumerARN) != carn || aws.ToString(d.ConsumerDescription.StreamARN) != *arn {
		t.Errorf("describe: %v %+v", err, d)
	}
	l, err := c.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: arn})
	if err != nil || len(l.Consumers) != 1 {
		t.Errorf("list: %v %+v", err, l)
	}
	if _, err := c.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(carn)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(carn)})
	if !isErr[*types.ResourceNotFoundException](err) {
		t.Errorf("describe after deregister: %v", err)
	}
}

func waitConsumerActive(t testing.TB, c *kinesis.Client, arn string) {
	t.Helper()
	for range 500 {
		d, err := c.DescribeStreamConsumer(context.Background(), &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(arn)})
		if err != nil {
			t.Fatal(err)
		}
		if d.ConsumerDescription.ConsumerStatus == types.ConsumerStatusActive {
			return
		}
		sleepMs(5)
	}
	t.Fatal("consumer never ACTIVE")
}
