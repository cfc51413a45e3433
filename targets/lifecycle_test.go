package targets

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// testLifecycle runs the stream lifecycle every local target must support:
// create a 2-shard stream, list its shards, put records, read them all back
// through shard iterators, refuse a duplicate create, use it as existing,
// delete it and see it gone.
func testLifecycle(t *testing.T, tgt *Target) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	var attempts Attempts
	c, err := tgt.Client(ctx, ClientOptions{MaxAttempts: 1, MaxConns: 4, Timeout: 10 * time.Second, Attempts: &attempts})
	if err != nil {
		t.Fatalf("Client: %v", err)
	}
	name := fmt.Sprintf("kbench-test-%d", time.Now().UnixNano())
	created, err := EnsureStream(ctx, c, StreamSpec{Name: name, Shards: 2, RunID: "run-1"})
	if err != nil || !created {
		t.Fatalf("EnsureStream = %v, %v; want true, nil", created, err)
	}
	deleted := false
	t.Cleanup(func() {
		if !deleted {
			_ = DeleteStream(context.Background(), c, name)
		}
	})

	if _, err := EnsureStream(ctx, c, StreamSpec{Name: name, Shards: 2}); !errors.Is(err, ErrStreamExists) {
		t.Errorf("second EnsureStream error = %v, want ErrStreamExists", err)
	}
	if created, err := EnsureStream(ctx, c, StreamSpec{Name: name, UseExisting: true}); err != nil || created {
		t.Errorf("EnsureStream(UseExisting) = %v, %v; want false, nil", created, err)
	}
	tags, err := c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatalf("ListTagsForStream: %v", err)
	}
	got := map[string]string{}
	for _, tg := range tags.Tags {
		got[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	if got[TagRunID] != "run-1" || got[TagCreatedBy] != CreatedByValue {
		t.Errorf("tags = %v, want %s=run-1 and %s=%s", got, TagRunID, TagCreatedBy, CreatedByValue)
	}

	shards, err := Shards(ctx, c, name)
	if err != nil {
		t.Fatalf("Shards: %v", err)
	}
	if len(shards) != 2 {
		t.Fatalf("Shards returned %d shards, want 2", len(shards))
	}

	const n = 20
	var entries []types.PutRecordsRequestEntry
	for i := range n {
		entries = append(entries, types.PutRecordsRequestEntry{
			Data:         fmt.Appendf(nil, "record-%d", i),
			PartitionKey: aws.String(fmt.Sprintf("key-%d", i)),
		})
	}
	put, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
	if err != nil {
		t.Fatalf("PutRecords: %v", err)
	}
	if aws.ToInt32(put.FailedRecordCount) != 0 {
		t.Fatalf("PutRecords failed %d records", aws.ToInt32(put.FailedRecordCount))
	}

	seen := map[string]bool{}
	for _, sh := range shards {
		it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
			StreamName:        aws.String(name),
			ShardId:           sh.ShardId,
			ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
		})
		if err != nil {
			t.Fatalf("GetShardIterator(%s): %v", aws.ToString(sh.ShardId), err)
		}
		iter := it.ShardIterator
		for range 5 { // a shard's records may take a few calls to show up
			out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				t.Fatalf("GetRecords(%s): %v", aws.ToString(sh.ShardId), err)
			}
			for _, r := range out.Records {
				seen[string(r.Data)] = true
			}
			if iter = out.NextShardIterator; iter == nil || aws.ToInt64(out.MillisBehindLatest) == 0 && len(out.Records) == 0 {
				break
			}
		}
	}
	if len(seen) != n {
		t.Errorf("read back %d distinct records, want %d", len(seen), n)
	}

	if err := DeleteStream(ctx, c, name); err != nil {
		t.Fatalf("DeleteStream: %v", err)
	}
	deleted = true
	if _, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)}); !isNotFound(err) {
		t.Errorf("DescribeStreamSummary after delete: %v, want ResourceNotFoundException", err)
	}
	if err := DeleteStream(ctx, c, name); err != nil {
		t.Errorf("DeleteStream of a gone stream: %v, want nil", err)
	}
	if attempts.Count() < 10 {
		t.Errorf("Attempts counted %d HTTP attempts, want at least 10", attempts.Count())
	}
}
