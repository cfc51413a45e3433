package metrics

import (
	"encoding/binary"
	"hash/fnv"
	"hash/maphash"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
)

// DefaultOrderKeys is the default capacity of an OrderTable in keys: it is
// exact while it tracks at most this many (producer, partition key) pairs.
const DefaultOrderKeys = 1 << 16

// DefaultOrderEntries is the default number of sequence numbers an
// OrderTable holds at most, over all its keys (8 bytes each).
const DefaultOrderEntries = 1 << 21

// orderStripes is the number of independently locked parts of an
// OrderTable; shard readers of one application rarely contend.
const orderStripes = 64

// OrderResult is what OrderTable.Observe says about one record.
type OrderResult struct {
	// Late marks a record consumed after a record of the same producer and
	// partition key with a higher sequence number.
	Late bool
	// Displacement is, for a late record, how many records of its key with
	// higher sequence numbers were consumed before it.
	Displacement int
	// FirstLate marks the first late record of its producer's key, in any
	// share (ObserveShare).
	FirstLate bool
}

// OrderTable tracks, for one consumer application, which records it has
// consumed and the production order it consumed them in, by producer and
// partition key. Production order is the producer's sequence number: a
// producer numbers its records as it generates them, so of two records of
// one key, the one with the lower sequence number was produced first.
//
// A record is late (out of order) when a record of the same producer and key
// with a higher sequence number was consumed before it. Its displacement is
// the number of such records: how many of its key's records it came behind.
// Duplicates (records consumed before) are reported as such and never late.
//
// Displacements are exact, however large. For each key the table keeps the
// sequence numbers consumed at or above its producer's watermark, the lowest
// sequence number not consumed yet: every record consumed later is at or
// above it, so the ones below can never count in a displacement and are
// dropped. A record that never arrives holds its producer's watermark back
// and so keeps its keys' numbers, unless Skip names it.
//
// Memory is bounded: per-key state lives in a fixed-size table split into
// stripes, and each stripe holds at most its share of a fixed number of
// sequence numbers. While both fit, the counts are exact. When a stripe
// fills, it drops the numbers below the watermarks, and when that is not
// enough it halves the share of keys it tracks (by hash, so a key is either
// tracked from then on or not at all) and forgets the keys it drops; from
// then on only the tracked keys' records are checked. Exact and SampledShare
// say which happened. It is safe for concurrent use.
type OrderTable struct {
	seed    maphash.Seed
	perPart int // slots per stripe, a power of two
	budget  int // sequence numbers per stripe
	seen    []*SeqSet
	skip    []*SeqSet       // per producer: numbers the watermark passes over; see Skip
	lows    []atomic.Uint64 // per producer: every sequence number below is in seen or skip
	parts   [orderStripes]orderStripe

	// late holds the OrderKeyID of every (producer, key) pair that had a
	// late record, up to maxLateKeys: a key counts once however many
	// shares of its producer (ObserveShare) or forgotten slots it had.
	lateMu   sync.Mutex
	late     map[uint64]struct{}
	lateFull bool
}

// maxLateKeys bounds OrderTable's set of out-of-order keys (16 bytes or so
// each); beyond it a key late in two shares may count twice and Exact is
// false.
const maxLateKeys = 1 << 20

// OrderKeyID identifies a producer's partition key the same way in every
// process (FNV-1a over both), so the workers of a distributed run can name
// their out-of-order keys to kbench merge.
func OrderKeyID(producer uint32, key string) uint64 {
	h := fnv.New64a()
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], producer)
	_, _ = h.Write(b[:])
	_, _ = h.Write([]byte(key))
	return h.Sum64()
}

type orderStripe struct {
	mu      sync.Mutex
	slots   []orderSlot // nil until first use
	used    int         // keys held
	entries int         // sequence numbers held, over all keys
	level   uint8       // keys whose hash's top level bits are not all zero are dropped
}

// orderSlot is one key's state: its hash (0 marks an empty slot), its
// producer, and the key's sequence numbers consumed at or above the
// producer's watermark when last pruned, ascending.
type orderSlot struct {
	h        uint64
	seqs     []uint64
	producer uint32
	hit      bool // the key had a late record
}

// NewOrderTable returns a table that marks what it sees in seen (by producer
// id, one set each), is exact for up to keys keys (rounded up to a power of
// two; DefaultOrderKeys when keys < 1) and holds at most entries sequence
// numbers (DefaultOrderEntries when entries < 1).
func NewOrderTable(seen []*SeqSet, keys, entries int) *OrderTable {
	if keys < 1 {
		keys = DefaultOrderKeys
	}
	if entries < 1 {
		entries = DefaultOrderEntries
	}
	per := 16
	for per*orderStripes*3/4 < keys {
		per *= 2
	}
	return &OrderTable{seed: maphash.MakeSeed(), perPart: per, budget: max(entries/orderStripes, 1),
		seen: seen, lows: make([]atomic.Uint64, len(seen))}
}

// Observe marks record seq of producer (an index into the table's sets)
// with partition key as consumed. It reports whether the record is new (not
// marked before) and, for a new record of a tracked key, how it compares
// with the records of its key consumed before it.
func (t *OrderTable) Observe(producer uint32, key string, seq uint64) (OrderResult, bool) {
	return t.ObserveShare(producer, 0, key, seq)
}

// ObserveShare is Observe for a producer whose records several senders
// share (the workers of a distributed run, each sending every N-th record):
// the order of a key's records is checked within share only, as the shares
// are sent independently of each other. Share 0 is Observe's. A key late
// in several shares is one out-of-order key: FirstLate is reported once.
func (t *OrderTable) ObserveShare(producer, share uint32, key string, seq uint64) (OrderResult, bool) {
	h := maphash.String(t.seed, key) ^ (uint64(producer)+1+uint64(share)<<32)*0x9e3779b97f4a7c15
	h |= 1 // 0 marks an empty slot; bits 1-6 pick the stripe, the rest the slot
	p := &t.parts[(h>>1)%orderStripes]
	// Read before seq is marked, the watermark is at most seq. Marking and
	// checking under the stripe's lock keeps a later, higher watermark from
	// pruning this key's numbers above seq before seq is checked.
	low := t.lows[producer].Load()
	p.mu.Lock()
	if !t.seen[producer].Add(seq) {
		p.mu.Unlock()
		return OrderResult{}, false
	}
	res := p.observe(t, h, producer, seq, low)
	p.mu.Unlock()
	if res.FirstLate {
		res.FirstLate = t.markLate(producer, key)
	}
	t.advance(producer, low)
	return res, true
}

// markLate records that producer's key had a late record and reports
// whether it is the first time.
func (t *OrderTable) markLate(producer uint32, key string) bool {
	id := OrderKeyID(producer, key)
	t.lateMu.Lock()
	defer t.lateMu.Unlock()
	if _, ok := t.late[id]; ok {
		return false
	}
	if len(t.late) >= maxLateKeys {
		t.lateFull = true
		return true
	}
	if t.late == nil {
		t.late = map[uint64]struct{}{}
	}
	t.late[id] = struct{}{}
	return true
}

// LateKeys returns the OrderKeyID of every key that had a late record,
// ascending, and whether the list is whole (it holds at most about a
// million keys).
func (t *OrderTable) LateKeys() ([]uint64, bool) {
	t.lateMu.Lock()
	defer t.lateMu.Unlock()
	ids := make([]uint64, 0, len(t.late))
	for id := range t.late {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, !t.lateFull
}

// Skip has the watermarks pass over the sequence numbers in skip (by
// producer id, like the table's seen sets) as if consumed: records that will
// never be consumed, such as those their producer gave up on, so that one
// lost record does not hold its producer's watermark back. Should such a
// record be consumed after all, its displacement counts only its key's
// records above the watermark then. Call Skip before the first Observe.
func (t *OrderTable) Skip(skip []*SeqSet) { t.skip = skip }

// advance moves producer's watermark up past the sequence numbers marked.
func (t *OrderTable) advance(producer uint32, from uint64) {
	seen := t.seen[producer]
	to := seen.FirstMissing(from)
	if int(producer) < len(t.skip) && t.skip[producer] != nil {
		for t.skip[producer].Has(to) {
			to = seen.FirstMissing(to + 1)
		}
	}
	for l := &t.lows[producer]; ; {
		old := l.Load()
		if to <= old || l.CompareAndSwap(old, to) {
			return
		}
	}
}

// observe is Observe within the stripe, locked.
func (p *orderStripe) observe(t *OrderTable, h uint64, producer uint32, seq, low uint64) OrderResult {
	if h>>(64-p.level) != 0 { // a shift by 64 is 0: level 0 tracks every key
		return OrderResult{}
	}
	if p.slots == nil {
		p.slots = make([]orderSlot, t.perPart)
	}
	if p.entries >= t.budget {
		if p.prune(t); p.entries >= t.budget*3/4 {
			p.shrink(t.budget)
			if h>>(64-p.level) != 0 {
				return OrderResult{}
			}
		}
	}
	s, ok := p.find(h)
	if !ok {
		if p.used+1 > len(p.slots)*3/4 {
			p.shrink(t.budget)
			if h>>(64-p.level) != 0 {
				return OrderResult{}
			}
			s, _ = p.find(h)
		}
		p.used++
		s.h, s.producer = h, producer
	}
	res, delta := s.observe(seq, low)
	p.entries += delta
	return res
}

// prune drops every key's sequence numbers below its producer's watermark.
func (p *orderStripe) prune(t *OrderTable) {
	for i := range p.slots {
		if s := &p.slots[i]; s.h != 0 {
			p.entries -= s.drop(t.lows[s.producer].Load())
		}
	}
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
// half full, in keys and in sequence numbers, dropping the keys no longer
// tracked.
func (p *orderStripe) shrink(budget int) {
	old := p.slots
	for (p.used > len(old)/2 || p.entries > budget/2) && p.level < 63 {
		p.level++
		p.used, p.entries = 0, 0
		for i := range old {
			if h := old[i].h; h != 0 && h>>(64-p.level) == 0 {
				p.used++
				p.entries += len(old[i].seqs)
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

// keepCap is the spare capacity a slot may keep for its next numbers: one
// with more than that beyond four times what it holds is reallocated, so a
// key that once held many numbers does not keep their memory.
const keepCap = 8

// drop removes the numbers below low and returns how many it removed.
func (s *orderSlot) drop(low uint64) int {
	if len(s.seqs) == 0 || s.seqs[0] >= low {
		return 0
	}
	k := sort.Search(len(s.seqs), func(i int) bool { return s.seqs[i] >= low })
	if k*4 >= len(s.seqs) { // move the rest down: the array is reused from its start
		s.seqs = s.seqs[:copy(s.seqs, s.seqs[k:])]
	} else { // a few of many: the next growth reallocates
		s.seqs = s.seqs[k:]
	}
	switch {
	case len(s.seqs) == 0 && cap(s.seqs) > keepCap:
		s.seqs = nil
	case cap(s.seqs) > 4*len(s.seqs)+keepCap:
		s.seqs = append(make([]uint64, 0, 2*len(s.seqs)), s.seqs...)
	}
	return k
}

// observe checks and remembers seq, first dropping the numbers below the
// watermark low; it returns the change in numbers held.
func (s *orderSlot) observe(seq, low uint64) (OrderResult, int) {
	delta := 1 - s.drop(low)
	n := len(s.seqs)
	if n == 0 || seq > s.seqs[n-1] { // in order: the common case
		s.seqs = append(s.seqs, seq)
		return OrderResult{}, delta
	}
	// Late: every number held above seq is a record of the key consumed
	// before it; the ones dropped are below seq.
	i := sort.Search(n, func(i int) bool { return s.seqs[i] > seq })
	res := OrderResult{Late: true, Displacement: n - i, FirstLate: !s.hit}
	s.hit = true
	s.seqs = slices.Insert(s.seqs, i, seq)
	return res, delta
}

// Exact reports whether every key was tracked from its first record on: no
// stripe ever had to drop keys, and every out-of-order key is in LateKeys.
func (t *OrderTable) Exact() bool {
	t.lateMu.Lock()
	full := t.lateFull
	t.lateMu.Unlock()
	if full {
		return false
	}
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
