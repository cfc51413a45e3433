package runner

import (
	"fmt"
	"time"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/pack"
	"github.com/kbench/kbench/scenarios"
)

// Packing is how a producer packs user records into Kinesis records before
// batching: KPL aggregation, compression, both, or neither (the zero value).
type Packing struct {
	// Aggregate packs user records bound for the same shard into KPL
	// aggregated records of at most MaxRecords records and MaxBytes bytes
	// (magic, protobuf and MD5 trailer), each waiting at most Linger after
	// its first record arrived.
	Aggregate  bool
	MaxRecords int
	MaxBytes   int
	Linger     time.Duration
	// Codec, when not nil, compresses each Kinesis record's data (an
	// aggregate as a whole) at Level.
	Codec *pack.Codec
	Level int
}

// enabled reports whether records are packed at all.
func (k Packing) enabled() bool { return k.Aggregate || k.Codec != nil }

// describe sets p's aggregation and compression blocks to k, so that
// scenarios.Producer.SendProblems checks k by the scenario's rules.
func (k Packing) describe(p *scenarios.Producer) {
	if k.Aggregate {
		p.Aggregation = &scenarios.Aggregation{MaxRecords: k.MaxRecords, MaxBytes: k.MaxBytes, Linger: k.Linger}
	}
	if k.Codec != nil {
		p.Compression = &scenarios.Compression{Codec: k.Codec.Name, Level: k.Level}
	}
}

// PackStats is what one producer instance's packing did. The scheduling
// goroutine writes it; read it after Producer.Run returned.
type PackStats struct {
	// Records counts user records generated (kept in a Kinesis record or
	// rejected), RawBytes their data and partition keys.
	Records, RawBytes int64
	// Kinesis counts the Kinesis records made from them, SentBytes their
	// data and partition keys as sent; without packing both equal the
	// user records'.
	Kinesis, SentBytes int64
	// EncodeNs is the time spent aggregating and compressing (not the
	// wait to hand a Kinesis record to the batcher).
	EncodeNs int64
}

// member is one user record carried by a packed Kinesis record.
type member struct {
	seq      uint64
	intended int64
}

// openAgg is an aggregate being filled for one shard.
type openAgg struct {
	agg     pack.Aggregate
	members []member
	ehk     string // the first record's explicit hash key, the aggregate's own
	first   []byte // the first record's data: an aggregate of one goes out as it
	opened  int64  // process-clock ns of its first record
}

// packer packs one producer's user records. It belongs to the scheduling
// goroutine.
type packer struct {
	cfg     Packing
	enc     pack.Encoder
	shardOf func(pk, ehk string) string
	open    map[string]*openAgg // by shard id
	free    []*openAgg
	user    []byte // the user record being generated
	raw     []byte // an aggregate before compression
	one     [1]member
	stats   *PackStats
	// stampSent stamps a user record's send time in its envelope mode.
	stampSent func(rec []byte, sent int64)
}

func newPacker(cfg Packing, shardOf func(pk, ehk string) string, stats *PackStats, stampSent func([]byte, int64)) (*packer, error) {
	pk := &packer{cfg: cfg, shardOf: shardOf, open: map[string]*openAgg{}, stats: stats, stampSent: stampSent}
	if cfg.Codec != nil {
		enc, err := cfg.Codec.NewEncoder(cfg.Level)
		if err != nil {
			return nil, fmt.Errorf("%s level %d: %w", cfg.Codec.Name, cfg.Level, err)
		}
		pk.enc = enc
	}
	if pk.shardOf == nil {
		pk.shardOf = func(string, string) string { return "" }
	}
	return pk, nil
}

// emitFunc hands a finished Kinesis record to its batcher: data was
// appended to the open batch's buffer from off; members are the user
// records it carries. It returns false when the run was cancelled.
type emitFunc func(off int, pk, ehk string, members []member) bool

// batcherOf returns the batcher a Kinesis record with partition key pk and
// explicit hash key ehk goes to.
type batcherOf func(pk, ehk string) *batcher

// add packs one generated user record (its envelope already in pk.user,
// stamped with now as its send time). It emits what closes: the record
// itself when not aggregating, or the shard's aggregate when this record
// fills it or would overflow it.
func (pk *packer) add(bts batcherOf, seq uint64, intended, now int64, key, ehk string, emit emitFunc) bool {
	pk.stampSent(pk.user, now)
	pk.stats.Records++
	pk.stats.RawBytes += int64(len(pk.user) + len(key))
	if !pk.cfg.Aggregate {
		pk.one[0] = member{seq: seq, intended: intended}
		t0 := envelope.Now()
		b := bts(key, ehk).open()
		off := len(b.buf)
		b.buf = pk.compress(b.buf, pk.user)
		pk.stats.EncodeNs += envelope.Now() - t0
		pk.made(b, off, key)
		return emit(off, key, ehk, pk.one[:])
	}
	shard := pk.shardOf(key, ehk)
	oa := pk.open[shard]
	if oa != nil && oa.agg.SizeWith(key, ehk, len(pk.user)) > pk.cfg.MaxBytes {
		if !pk.close(bts, shard, oa, emit) {
			return false
		}
		oa = nil
	}
	if oa == nil {
		oa = pk.get()
		oa.opened, oa.ehk = now, ehk
		oa.first = append(oa.first[:0], pk.user...)
		pk.open[shard] = oa
	}
	t0 := envelope.Now()
	oa.agg.Add(key, ehk, pk.user)
	pk.stats.EncodeNs += envelope.Now() - t0
	oa.members = append(oa.members, member{seq: seq, intended: intended})
	if oa.agg.Len() >= pk.cfg.MaxRecords || oa.agg.Size() >= pk.cfg.MaxBytes {
		return pk.close(bts, shard, oa, emit)
	}
	return true
}

// close emits shard's aggregate oa and frees it. An aggregate of one
// record goes out as that plain record, as the KPL sends it: the aggregate
// would only add its overhead.
func (pk *packer) close(bts batcherOf, shard string, oa *openAgg, emit emitFunc) bool {
	delete(pk.open, shard)
	key := oa.agg.PartitionKey()
	t0 := envelope.Now()
	b := bts(key, oa.ehk).open()
	off := len(b.buf)
	switch {
	case oa.agg.Len() == 1:
		b.buf = pk.compress(b.buf, oa.first)
	case pk.enc == nil:
		b.buf = oa.agg.AppendTo(b.buf)
	default:
		pk.raw = oa.agg.AppendTo(pk.raw[:0])
		b.buf = pk.compress(b.buf, pk.raw)
	}
	pk.stats.EncodeNs += envelope.Now() - t0
	pk.made(b, off, key)
	ok := emit(off, key, oa.ehk, oa.members)
	oa.agg.Reset()
	oa.members, oa.ehk = oa.members[:0], ""
	pk.free = append(pk.free, oa)
	return ok
}

// made counts the Kinesis record just appended to b from off.
func (pk *packer) made(b *batch, off int, key string) {
	pk.stats.Kinesis++
	pk.stats.SentBytes += int64(len(b.buf) - off + len(key))
}

// compress appends src, compressed if a codec is set, to dst. A codec
// error cannot happen with the in-memory writers used; should one occur,
// the record goes out uncompressed rather than being lost.
func (pk *packer) compress(dst, src []byte) []byte {
	if pk.enc == nil {
		return append(dst, src...)
	}
	out, err := pk.enc.Encode(dst, src)
	if err != nil {
		return append(dst, src...)
	}
	return out
}

func (pk *packer) get() *openAgg {
	if n := len(pk.free); n > 0 {
		oa := pk.free[n-1]
		pk.free = pk.free[:n-1]
		return oa
	}
	return &openAgg{}
}

// deadline returns when the first open aggregate's linger ends; ok is false
// when none is open.
func (pk *packer) deadline() (at int64, ok bool) {
	for _, oa := range pk.open {
		if dl := oa.opened + int64(pk.cfg.Linger); !ok || dl < at {
			at, ok = dl, true
		}
	}
	return at, ok
}

// flushDue emits every aggregate whose linger ended by now; all emits
// every open aggregate.
func (pk *packer) flushDue(bts batcherOf, now int64, all bool, emit emitFunc) bool {
	for shard, oa := range pk.open {
		if (all || oa.opened+int64(pk.cfg.Linger) <= now) && !pk.close(bts, shard, oa, emit) {
			return false
		}
	}
	return true
}

// pending counts the user records waiting in open aggregates.
func (pk *packer) pending() int64 {
	var n int64
	for _, oa := range pk.open {
		n += int64(len(oa.members))
	}
	return n
}

// plain counts a record sent as it was generated (no packing) in s.
func (s *PackStats) plain(size int) {
	s.Records++
	s.Kinesis++
	s.RawBytes += int64(size)
	s.SentBytes += int64(size)
}

// commitPacked adds a packed Kinesis record, whose data the caller appended
// to the open batch from off, like commit, with the user records it carries.
func (bt *batcher) commitPacked(off int, now int64, pk, ehk string, ms []member) (spill *batch, reject string) {
	spill, reject = bt.commit(off, ms[0].seq, ms[0].intended, now, pk, ehk)
	if reject != "" {
		return spill, reject
	}
	b := bt.cur
	r := &b.recs[len(b.recs)-1]
	r.first, r.users = int32(len(b.members)), int32(len(ms))
	b.members = append(b.members, ms...)
	return spill, ""
}

// users returns the user records r carries, or nil for a plain record,
// which is its own one user record.
func (b *batch) users(r *rec) []member {
	if r.users == 0 {
		return nil
	}
	return b.members[r.first : r.first+r.users]
}

// userCount returns how many user records the records at idx carry.
func (b *batch) userCount(idx []int32) int64 {
	var n int64
	for _, i := range idx {
		n += int64(max(b.recs[i].users, 1))
	}
	return n
}

// userTotal returns how many user records the batch carries.
func (b *batch) userTotal() int64 {
	if len(b.members) == 0 {
		return int64(len(b.recs))
	}
	var n int64
	for i := range b.recs {
		n += int64(max(b.recs[i].users, 1))
	}
	return n
}

// firstSend measures the lateness of the user records r carries, the first
// time r goes out at sent, and returns how many of them count as Late.
func (s *sender) firstSend(b *batch, r *rec, sent int64) (late int64) {
	one := func(intended int64) {
		if intended >= s.warm {
			s.lateness.Record(time.Duration(sent - intended))
		}
		if sent-intended > s.late {
			late++
		}
	}
	if ms := b.users(r); ms != nil {
		for _, m := range ms {
			one(m.intended)
		}
		return late
	}
	one(r.intended)
	return late
}

// ackUsers books the user records r carries as acknowledged at ack and
// returns how many there were.
func (s *sender) ackUsers(b *batch, r *rec, ack int64) int64 {
	ms := b.users(r)
	if ms == nil {
		s.acked.Add(r.seq)
		if r.intended >= s.warm {
			s.delivery.Record(time.Duration(ack - r.intended))
		}
		return 1
	}
	for _, m := range ms {
		s.acked.Add(m.seq)
		if m.intended >= s.warm {
			s.delivery.Record(time.Duration(ack - m.intended))
		}
	}
	return int64(len(ms))
}

// packingOf returns a producer spec's packing settings.
func packingOf(ps *scenarios.Producer) Packing {
	var k Packing
	if a := ps.Aggregation; a != nil {
		k.Aggregate, k.MaxRecords, k.MaxBytes, k.Linger = true, a.MaxRecords, a.MaxBytes, a.Linger
	}
	if c := ps.Compression; c != nil && c.Codec != scenarios.CodecNone {
		if codec, ok := pack.Codecs.Lookup(c.Codec); ok {
			k.Codec, k.Level = &codec, c.Level
		}
	}
	return k
}
