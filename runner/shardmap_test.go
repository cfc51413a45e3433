package runner

import (
	"math/big"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// evenShards splits the hash key space into n ranges the way CreateStream does.
func evenShards(n int) []types.Shard {
	space := new(big.Int).Lsh(big.NewInt(1), 128)
	step := new(big.Int).Div(space, big.NewInt(int64(n)))
	var out []types.Shard
	for i := 0; i < n; i++ {
		lo := new(big.Int).Mul(step, big.NewInt(int64(i)))
		hi := new(big.Int).Sub(new(big.Int).Add(lo, step), big.NewInt(1))
		if i == n-1 {
			hi = new(big.Int).Sub(space, big.NewInt(1))
		}
		out = append(out, types.Shard{
			ShardId:             aws.String("shardId-00000000000" + string(rune('0'+i))),
			HashKeyRange:        &types.HashKeyRange{StartingHashKey: aws.String(lo.String()), EndingHashKey: aws.String(hi.String())},
			SequenceNumberRange: &types.SequenceNumberRange{StartingSequenceNumber: aws.String("1")},
		})
	}
	return out
}

func TestShardMap(t *testing.T) {
	shards := evenShards(4)
	closed := types.Shard{ShardId: aws.String("closed"), HashKeyRange: shards[0].HashKeyRange,
		SequenceNumberRange: &types.SequenceNumberRange{StartingSequenceNumber: aws.String("1"), EndingSequenceNumber: aws.String("2")}}
	m, err := NewShardMap(append(shards, closed))
	if err != nil {
		t.Fatal(err)
	}
	if m.Len() != 4 {
		t.Fatalf("Len = %d, want 4 (closed shards skipped)", m.Len())
	}
	cases := []struct{ pk, ehk, want string }{
		{"x", "0", "shardId-000000000000"},
		{"x", "340282366920938463463374607431768211455", "shardId-000000000003"},
		{"x", "170141183460469231731687303715884105728", "shardId-000000000002"},
		{"x", "170141183460469231731687303715884105727", "shardId-000000000001"},
		{"x", "340282366920938463463374607431768211456", "unknown"},
		{"x", "-1", "unknown"},
		// md5("a") = 0cc175b9…: below 2^128/4, so shard 0.
		{"a", "", "shardId-000000000000"},
		// md5("b") = 92eb5ffe…: in the third quarter.
		{"b", "", "shardId-000000000002"},
	}
	for _, c := range cases {
		if got := m.Shard(c.pk, c.ehk); got != c.want {
			t.Errorf("Shard(%q, %q) = %s, want %s", c.pk, c.ehk, got, c.want)
		}
	}
}
