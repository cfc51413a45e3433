package sim

import (
	"math"
	"sort"
	"sync"
	"time"
)

// shard is one shard's records and quota state. Its fixed fields are set at
// creation; everything below mu is guarded by it. Each shard has its own
// lock, so writers and readers of different shards never contend.
type shard struct {
	idx       int
	id        string
	rng       hashRange
	startKey  string // rng.start in decimal
	endKey    string // rng.end in decimal
	parent    string // ParentShardId, "" for none
	adjParent string // AdjacentParentShardId, "" for none
	stream    *stream
	opened    int64 // unix nanoseconds

	mu sync.Mutex
	recordLog
	closed   bool
	closedAt int64         // unix nanoseconds, once closed
	children []childShard  // set when the shard is closed by resharding
	notify   chan struct{} // closed when waiting subscribers have something to read
	// wakeTimer closes notify at wakeTimerAt (unix nanoseconds; 0 when not
	// armed): one timer per shard for records not yet visible to
	// subscribers, however many subscriptions wait.
	wakeTimer   *time.Timer
	wakeTimerAt int64

	wRecs, wBytes  bucket // write quota
	rCalls, rBytes bucket // GetRecords quota, shared by all polling readers
	iCalls         bucket // GetShardIterator quota
	rPenaltyUntil  int64  // unix nanoseconds; GetRecords throttled until then
	counters       Counters
	// delays draws each record's propagation and fan-out delays; nil until
	// the shard's first write (Server.shardDelays).
	delays *shardDelays
}

// childShard is an entry of GetRecords' and SubscribeToShard's ChildShards.
type childShard struct {
	ShardID      string     `json:"ShardId"`
	ParentShards []string   `json:"ParentShards"`
	HashKeyRange keyRangeJS `json:"HashKeyRange"`
}

func newShard(st *stream, idx int, rng hashRange, now int64, writeRecs, writeBytes float64) *shard {
	return &shard{
		idx:       idx,
		id:        shardID(idx),
		rng:       rng,
		startKey:  rng.start.String(),
		endKey:    rng.end.String(),
		stream:    st,
		opened:    now,
		recordLog: recordLog{next: 1, first: 1},
		wRecs:     newBucket(writeRecs, now),
		wBytes:    newBucket(writeBytes, now),
		rCalls:    newBucket(shardReadCalls, now),
		rBytes:    newBucket(shardReadBytes, now),
		iCalls:    newBucket(shardIterCalls, now),
	}
}

// wake wakes subscribers waiting for new records. Called with mu held.
func (sh *shard) wake() {
	if sh.notify != nil {
		close(sh.notify)
		sh.notify = nil
	}
}

// wakeAt wakes waiting subscribers at unix nanoseconds at: now when at is
// not after now, else from the shard's timer (armed for the earliest time
// asked). Without waiting subscribers it does nothing: a subscriber that
// starts to wait asks for the time of its first record not yet visible.
// Called with mu held.
func (sh *shard) wakeAt(at, now int64) {
	switch {
	case sh.notify == nil:
		return
	case at <= now:
		sh.wake()
		return
	case sh.wakeTimerAt != 0 && sh.wakeTimerAt <= at:
		return
	case sh.wakeTimer == nil:
		sh.wakeTimer = time.AfterFunc(time.Duration(at-now), sh.timedWake)
	default:
		sh.wakeTimer.Reset(time.Duration(at - now))
	}
	sh.wakeTimerAt = at
}

// timedWake is the shard timer's function.
func (sh *shard) timedWake() {
	sh.mu.Lock()
	sh.wakeTimerAt = 0
	sh.wake()
	sh.mu.Unlock()
}

// waitChan returns a channel closed when there is something new for
// subscribers: records becoming visible (see wakeAt) or the shard closing.
// Called with mu held.
func (sh *shard) waitChan() <-chan struct{} {
	if sh.notify == nil {
		sh.notify = make(chan struct{})
	}
	return sh.notify
}

// recordLog is a shard's records: append-only chunks of bytes (partition key then
// data, back to back) with a compact fixed-size index entry per record, so
// the store holds no per-record heap objects. Record counters are
// consecutive from 1; first is the oldest kept record, next the one the
// next append gets.
type recordLog struct {
	chunks      []*chunk
	head        int // index in chunks[0].recs of the oldest kept record
	first, next uint64
	lastArrival int64
	lastVisible [2]int64 // by visibility kind: the last record's visible time
	bytes       int64    // retained record bytes (keys + data)
}

// Visibility kinds: a record becomes readable by GetRecords and pushed to
// SubscribeToShard subscribers at its own times, each at least its arrival
// and never before an earlier record of the shard (so records are never
// reordered within a shard, and the visible records are always a prefix).
const (
	visGet  = 0 // readable by GetRecords
	visPush = 1 // pushed to enhanced fan-out subscribers
)

// chunk holds consecutive records. Its buf never grows past its capacity,
// so bytes handed to readers stay valid and unchanged after the lock is
// released, even when the chunk is later trimmed.
type chunk struct {
	first uint64 // counter of recs[0]
	buf   []byte
	recs  []recMeta
}

// recMeta locates one record in its chunk.
type recMeta struct {
	arrival int64 // unix nanoseconds, non-decreasing within a shard
	off     uint32
	keyLen  uint32
	dataLen uint32
	// delay holds, by visibility kind, how long after its arrival the
	// record becomes visible, in microseconds.
	delay [2]uint32
}

func (m recMeta) size() int64 { return int64(m.keyLen) + int64(m.dataLen) }

// visible is when the record becomes visible for kind (visGet or visPush),
// in unix nanoseconds.
func (m recMeta) visible(kind int) int64 {
	return m.arrival + int64(m.delay[kind])*int64(time.Microsecond)
}

// maxDelayMicros is the longest delay a record can carry (about 71 minutes).
const maxDelayMicros = math.MaxUint32

const (
	minChunkBytes = 4 << 10
	maxChunkBytes = 1 << 20
)

// record is a record handed to a reader; key and data point into a chunk.
type record struct {
	counter uint64
	arrival int64
	key     []byte
	data    []byte
}

// append stores a record arriving at now, visible for each kind after the
// given delay (raised where needed so that no record becomes visible
// before an earlier one), and returns its counter and arrival time (now,
// or the previous arrival if the clock stepped back).
func (l *recordLog) append(now int64, key, data []byte, delay [2]time.Duration) (uint64, int64) {
	if now < l.lastArrival {
		now = l.lastArrival
	}
	l.lastArrival = now
	var micros [2]uint32
	for k, d := range delay {
		// Round up to the microsecond, then up to the previous record's
		// visible time, so visible times never decrease.
		us := (max(int64(d), l.lastVisible[k]-now) + int64(time.Microsecond) - 1) / int64(time.Microsecond)
		micros[k] = uint32(min(us, maxDelayMicros))
		l.lastVisible[k] = now + int64(micros[k])*int64(time.Microsecond)
	}
	size := len(key) + len(data)
	var c *chunk
	if n := len(l.chunks); n > 0 && cap(l.chunks[n-1].buf)-len(l.chunks[n-1].buf) >= size {
		c = l.chunks[n-1]
	} else {
		capacity := minChunkBytes
		if n > 0 {
			capacity = min(2*cap(l.chunks[n-1].buf), maxChunkBytes)
		}
		c = &chunk{first: l.next, buf: make([]byte, 0, max(capacity, size))}
		l.chunks = append(l.chunks, c)
	}
	off := len(c.buf)
	c.buf = append(append(c.buf, key...), data...)
	c.recs = append(c.recs, recMeta{arrival: now, off: uint32(off), keyLen: uint32(len(key)), dataLen: uint32(len(data)), delay: micros})
	l.bytes += int64(size)
	counter := l.next
	l.next++
	return counter, now
}

// dropOldest removes the oldest kept record.
func (l *recordLog) dropOldest() {
	c := l.chunks[0]
	l.bytes -= c.recs[l.head].size()
	l.head++
	l.first++
	if l.head == len(c.recs) {
		l.chunks[0] = nil
		l.chunks = l.chunks[1:]
		l.head = 0
	}
}

// count is the number of kept records.
func (l *recordLog) count() uint64 { return l.next - l.first }

// locate returns the index of the chunk holding counter c (first <= c <
// next) and the record's index in it.
func (l *recordLog) locate(c uint64) (int, int) {
	i := sort.Search(len(l.chunks), func(i int) bool { return l.chunks[i].first > c }) - 1
	return i, int(c - l.chunks[i].first)
}

func (ch *chunk) record(i int) record {
	m := ch.recs[i]
	k, d := m.off+m.keyLen, m.off+m.keyLen+m.dataLen
	return record{counter: ch.first + uint64(i), arrival: m.arrival, key: ch.buf[m.off:k:k], data: ch.buf[k:d:d]}
}

// arrivalAt is the arrival time of record c (first <= c < next).
func (l *recordLog) arrivalAt(c uint64) int64 { return l.meta(c).arrival }

// meta is the index entry of record c (first <= c < next).
func (l *recordLog) meta(c uint64) recMeta {
	ci, i := l.locate(c)
	return l.chunks[ci].recs[i]
}

// read appends to out the kept records from counter from on, stopping
// before a record not yet visible for kind at now, after maxRecs records,
// or before going past maxBytes (it returns at least one visible record).
// It returns the records, the counter to read next, and whether maxBytes
// stopped it.
func (l *recordLog) read(out []record, from uint64, kind int, now int64, maxRecs int, maxBytes int64) ([]record, uint64, bool) {
	from = max(from, l.first)
	if from >= l.next {
		return out, from, false
	}
	ci, i := l.locate(from)
	ch := l.chunks[ci]
	var bytes int64
	for from < l.next && len(out) < maxRecs {
		if i == len(ch.recs) {
			ci, i = ci+1, 0
			ch = l.chunks[ci]
		}
		m := ch.recs[i]
		if m.visible(kind) > now {
			break
		}
		if bytes+m.size() > maxBytes && bytes > 0 {
			return out, from, true
		}
		bytes += m.size()
		out = append(out, ch.record(i))
		i++
		from++
	}
	return out, from, false
}

// visibleEnd is the counter after the last record visible for kind at now.
func (l *recordLog) visibleEnd(kind int, now int64) uint64 {
	if l.next == l.first || l.lastVisible[kind] <= now {
		return l.next
	}
	return l.first + uint64(sort.Search(int(l.count()), func(i int) bool {
		return l.meta(l.first+uint64(i)).visible(kind) > now
	}))
}

// firstAtOrAfter is the counter of the first kept record that arrived at or
// after t, or next when there is none.
func (l *recordLog) firstAtOrAfter(t int64) uint64 {
	return l.first + uint64(sort.Search(int(l.count()), func(i int) bool {
		return l.arrivalAt(l.first+uint64(i)) >= t
	}))
}
