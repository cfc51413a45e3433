package metrics

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// OrderDepth is how many of a key's highest consumed sequence numbers an
// OrderTable keeps: a record's displacement is exact up to OrderDepth-1 and
// shown as OrderDepth when it came behind OrderDepth or more of its key's
// records.
const OrderDepth = 6

// DefaultOrderKeys is the default capacity of an OrderTable in keys: it is
// exact while it tracks at most this many (producer, partition key) pairs.
const DefaultOrderKeys = 1 << 16

// orderStripes is the number of independently locked parts of an
// OrderTable; shard readers of one application rarely contend.
const orderStripes = 64

// OrderResult is what OrderTable.Observe says about one record.
type OrderResult struct {
	// Late marks a record consumed after a record of the same producer and
	// partition key with a higher sequence number.
	Late bool
	// Displacement is, for a late record, how many records of its key with
	// higher sequence numbers were consumed before it, at most OrderDepth.
	Displacement int
	// FirstLate marks the first late record of its key.
	FirstLate bool
}

// OrderTable tracks, for one consumer application, the production order of
// the records it consumes, by producer and partition key. Production order
// is the producer's sequence number: a producer numbers its records as it
// generates them, so of two records of one key, the one with the lower
// sequence number was produced first.
//
// A record is late (out of order) when a record of the same producer and key
// with a higher sequence number was consumed before it. Its displacement is
// the number of such records: how many of its key's records it came behind.
// Feed Observe only first deliveries (duplicates excluded).
//
// Memory is bounded: per-key state lives in a fixed-size table split into
// stripes. While every key fits, the counts are exact. When a stripe fills,
// it halves the share of keys it tracks (by hash, so a key is either tracked
// from then on or not at all) and forgets the keys it drops; from then on
// only the tracked keys' records are checked. Exact and SampledShare say
// which happened. It is safe for concurrent use.
type OrderTable struct {
	seed    maphash.Seed
	perPart int // slots per stripe, a power of two
	parts   [orderStripes]orderStripe
}

type orderStripe struct {
	mu    sync.Mutex
	slots []orderSlot // nil until first use
	used  int
	level uint8 // keys whose hash's top level bits are not all zero are dropped
}

// orderSlot is one key's state: its hash (0 marks an empty slot) and the
// highest sequence numbers consumed, ascending. It fills one 64-byte cache
// line: with many keys, the table is read from memory, not cache.
type orderSlot struct {
	h   uint64
	top [OrderDepth]uint64
	n   uint8
	hit bool // the key had a late record
}

// NewOrderTable returns a table that is exact for up to keys keys (rounded
// up to a power of two; DefaultOrderKeys when keys < 1).
func NewOrderTable(keys int) *OrderTable {
	if keys < 1 {
		keys = DefaultOrderKeys
	}
	per := 16
	for per*orderStripes*3/4 < keys {
		per *= 2
	}
	return &OrderTable{seed: maphash.MakeSeed(), perPart: per}
}

// Observe checks record seq of producer with partition key against the
// records of the key consumed before it, and remembers it.
func (t *OrderTable) Observe(producer uint32, key string, seq uint64) OrderResult {
	h := maphash.String(t.seed, key) ^ (uint64(producer)+1)*0x9e3779b97f4a7c15
	h |= 1 // 0 marks an empty slot; bits 1-6 pick the stripe, the rest the slot
	p := &t.parts[(h>>1)%orderStripes]
	p.mu.Lock()
	res := p.observe(h, seq, t.perPart)
	p.mu.Unlock()
	return res
}

// observe is Observe within the stripe, locked.
func (p *orderStripe) observe(h, seq uint64, size int) OrderResult {
	if h>>(64-p.level) != 0 { // a shift by 64 is 0: level 0 tracks every key
		return OrderResult{}
	}
	if p.slots == nil {
		p.slots = make([]orderSlot, size)
	}
	s, ok := p.find(h)
	if !ok {
		if p.used+1 > len(p.slots)*3/4 {
			p.shrink()
			if h>>(64-p.level) != 0 {
				return OrderResult{}
			}
			s, _ = p.find(h)
		}
		p.used++
		s.h = h
	}
	return s.observe(seq)
}

// find returns h's slot, or the empty slot where it belongs.
func (p *orderStripe) find(h uint64) (*orderSlot, bool) {
	mask := uint64(len(p.slots) - 1)
	for i := (h >> 7) & mask; ; i = (i + 1) & mask {
		s := &p.slots[i]
		if s.h == h {
			return s, true
		}
		if s.h == 0 {
			return s, false
		}
	}
}

// shrink halves the share of keys the stripe tracks until it is at most
// half full, dropping the keys no longer tracked.
func (p *orderStripe) shrink() {
	old := p.slots
	for p.used > len(old)/2 && p.level < 63 {
		p.level++
		p.used = 0
		for i := range old {
			if h := old[i].h; h != 0 && h>>(64-p.level) == 0 {
				p.used++
			}
		}
	}
	p.slots = make([]orderSlot, len(old))
	for i := range old {
		if h := old[i].h; h != 0 && h>>(64-p.level) == 0 {
			s, _ := p.find(h)
			*s = old[i]
		}
	}
}

// observe checks and remembers seq.
func (s *orderSlot) observe(seq uint64) OrderResult {
	n := int(s.n)
	if n == 0 || seq > s.top[n-1] { // in order: the common case
		if n < OrderDepth {
			s.top[n] = seq
			s.n++
		} else {
			copy(s.top[:], s.top[1:])
			s.top[OrderDepth-1] = seq
		}
		return OrderResult{}
	}
	// Late: count the higher ones kept. When the table is full and seq is
	// below all of them, there may be more above it that were dropped.
	i := n
	for i > 0 && s.top[i-1] > seq {
		i--
	}
	res := OrderResult{Late: true, Displacement: n - i, FirstLate: !s.hit}
	s.hit = true
	if i == 0 && n == OrderDepth {
		res.Displacement = OrderDepth
		return res
	}
	if n < OrderDepth {
		copy(s.top[i+1:n+1], s.top[i:n])
		s.top[i] = seq
		s.n++
	} else { // drop the lowest to keep the highest OrderDepth
		copy(s.top[:i-1], s.top[1:i])
		s.top[i-1] = seq
	}
	return res
}

// Exact reports whether every key was tracked from its first record on: no
// stripe ever had to drop keys.
func (t *OrderTable) Exact() bool {
	for i := range t.parts {
		p := &t.parts[i]
		p.mu.Lock()
		l := p.level
		p.mu.Unlock()
		if l > 0 {
			return false
		}
	}
	return true
}

// SampledShare returns the share of keys the table tracks now: 1 while it
// is exact, less once stripes dropped keys.
func (t *OrderTable) SampledShare() float64 {
	var sum float64
	for i := range t.parts {
		p := &t.parts[i]
		p.mu.Lock()
		sum += 1 / float64(uint64(1)<<p.level)
		p.mu.Unlock()
	}
	return sum / orderStripes
}

// OrderCounts are the out-of-order counts of one view (a consumer
// application, a shard, the run). It is safe for concurrent use.
type OrderCounts struct {
	OutOfOrder      atomic.Int64 // late records
	OutOfOrderKeys  atomic.Int64 // keys with at least one late record
	MaxDisplacement atomic.Int64 // largest displacement of a late record
}

// Add counts one late record.
func (c *OrderCounts) Add(r OrderResult) {
	c.OutOfOrder.Add(1)
	if r.FirstLate {
		c.OutOfOrderKeys.Add(1)
	}
	d := int64(r.Displacement)
	for {
		old := c.MaxDisplacement.Load()
		if d <= old || c.MaxDisplacement.CompareAndSwap(old, d) {
			return
		}
	}
}
