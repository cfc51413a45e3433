package conformance

import (
	"regexp"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kbench/kbench/targets"
)

// testCreateDescribeList creates a stream by hand and checks what
// DescribeStreamSummary, DescribeStream and ListStreams say about it, and
// that a second CreateStream of the name fails.
func testCreateDescribeList(t *testing.T, c *kinesis.Client, engine string) {
	ctx := caseContext(t)
	name := streamName(t)
	in := &kinesis.CreateStreamInput{
		StreamName:        aws.String(name),
		ShardCount:        aws.Int32(3),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned},
		Tags:              map[string]string{targets.TagCreatedBy: targets.CreatedByValue},
	}
	if _, err := c.CreateStream(ctx, in); err != nil {
		t.Fatalf("CreateStream: %v", err)
	}
	deleteAtCleanup(t, c, name)

	var sum *types.StreamDescriptionSummary
	poll(ctx, t, "stream ACTIVE", func() (bool, error) {
		out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if isErr[*types.ResourceNotFoundException](err) {
			return false, nil // not visible yet
		}
		if err != nil {
			return false, err
		}
		sum = out.StreamDescriptionSummary
		return sum.StreamStatus == types.StreamStatusActive, nil
	})
	if got := aws.ToInt32(sum.OpenShardCount); got != 3 {
		t.Errorf("summary OpenShardCount = %d, want 3", got)
	}
	if got := aws.ToInt32(sum.RetentionPeriodHours); got != 24 {
		t.Errorf("summary RetentionPeriodHours = %d, want 24", got)
	}
	if sum.StreamModeDetails == nil || sum.StreamModeDetails.StreamMode != types.StreamModeProvisioned {
		t.Errorf("summary StreamModeDetails = %+v, want PROVISIONED", sum.StreamModeDetails)
	}
	if sum.StreamCreationTimestamp == nil {
		t.Error("summary StreamCreationTimestamp missing")
	}

	d := describe(ctx, t, c, name)
	arn := regexp.MustCompile(`^arn:aws:kinesis:us-east-1:[0-9]{12}:stream/` + regexp.QuoteMeta(name) + `$`)
	if !arn.MatchString(aws.ToString(d.StreamARN)) {
		t.Errorf("StreamARN = %q, want arn:aws:kinesis:us-east-1:<account>:stream/%s", aws.ToString(d.StreamARN), name)
	}
	if aws.ToString(d.StreamARN) != aws.ToString(sum.StreamARN) {
		t.Errorf("DescribeStream ARN %q != DescribeStreamSummary ARN %q", aws.ToString(d.StreamARN), aws.ToString(sum.StreamARN))
	}
	if d.StreamStatus != types.StreamStatusActive {
		t.Errorf("StreamStatus = %s, want ACTIVE", d.StreamStatus)
	}
	if aws.ToInt32(d.RetentionPeriodHours) != 24 {
		t.Errorf("RetentionPeriodHours = %d, want 24", aws.ToInt32(d.RetentionPeriodHours))
	}
	if d.StreamModeDetails == nil || d.StreamModeDetails.StreamMode != types.StreamModeProvisioned {
		t.Errorf("StreamModeDetails = %+v, want PROVISIONED", d.StreamModeDetails)
	}
	if aws.ToBool(d.HasMoreShards) {
		t.Error("HasMoreShards = true for 3 shards")
	}
	if len(d.Shards) != 3 {
		t.Fatalf("DescribeStream lists %d shards, want 3", len(d.Shards))
	}
	checkPartition(t, d.Shards)
	for _, s := range d.Shards {
		r := s.SequenceNumberRange
		if r == nil || aws.ToString(r.StartingSequenceNumber) == "" {
			t.Errorf("shard %s: no StartingSequenceNumber", aws.ToString(s.ShardId))
		} else {
			parseBig(t, "StartingSequenceNumber", aws.ToString(r.StartingSequenceNumber))
		}
		if r != nil && r.EndingSequenceNumber != nil {
			t.Errorf("open shard %s has EndingSequenceNumber %s", aws.ToString(s.ShardId), aws.ToString(r.EndingSequenceNumber))
		}
		if s.ParentShardId != nil {
			t.Errorf("shard %s of a new stream has ParentShardId %s", aws.ToString(s.ShardId), aws.ToString(s.ParentShardId))
		}
	}

	if !listStreamsHas(t, c, name) {
		t.Errorf("ListStreams does not list %s", name)
	}

	_, err := c.CreateStream(ctx, in)
	wantErr[*types.ResourceInUseException](t, "second CreateStream", err)
}

// listStreamsHas pages through ListStreams (at most 20 pages of 10) and
// reports whether name is listed.
func listStreamsHas(t *testing.T, c *kinesis.Client, name string) bool {
	t.Helper()
	ctx := caseContext(t)
	in := &kinesis.ListStreamsInput{Limit: aws.Int32(10)}
	for range 20 {
		out, err := c.ListStreams(ctx, in)
		if err != nil {
			t.Fatalf("ListStreams: %v", err)
		}
		if slices.Contains(out.StreamNames, name) {
			return true
		}
		if !aws.ToBool(out.HasMoreStreams) || len(out.StreamNames) == 0 {
			return false
		}
		in.ExclusiveStartStreamName = aws.String(out.StreamNames[len(out.StreamNames)-1])
	}
	return false
}

// testUnknownStream checks that calls naming a stream that does not exist
// fail with ResourceNotFoundException.
func testUnknownStream(t *testing.T, c *kinesis.Client, engine string) {
	ctx := caseContext(t)
	name := aws.String(streamName(t))
	_, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: name})
	wantErr[*types.ResourceNotFoundException](t, "DescribeStream", err)
	_, err = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: name})
	wantErr[*types.ResourceNotFoundException](t, "DescribeStreamSummary", err)
	_, err = c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: name})
	wantErr[*types.ResourceNotFoundException](t, "ListShards", err)
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("k"), Data: []byte("x")})
	wantErr[*types.ResourceNotFoundException](t, "PutRecord", err)
	_, err = c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: name})
	wantErr[*types.ResourceNotFoundException](t, "DeleteStream", err)
}

// testListShardsPagination pages through five shards two at a time, by
// stream name and by stream ARN.
func testListShardsPagination(t *testing.T, c *kinesis.Client, engine string) {
	ctx := caseContext(t)
	name := createStream(t, c, 5)
	d := describe(ctx, t, c, name)
	var want []string
	for _, s := range d.Shards {
		want = append(want, aws.ToString(s.ShardId))
	}
	for _, by := range []struct {
		name string
		in   kinesis.ListShardsInput
	}{
		{"StreamName", kinesis.ListShardsInput{StreamName: aws.String(name)}},
		{"StreamARN", kinesis.ListShardsInput{StreamARN: d.StreamARN}},
	} {
		in := by.in
		in.MaxResults = aws.Int32(2)
		var got []string
		var pages []int
		for range 10 {
			out, err := c.ListShards(ctx, &in)
			if err != nil {
				t.Fatalf("ListShards by %s, page %d: %v", by.name, len(pages)+1, err)
			}
			pages = append(pages, len(out.Shards))
			for _, s := range out.Shards {
				got = append(got, aws.ToString(s.ShardId))
			}
			if aws.ToString(out.NextToken) == "" {
				break
			}
			// A NextToken page names no stream (InvalidArgumentException otherwise).
			in = kinesis.ListShardsInput{NextToken: out.NextToken, MaxResults: aws.Int32(2)}
		}
		if !slices.Equal(got, want) {
			t.Errorf("ListShards by %s: shards %v, want %v (DescribeStream order)", by.name, got, want)
		}
		if !slices.Equal(pages, []int{2, 2, 1}) {
			t.Errorf("ListShards by %s: page sizes %v, want [2 2 1]", by.name, pages)
		}
	}
	// NextToken together with StreamName is InvalidArgumentException (AWS API reference).
	out, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(name), MaxResults: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(name), NextToken: out.NextToken})
	wantErr[*types.InvalidArgumentException](t, "ListShards with StreamName and NextToken", err)
}

// testTags adds tags, overwrites one and lists them.
func testTags(t *testing.T, c *kinesis.Client, engine string) {
	ctx := caseContext(t)
	name := createStream(t, c, 1)
	add := func(tags map[string]string) {
		t.Helper()
		if _, err := c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(name), Tags: tags}); err != nil {
			t.Fatalf("AddTagsToStream: %v", err)
		}
	}
	add(map[string]string{"team": "bench", "env": "ci"})
	add(map[string]string{"env": "local"})
	out, err := c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatalf("ListTagsForStream: %v", err)
	}
	got := map[string]string{}
	for _, tag := range out.Tags {
		got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	want := map[string]string{"team": "bench", "env": "local", targets.TagCreatedBy: targets.CreatedByValue}
	if len(got) != len(want) {
		t.Errorf("tags %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("tag %q = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	if aws.ToBool(out.HasMoreTags) {
		t.Error("HasMoreTags = true for 3 tags")
	}
	// Limit pages the tags in key order.
	out, err = c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(name), Limit: aws.Int32(1)})
	if err != nil {
		t.Fatalf("ListTagsForStream Limit 1: %v", err)
	}
	if len(out.Tags) != 1 || !aws.ToBool(out.HasMoreTags) {
		t.Errorf("ListTagsForStream Limit 1: %d tags, HasMoreTags %v; want 1, true", len(out.Tags), aws.ToBool(out.HasMoreTags))
	}
}

// testConsumers registers, describes, lists and deregisters an enhanced
// fan-out consumer.
func testConsumers(t *testing.T, c *kinesis.Client, engine string) {
	ctx := caseContext(t)
	name := createStream(t, c, 1)
	arn := describe(ctx, t, c, name).StreamARN
	reg, err := c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String("reader")})
	if err != nil {
		t.Fatalf("RegisterStreamConsumer: %v", err)
	}
	consumerARN := aws.ToString(reg.Consumer.ConsumerARN)
	wantPrefix := aws.ToString(arn) + "/consumer/reader:"
	if len(consumerARN) <= len(wantPrefix) || consumerARN[:len(wantPrefix)] != wantPrefix {
		t.Errorf("ConsumerARN = %q, want %s<creation timestamp>", consumerARN, wantPrefix)
	}
	if aws.ToString(reg.Consumer.ConsumerName) != "reader" {
		t.Errorf("ConsumerName = %q, want reader", aws.ToString(reg.Consumer.ConsumerName))
	}
	_, err = c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String("reader")})
	wantErr[*types.ResourceInUseException](t, "second RegisterStreamConsumer", err)

	var desc *types.ConsumerDescription
	poll(ctx, t, "consumer ACTIVE", func() (bool, error) {
		out, err := c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(consumerARN)})
		if err != nil {
			return false, err
		}
		desc = out.ConsumerDescription
		return desc.ConsumerStatus == types.ConsumerStatusActive, nil
	})
	if aws.ToString(desc.StreamARN) != aws.ToString(arn) || aws.ToString(desc.ConsumerName) != "reader" || desc.ConsumerCreationTimestamp == nil {
		t.Errorf("DescribeStreamConsumer = %+v, want StreamARN %s, name reader and a creation time", *desc, aws.ToString(arn))
	}
	// By StreamARN and ConsumerName instead of ConsumerARN.
	byName, err := c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String("reader")})
	if err != nil {
		t.Fatalf("DescribeStreamConsumer by name: %v", err)
	}
	if got := aws.ToString(byName.ConsumerDescription.ConsumerARN); got != consumerARN {
		t.Errorf("DescribeStreamConsumer by name: ARN %q, want %q", got, consumerARN)
	}

	list, err := c.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: arn})
	if err != nil {
		t.Fatalf("ListStreamConsumers: %v", err)
	}
	if len(list.Consumers) != 1 || aws.ToString(list.Consumers[0].ConsumerARN) != consumerARN {
		t.Errorf("ListStreamConsumers = %+v, want only %s", list.Consumers, consumerARN)
	}

	if _, err := c.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(consumerARN)}); err != nil {
		t.Fatalf("DeregisterStreamConsumer: %v", err)
	}
	// AWS shows DELETING for a while, then the consumer is gone.
	poll(ctx, t, "consumer gone", func() (bool, error) {
		out, err := c.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: arn})
		if err != nil {
			return false, err
		}
		return len(out.Consumers) == 0, nil
	})
	_, err = c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String(consumerARN)})
	wantErr[*types.ResourceNotFoundException](t, "DescribeStreamConsumer after deregistering", err)
}

// testDeleteStream deletes a stream and waits for it to be gone.
func testDeleteStream(t *testing.T, c *kinesis.Client, engine string) {
	ctx := caseContext(t)
	name := createStream(t, c, 1)
	if _, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String(name)}); err != nil {
		t.Fatalf("DeleteStream: %v", err)
	}
	// AWS keeps the stream DELETING for a while; then it is not found.
	poll(ctx, t, "stream gone", func() (bool, error) {
		out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if isErr[*types.ResourceNotFoundException](err) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		if st := out.StreamDescriptionSummary.StreamStatus; st != types.StreamStatusDeleting {
			t.Errorf("status after DeleteStream = %s, want DELETING or gone", st)
		}
		return false, nil
	})
	if listStreamsHas(t, c, name) {
		t.Errorf("ListStreams still lists deleted stream %s", name)
	}
	_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String("k"), Data: []byte("x")})
	wantErr[*types.ResourceNotFoundException](t, "PutRecord to deleted stream", err)
}
