package runner

import (
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kbench/kbench/scenarios"
)

// Kinesis limits the batcher keeps within (see kinesis-facts.md).
const (
	// MaxBatchRecords is the most records one PutRecords call may carry.
	MaxBatchRecords = scenarios.MaxBatchRecords
	// MaxBatchBytes is the most bytes (data + partition keys) one
	// PutRecords request may carry.
	MaxBatchBytes = scenarios.MaxBatchBytes
	// MaxRecordSize is the most bytes (data + partition key) one record may
	// have; larger records fail with ReasonTooLarge and are never sent.
	MaxRecordSize = 1 << 20
	// maxKeyChars is the longest partition key Kinesis accepts, in characters.
	maxKeyChars = 256
)

// rec is one record of a batch. Its data is buf[off:end] of its batch.
type rec struct {
	seq      uint64
	intended int64 // process-clock ns
	sent     int64 // first send, process-clock ns; 0 until sent
	off, end int
	pk, ehk  string
	// first and users locate the user records a packed record carries in
	// its batch's members; users is 0 for a plain record (see pack.go).
	first, users int32
}

// size is the record's size as Kinesis counts it: data + partition key.
func (r *rec) size() int { return r.end - r.off + len(r.pk) }

// batch is the records of one PutRecords request, their bytes back to back in
// one buffer, and the sender's scratch space. Batches are recycled whole.
type batch struct {
	buf    []byte
	recs   []rec
	bytes  int   // data + partition keys of recs
	opened int64 // process-clock ns when the first record arrived
	// members are the user records of the packed recs, back to back.
	members []member

	entries []types.PutRecordsRequestEntry
	pending []int32 // indexes into recs not yet settled
	// keys holds the partition keys of recs when the batcher keeps keys
	// distinct; nil otherwise.
	keys map[string]struct{}
}

func (b *batch) reset() {
	b.buf = b.buf[:0]
	clear(b.recs) // drop key strings
	b.recs = b.recs[:0]
	b.bytes = 0
	b.opened = 0
	b.members = b.members[:0]
	clear(b.entries)
	b.entries = b.entries[:0]
	b.pending = b.pending[:0]
	clear(b.keys)
}

// batcher gathers records into batches. It is owned by the scheduling
// goroutine: records are appended straight into the open batch's buffer, so a
// record costs no allocation beyond what its batch already holds. A batch
// closes at maxRecords records, when the next record would take it past
// maxBytes (a single record larger than maxBytes goes alone), or linger after
// its first record arrived; the caller checks the last with deadline.
//
// A batcher that keeps keys distinct also closes a batch when the next
// record's partition key is already in it: PutRecords may accept a later
// record of a call and reject an earlier one, so two records of one key in
// one call could land out of order.
type batcher struct {
	maxRecords, maxBytes int
	linger               int64
	distinct             bool
	cur                  *batch
	free                 chan *batch
}

func newBatcher(maxRecords, maxBytes int, linger int64, pool int) *batcher {
	return &batcher{maxRecords: maxRecords, maxBytes: maxBytes, linger: linger, free: make(chan *batch, pool)}
}

// get returns an empty batch from the pool, or a new one.
func (bt *batcher) get() *batch {
	select {
	case b := <-bt.free:
		return b
	default:
		return &batch{recs: make([]rec, 0, bt.maxRecords)}
	}
}

// recycle returns a settled batch to the pool. It is safe for concurrent use.
func (bt *batcher) recycle(b *batch) {
	b.reset()
	select {
	case bt.free <- b:
	default:
	}
}

// open returns the open batch, starting one if needed. The caller appends the
// next record's bytes to its buf and then calls commit.
func (bt *batcher) open() *batch {
	if bt.cur == nil {
		bt.cur = bt.get()
	}
	return bt.cur
}

// commit adds the record whose bytes the caller appended to the open batch
// from offset off. now is the arrival time that starts a batch's linger.
// If the record does not fit, the full batch is returned as spill and the
// record starts a new batch. A record that can never be sent is removed
// again and its failure reason returned.
func (bt *batcher) commit(off int, seq uint64, intended, now int64, pk, ehk string) (spill *batch, reject string) {
	b := bt.cur
	size := len(b.buf) - off + len(pk)
	switch {
	case size > MaxRecordSize:
		b.buf = b.buf[:off]
		return nil, ReasonTooLarge
	case pk == "" || len(pk) > maxKeyChars && utf8.RuneCountInString(pk) > maxKeyChars:
		b.buf = b.buf[:off]
		return nil, ReasonBadKey
	}
	if len(b.recs) > 0 && (b.bytes+size > bt.maxBytes || bt.distinct && b.hasKey(pk)) {
		nb := bt.get()
		nb.buf = append(nb.buf, b.buf[off:]...)
		b.buf = b.buf[:off]
		spill, b, off = b, nb, 0
		bt.cur = nb
	}
	if len(b.recs) == 0 {
		b.opened = now
	}
	b.recs = append(b.recs, rec{seq: seq, intended: intended, off: off, end: len(b.buf), pk: pk, ehk: ehk})
	b.bytes += size
	if bt.distinct {
		if b.keys == nil {
			b.keys = make(map[string]struct{}, bt.maxRecords)
		}
		b.keys[pk] = struct{}{}
	}
	return spill, ""
}

// hasKey reports whether a record of partition key pk is in b.
func (b *batch) hasKey(pk string) bool {
	_, ok := b.keys[pk]
	return ok
}

// full reports whether the open batch has reached maxRecords.
func (bt *batcher) full() bool { return bt.cur != nil && len(bt.cur.recs) >= bt.maxRecords }

// deadline returns when the open batch's linger ends; ok is false when no
// batch holds records.
func (bt *batcher) deadline() (at int64, ok bool) {
	if bt.cur == nil || len(bt.cur.recs) == 0 {
		return 0, false
	}
	return bt.cur.opened + bt.linger, true
}

// take closes the open batch and returns it, or nil if it holds no records.
func (bt *batcher) take() *batch {
	b := bt.cur
	if b == nil || len(b.recs) == 0 {
		return nil
	}
	bt.cur = nil
	return b
}
