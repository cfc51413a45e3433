package sim

import "strconv"

// Sequence numbers are 56-digit decimal strings, the length of AWS's:
// seqPrefix (28 digits, beginning "49" as AWS's do), the shard's index in
// its stream (6 digits) and the record's per-shard counter (22 digits).
// They increase within a shard, are unique within a stream, and compare
// the same as strings and as numbers. Counter 0 names the position before
// a shard's first record (its StartingSequenceNumber); records count
// from 1.
const (
	seqPrefix   = "4959033827149025660855969253"
	seqIdxLen   = 6
	seqCountLen = 22
	seqLen      = len(seqPrefix) + seqIdxLen + seqCountLen
	maxShardIdx = 999999
)

// appendSeq appends the sequence number of counter in shard idx.
func appendSeq(b []byte, idx int, counter uint64) []byte {
	b = append(b, seqPrefix...)
	b = appendPadded(b, uint64(idx), seqIdxLen)
	return appendPadded(b, counter, seqCountLen)
}

func seqString(idx int, counter uint64) string {
	var b [seqLen]byte
	return string(appendSeq(b[:0], idx, counter))
}

// appendPadded appends v in decimal, zero-padded to width digits.
func appendPadded(b []byte, v uint64, width int) []byte {
	n := len(b)
	for range width {
		b = append(b, '0')
	}
	for i := len(b) - 1; i >= n && v > 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return b
}

// parseSeq splits a sequence number into shard index and counter.
func parseSeq(s string) (idx int, counter uint64, ok bool) {
	if len(s) != seqLen || s[:len(seqPrefix)] != seqPrefix {
		return 0, 0, false
	}
	i, err1 := strconv.ParseUint(s[len(seqPrefix):len(seqPrefix)+seqIdxLen], 10, 32)
	c, err2 := strconv.ParseUint(s[len(seqPrefix)+seqIdxLen:], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return int(i), c, true
}

// shardID is the ShardId of the shard with index idx.
func shardID(idx int) string {
	var b [20]byte
	return string(appendPadded(append(b[:0], "shardId-"...), uint64(idx), 12))
}

// parseShardID returns the index in a ShardId ("shardId-000000000003", or
// AWS's short form "3" is not accepted).
func parseShardID(id string) (int, bool) {
	const prefix = "shardId-"
	if len(id) != len(prefix)+12 || id[:len(prefix)] != prefix {
		return 0, false
	}
	n := 0
	for _, c := range []byte(id[len(prefix):]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if n > maxShardIdx {
		return 0, false
	}
	return n, true
}
