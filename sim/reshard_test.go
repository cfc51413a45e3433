package sim

import (
	"context"
	"math/big"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func TestReshard(t *testing.T) {
	cfg := testConfig()
	cfg.Quotas = QuotasOff
	_, c := startSim(t, cfg)
	ctx := context.Background()
	createStream(t, c, "rs", 2)
	putN(t, c, "rs", 0, 100)
	out, err := c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("rs"), TargetShardCount: aws.Int32(4), ScalingType: types.ScalingTypeUniformScaling})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(out.CurrentShardCount) != 2 || aws.ToInt32(out.TargetShardCount) != 4 {
		t.Errorf("UpdateShardCount = %+v", out)
	}
	putN(t, c, "rs", 100, 100)

	shards := listShards(t, c, "rs")
	if len(shards) != 6 {
		t.Fatalf("%d shards after split, want 6", len(shards))
	}
	// Parents are closed; children split the space evenly, two per parent.
	quarter := new(big.Int).Lsh(big.NewInt(1), 126)
	for i, sh := range shards {
		closed := sh.SequenceNumberRange.EndingSequenceNumber != nil
		if closed != (i < 2) {
			t.Errorf("shard %d closed=%v", i, closed)
		}
		if i < 2 {
			continue
		}
		start, _ := new(big.Int).SetString(aws.ToString(sh.HashKeyRange.StartingHashKey), 10)
		if want := new(big.Int).Mul(quarter, big.NewInt(int64(i-2))); start.Cmp(want) != 0 {
			t.Errorf("child %d starts at %s, want %s", i, start, want)
		}
		if want := shardID((i - 2) / 2); aws.ToString(sh.ParentShardId) != want || sh.AdjacentParentShardId != nil {
			t.Errorf("child %d parent %s adjacent %v, want %s", i, aws.ToString(sh.ParentShardId), sh.AdjacentParentShardId, want)
		}
	}

	// Reading each parent to its end, then its children, loses nothing.
	seen := map[string]bool{}
	for _, p := range shards[:2] {
		recs, last := readAll(t, c, iter(t, c, "rs", aws.ToString(p.ShardId), types.ShardIteratorTypeTrimHorizon, "", nil))
		if last.NextShardIterator != nil || len(last.ChildShards) != 2 {
			t.Errorf("parent %s end: next %v, %d children", aws.ToString(p.ShardId), last.NextShardIterator, len(last.ChildShards))
		}
		for _, r := range recs {
			seen[string(r.Data)] = true
		}
	}
	for _, ch := range shards[2:] {
		recs, _ := readAll(t, c, iter(t, c, "rs", aws.ToString(ch.ShardId), types.ShardIteratorTypeTrimHorizon, "", nil))
		for _, r := range recs {
			seen[string(r.Data)] = true
		}
	}
	if len(seen) != 200 {
		t.Errorf("read %d distinct records of 200", len(seen))
	}

	// Merging back: children with two parents.
	if _, err := c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("rs"), TargetShardCount: aws.Int32(2), ScalingType: types.ScalingTypeUniformScaling}); err != nil {
		t.Fatal(err)
	}
	shards = listShards(t, c, "rs")
	if n := len(shards); n != 8 || aws.ToString(shards[6].ParentShardId) != shardID(2) || aws.ToString(shards[6].AdjacentParentShardId) != shardID(3) {
		t.Errorf("after merge: %d shards, last two %+v", n, shards[6:])
	}
	for _, tt := range []struct {
		target int32
		is     func(error) bool
	}{{5, isErr[*types.InvalidArgumentException]}, {2, isErr[*types.InvalidArgumentException]}} {
		_, err := c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("rs"), TargetShardCount: aws.Int32(tt.target), ScalingType: types.ScalingTypeUniformScaling})
		if !tt.is(err) {
			t.Errorf("target %d: %v", tt.target, err)
		}
	}
}

func TestReshardStatus(t *testing.T) {
	_, c := startSim(t, DefaultConfig())
	ctx := context.Background()
	createStream(t, c, "u", 1)
	if _, err := c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("u"), TargetShardCount: aws.Int32(2), ScalingType: types.ScalingTypeUniformScaling}); err != nil {
		t.Fatal(err)
	}
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("u")})
	if err != nil || sum.StreamDescriptionSummary.StreamStatus != types.StreamStatusUpdating {
		t.Fatalf("status after UpdateShardCount: %v %v", err, sum.StreamDescriptionSummary.StreamStatus)
	}
	_, err = c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("u"), TargetShardCount: aws.Int32(4), ScalingType: types.ScalingTypeUniformScaling})
	if !isErr[*types.ResourceInUseException](err) {
		t.Errorf("UpdateShardCount while UPDATING: %v", err)
	}
	putN(t, c, "u", 0, 10) // writes continue while UPDATING
	waitActive(t, c, "u")
}
