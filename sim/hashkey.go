package sim

import (
	"crypto/md5"
	"encoding/binary"
	"math/big"
	"math/bits"
)

// u128 is a 128-bit unsigned hash key, compared as two uint64 halves on the
// hot path; math/big is used only to format and split ranges.
type u128 struct{ hi, lo uint64 }

var maxHashKey = u128{^uint64(0), ^uint64(0)}

func (a u128) less(b u128) bool { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo) }

func (a u128) big() *big.Int {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], a.hi)
	binary.BigEndian.PutUint64(b[8:], a.lo)
	return new(big.Int).SetBytes(b[:])
}

func u128FromBig(x *big.Int) u128 {
	var b [16]byte
	x.FillBytes(b[:])
	return u128{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])}
}

// String formats a in decimal, as Kinesis writes hash keys.
func (a u128) String() string { return a.big().String() }

// hashPartitionKey is the MD5 of key read as a big-endian 128-bit integer.
func hashPartitionKey(key []byte) u128 {
	sum := md5.Sum(key)
	return u128{binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:])}
}

// parseHashKey parses an ExplicitHashKey. It returns a validation error for
// text that is not a decimal integer of at most 39 digits (AWS's pattern)
// and an InvalidArgument error for values beyond 2^128-1.
func parseHashKey(s []byte) (u128, *apiError) {
	if len(s) == 0 || len(s) > 39 || (s[0] == '0' && len(s) > 1) {
		return u128{}, errValidate("Value '%s' at 'explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})", echo(s))
	}
	var v u128
	for _, c := range s {
		if c < '0' || c > '9' {
			return u128{}, errValidate("Value '%s' at 'explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})", echo(s))
		}
		// v = v*10 + d, detecting overflow past 2^128-1.
		hh, hl := bits.Mul64(v.hi, 10)
		lh, ll := bits.Mul64(v.lo, 10)
		hi, c1 := bits.Add64(hl, lh, 0)
		lo, c2 := bits.Add64(ll, uint64(c-'0'), 0)
		hi, c3 := bits.Add64(hi, 0, c2)
		if hh != 0 || c1 != 0 || c3 != 0 {
			return u128{}, errInvalid("ExplicitHashKey %s is outside the hash key range 0..340282366920938463463374607431768211455", echo(s))
		}
		v = u128{hi, lo}
	}
	return v, nil
}

// splitHashSpace returns n ranges covering 0..2^128-1 evenly, as
// CreateStream and uniform resharding do: range i starts at i*floor(2^128/n)
// and the last range ends at 2^128-1.
func splitHashSpace(n int) []hashRange {
	space := new(big.Int).Lsh(big.NewInt(1), 128)
	width := new(big.Int).Div(space, big.NewInt(int64(n)))
	ranges := make([]hashRange, n)
	for i := range n {
		start := new(big.Int).Mul(width, big.NewInt(int64(i)))
		ranges[i].start = u128FromBig(start)
		if i == n-1 {
			ranges[i].end = maxHashKey
		} else {
			ranges[i].end = u128FromBig(start.Add(start, width).Sub(start, big.NewInt(1)))
		}
	}
	return ranges
}

// hashRange is an inclusive range of hash keys.
type hashRange struct{ start, end u128 }

func (r hashRange) overlaps(o hashRange) bool { return !r.end.less(o.start) && !o.end.less(r.start) }

// plusOne is a+1; the caller keeps a below the maximum.
func (a u128) plusOne() u128 {
	if a.lo == ^uint64(0) {
		return u128{a.hi + 1, 0}
	}
	return u128{a.hi, a.lo + 1}
}

// minusOne is a-1; the caller keeps a above zero.
func (a u128) minusOne() u128 {
	if a.lo == 0 {
		return u128{a.hi - 1, ^uint64(0)}
	}
	return u128{a.hi, a.lo - 1}
}
