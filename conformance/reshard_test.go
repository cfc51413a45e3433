package conformance

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// testUpdateShardCount doubles a two-shard stream with UNIFORM_SCALING and
// checks the shard lineage, that the parents' records stay readable, that a
// drained parent points to its children, and that new writes reach the
// children.
func testUpdateShardCount(t *testing.T, c *kinesis.Client, engine string) {
	ctx := caseContext(t)
	name := createStream(t, c, 2)
	parents := describe(ctx, t, c, name).Shards
	parentIDs := []string{aws.ToString(parents[0].ShardId), aws.ToString(parents[1].ShardId)}

	entries := make([]types.PutRecordsRequestEntry, 20)
	for i := range entries {
		entries[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("before-%d", i)), Data: []byte(fmt.Sprintf("before %d", i))}
	}
	put, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
	if err != nil || aws.ToInt32(put.FailedRecordCount) != 0 {
		t.Fatalf("PutRecords before resharding: %v (failed %d)", err, aws.ToInt32(put.FailedRecordCount))
	}
	wantData := map[string][][]byte{} // parent shard -> data in write order
	for i, r := range put.Records {
		wantData[aws.ToString(r.ShardId)] = append(wantData[aws.ToString(r.ShardId)], entries[i].Data)
	}

	usc, err := c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{
		StreamName: aws.String(name), TargetShardCount: aws.Int32(4), ScalingType: types.ScalingTypeUniformScaling,
	})
	if err != nil {
		t.Fatalf("UpdateShardCount 2 -> 4: %v", err)
	}
	if aws.ToInt32(usc.CurrentShardCount) != 2 || aws.ToInt32(usc.TargetShardCount) != 4 {
		t.Errorf("UpdateShardCount: current %d target %d, want 2 and 4", aws.ToInt32(usc.CurrentShardCount), aws.ToInt32(usc.TargetShardCount))
	}
	var open int32
	poll(ctx, t, "stream ACTIVE after UpdateShardCount", func() (bool, error) {
		out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err != nil {
			return false, err
		}
		open = aws.ToInt32(out.StreamDescriptionSummary.OpenShardCount)
		return out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive && open == 4, nil
	})

	all := shards(ctx, t, c, name)
	if len(all) != 6 {
		t.Fatalf("ListShards after 2 -> 4: %d shards, want 6 (2 closed parents, 4 children)", len(all))
	}
	children := openShards(all)
	if len(children) != 4 {
		t.Fatalf("%d open shards after 2 -> 4, want 4", len(children))
	}
	checkPartition(t, children)
	for _, s := range all {
		id := aws.ToString(s.ShardId)
		if slices.Contains(parentIDs, id) {
			if s.SequenceNumberRange.EndingSequenceNumber == nil {
				t.Errorf("parent %s: no EndingSequenceNumber after resharding", id)
			}
			continue
		}
		if !slices.Contains(parentIDs, aws.ToString(s.ParentShardId)) {
			t.Errorf("child %s: ParentShardId %q, want one of %v", id, aws.ToString(s.ParentShardId), parentIDs)
		}
		// Uniform 2 -> 4 splits each parent in two: one parent per child.
		if s.AdjacentParentShardId != nil {
			t.Errorf("child %s: AdjacentParentShardId %s, want none for a split", id, aws.ToString(s.AdjacentParentShardId))
		}
	}

	// Each parent still yields exactly its records, then ends with its children.
	for _, p := range parentIDs {
		it := mustIterator(ctx, t, c, &kinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: aws.String(p), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		got, last := readN(ctx, t, c, it, 1<<20) // until the shard ends
		if len(got) != len(wantData[p]) {
			t.Errorf("parent %s: read %d records, want %d", p, len(got), len(wantData[p]))
		} else {
			for i, r := range got {
				if !bytes.Equal(r.Data, wantData[p][i]) {
					t.Errorf("parent %s record %d: %q, want %q", p, i, r.Data, wantData[p][i])
				}
			}
		}
		if last == nil || last.NextShardIterator != nil {
			t.Errorf("parent %s: NextShardIterator still set after the shard was drained", p)
			continue
		}
		if len(last.ChildShards) != 2 {
			t.Errorf("parent %s drained: %d ChildShards, want 2", p, len(last.ChildShards))
		}
		for _, ch := range last.ChildShards {
			if !slices.Contains(ch.ParentShards, p) {
				t.Errorf("parent %s drained: child %s lists parents %v", p, aws.ToString(ch.ShardId), ch.ParentShards)
			}
		}
	}

	// New writes go to the children only.
	for i := range 8 {
		key := fmt.Sprintf("after-%d", i)
		out, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), PartitionKey: aws.String(key), Data: []byte(key)})
		if err != nil {
			t.Fatalf("PutRecord after resharding: %v", err)
		}
		if want := shardFor(t, children, partitionHash(key)); aws.ToString(out.ShardId) != want {
			t.Errorf("PutRecord %s after resharding: shard %s, want child %s", key, aws.ToString(out.ShardId), want)
		}
	}
}
