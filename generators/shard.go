package generators

import (
	"crypto/md5"
	"encoding/binary"
	"math"
	"math/bits"
	"strconv"
)

// ShardForKey returns the index (0..shards-1) of the shard a record with
// this partition key and explicit hash key lands on when the stream's hash
// key space 0..2^128-1 is split evenly over shards the way CreateStream
// splits it: shard i starts at i × ⌊2^128/shards⌋ and the last shard ends at
// 2^128-1. The hash is explicitHashKey (a decimal integer) when it is not
// "", and otherwise the MD5 of partitionKey read as a big-endian 128-bit
// unsigned integer. It returns -1 when shards < 1 or explicitHashKey is not
// a decimal integer in 0..2^128-1.
func ShardForKey(partitionKey, explicitHashKey string, shards int) int {
	if shards < 1 {
		return -1
	}
	var h u128
	if explicitHashKey != "" {
		var ok bool
		if h, ok = parseU128(explicitHashKey); !ok {
			return -1
		}
	} else {
		sum := md5.Sum([]byte(partitionKey))
		h = u128{binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:])}
	}
	return shardOf(h, shards)
}

// u128 is an unsigned 128-bit integer.
type u128 struct{ hi, lo uint64 }

var maxU128 = u128{math.MaxUint64, math.MaxUint64}

// less reports whether x < y.
func (x u128) less(y u128) bool { return x.hi < y.hi || x.hi == y.hi && x.lo < y.lo }

// mul returns x × k; the caller keeps the product below 2^128.
func (x u128) mul(k uint64) u128 {
	hi, lo := bits.Mul64(x.lo, k)
	return u128{x.hi*k + hi, lo}
}

// sub returns x − y for y ≤ x.
func (x u128) sub(y u128) u128 {
	lo, borrow := bits.Sub64(x.lo, y.lo, 0)
	return u128{x.hi - y.hi - borrow, lo}
}

// add returns x + y; the caller keeps the sum below 2^128.
func (x u128) add(y u128) u128 {
	lo, carry := bits.Add64(x.lo, y.lo, 0)
	return u128{x.hi + y.hi + carry, lo}
}

// half returns x / 2.
func (x u128) half() u128 { return u128{x.hi >> 1, x.lo>>1 | x.hi<<63} }

// String returns x in decimal.
func (x u128) String() string {
	if x.hi == 0 {
		return strconv.FormatUint(x.lo, 10)
	}
	const d = 1e19 // the largest power of ten below 2^64
	qhi, r := x.hi/d, x.hi%d
	qlo, rem := bits.Div64(r, x.lo, d)
	low := strconv.FormatUint(rem, 10)
	var pad [19]byte
	for i := range pad {
		pad[i] = '0'
	}
	return u128{qhi, qlo}.String() + string(pad[:19-len(low)]) + low
}

// parseU128 parses a decimal integer in 0..2^128-1.
func parseU128(s string) (u128, bool) {
	if s == "" {
		return u128{}, false
	}
	var x u128
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return u128{}, false
		}
		ohi, hi := bits.Mul64(x.hi, 10)
		carry, lo := bits.Mul64(x.lo, 10)
		hi, c1 := bits.Add64(hi, carry, 0)
		lo, c2 := bits.Add64(lo, uint64(c-'0'), 0)
		hi, c3 := bits.Add64(hi, c2, 0)
		if ohi != 0 || c1 != 0 || c3 != 0 {
			return u128{}, false
		}
		x = u128{hi, lo}
	}
	return x, true
}

// shardStep returns ⌊2^128/n⌋ for n ≥ 2: the width of every shard's hash
// key range but the last.
func shardStep(n int) u128 {
	d := uint64(n)
	// ⌊(2^128−1)/n⌋, plus one when n divides 2^128.
	qhi, r := math.MaxUint64/d, math.MaxUint64%d
	qlo, rem := bits.Div64(r, math.MaxUint64, d)
	q := u128{qhi, qlo}
	if rem == d-1 {
		q = q.add(u128{0, 1})
	}
	return q
}

// shardOf maps hash h to its shard when the key space is split evenly over
// n ≥ 1 shards.
func shardOf(h u128, n int) int {
	if n == 1 {
		return 0
	}
	// ⌊h·n/2^128⌋ is the answer or one less than it, because the ranges are
	// ⌊2^128/n⌋ wide, a little narrower than 2^128/n.
	k := uint64(n)
	carry, _ := bits.Mul64(h.lo, k)
	hi, lo := bits.Mul64(h.hi, k)
	_, c := bits.Add64(lo, carry, 0)
	q := hi + c
	if q+1 < k && !h.less(shardStep(n).mul(q+1)) {
		q++
	}
	return int(q)
}

// shardMidpoint returns the middle of shard i's hash key range, of n.
func shardMidpoint(i, n int) u128 {
	if n == 1 {
		return maxU128.half()
	}
	step := shardStep(n)
	start := step.mul(uint64(i))
	end := maxU128
	if i < n-1 {
		end = step.mul(uint64(i + 1)).sub(u128{0, 1})
	}
	return start.add(end.sub(start).half())
}
