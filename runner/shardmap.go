package runner

import (
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"math/big"
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// u128 is a 128-bit unsigned hash key as two big-endian words.
type u128 struct{ hi, lo uint64 }

func (a u128) less(b u128) bool { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo) }

func parseU128(s string) (u128, error) {
	n, ok := new(big.Int).SetString(s, 10)
	if !ok || n.Sign() < 0 || n.BitLen() > 128 {
		return u128{}, fmt.Errorf("hash key %q is not a 128-bit unsigned decimal", s)
	}
	var b [16]byte
	n.FillBytes(b[:])
	return u128{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}, nil
}

type shardRange struct {
	id     string
	lo, hi u128
}

// ShardMap routes partition keys to the open shards of a stream the way
// Kinesis does: the MD5 of the partition key read as a 128-bit big-endian
// integer, or the explicit hash key, falls in exactly one shard's range.
type ShardMap struct{ ranges []shardRange }

// NewShardMap builds a map from a ListShards result, keeping open shards only.
func NewShardMap(shards []types.Shard) (*ShardMap, error) {
	m := &ShardMap{}
	for _, s := range shards {
		if s.SequenceNumberRange != nil && s.SequenceNumberRange.EndingSequenceNumber != nil {
			continue
		}
		if s.ShardId == nil || s.HashKeyRange == nil || s.HashKeyRange.StartingHashKey == nil || s.HashKeyRange.EndingHashKey == nil {
			return nil, fmt.Errorf("shard without id or hash key range")
		}
		lo, err := parseU128(*s.HashKeyRange.StartingHashKey)
		if err != nil {
			return nil, err
		}
		hi, err := parseU128(*s.HashKeyRange.EndingHashKey)
		if err != nil {
			return nil, err
		}
		m.ranges = append(m.ranges, shardRange{id: *s.ShardId, lo: lo, hi: hi})
	}
	sort.Slice(m.ranges, func(i, j int) bool { return m.ranges[i].lo.less(m.ranges[j].lo) })
	return m, nil
}

// Len returns the number of open shards in the map.
func (m *ShardMap) Len() int { return len(m.ranges) }

// Shard returns the id of the shard a record with this partition key and
// explicit hash key ("" for none) is written to, or "unknown".
func (m *ShardMap) Shard(partitionKey, explicitHashKey string) string {
	var k u128
	if explicitHashKey != "" {
		var err error
		if k, err = parseU128(explicitHashKey); err != nil {
			return "unknown"
		}
	} else {
		sum := md5.Sum([]byte(partitionKey))
		k = u128{binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:])}
	}
	i := sort.Search(len(m.ranges), func(i int) bool { return k.less(m.ranges[i].lo) }) - 1
	if i < 0 || m.ranges[i].hi.less(k) {
		return "unknown"
	}
	return m.ranges[i].id
}
