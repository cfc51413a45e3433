package runner

import (
	"hash/fnv"
	"strconv"
	"strings"
)

// Share is the part of a producer instance's schedule one worker of a
// distributed run sends: of the records the instance's pacer schedules
// (n = 0, 1, 2, …), the worker Index of Count sends those with
// n mod Count == Index, at the times the pacer gives them. The workers'
// shares together are exactly the schedule one process would send, each
// record in exactly one share; each share is the rate profile scaled by
// 1/Count. The record's sequence number stays n, so the workers' sequence
// spaces are disjoint and a collector on any worker can tell whose record
// it read. Elsewhere means another worker sends the whole schedule (see
// Worker.instanceShare). The zero value is the whole schedule.
type Share struct {
	Index, Count int
	Elsewhere    bool
}

// part is the share of the schedule's records this share sends.
func (s Share) part() float64 {
	if s.Elsewhere {
		return 0
	}
	return 1 / float64(s.stride())
}

// stride is how far apart the share's records are: Count, or 1.
func (s Share) stride() uint64 {
	if s.Count < 1 {
		return 1
	}
	return uint64(s.Count)
}

// first returns the share's first record.
func (s Share) first() uint64 {
	if s.Count < 1 {
		return 0
	}
	return uint64(s.Index)
}

// next returns the share's record after n.
func (s Share) next(n uint64) uint64 { return n + s.stride() }

// local returns how many of the share's records come before n.
func (s Share) local(n uint64) uint64 { return n / s.stride() }

// Whole reports whether the share is the whole schedule (no split).
func (s Share) Whole() bool { return s.Count <= 1 }

// OwnsShard reports whether this worker reads the shard with the given id:
// each shard of the stream, parents and the children a reshard adds alike,
// is read by exactly one worker. Kinesis numbers shards in the order it
// makes them (shardId-000000000007), so the number modulo Count spreads both
// the first shards and the children evenly; an id without a number is
// placed by a hash of the whole id. Every worker computes the same answer
// without talking to the others.
func (s Share) OwnsShard(id string) bool {
	if s.Whole() {
		return true
	}
	return shardNumber(id)%uint64(s.Count) == uint64(s.Index)
}

// shardNumber is the trailing decimal number of a shard id, or a hash of the
// id when it has none.
func shardNumber(id string) uint64 {
	i := strings.LastIndexFunc(id, func(r rune) bool { return r < '0' || r > '9' })
	if digits := id[i+1:]; digits != "" {
		if n, err := strconv.ParseUint(digits, 10, 64); err == nil {
			return n
		}
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(id))
	return h.Sum64()
}
