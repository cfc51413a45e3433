package sim

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"
)

// Write limits that hold whatever the quota mode.
const (
	maxPutRecords   = 500
	maxRecordBytes  = 1 << 20 // data + partition key
	maxRequestBytes = 5 << 20 // all records of a PutRecords call
	maxPartitionKey = 256     // characters
	rerouteAttempts = 8       // tries to place records that raced a reshard
)

// Outcomes of one record write.
const (
	putPending uint8 = iota
	putOK
	putThrottled
	putFailed
)

// putEntry is one record of a PutRecord(s) call. key and data point into
// the request's buffers until the record is copied into its shard.
type putEntry struct {
	key, data []byte
	ehk       []byte // ExplicitHashKey text, nil when absent
	hash      u128
	sh        *shard
	counter   uint64
	status    uint8
}

// putState is the reusable scratch of one PutRecord(s) call.
type putState struct {
	entries []putEntry
	order   []int
	arena   []byte // decoded record data
	out     []byte // response
}

var putPool = sync.Pool{New: func() any { return new(putState) }}

func getPutState() *putState { return putPool.Get().(*putState) }

func putPutState(ps *putState) {
	if cap(ps.arena) > 16<<20 || cap(ps.out) > 16<<20 {
		return
	}
	clear(ps.entries)
	ps.entries, ps.order, ps.arena, ps.out = ps.entries[:0], ps.order[:0], ps.arena[:0], ps.out[:0]
	putPool.Put(ps)
}

// checkEntries applies the size limits of one record (field names for
// messages are "records.N.member." in PutRecords, "" in PutRecord) and of
// the whole request, and computes each record's hash key.
func checkEntries(entries []putEntry, batch bool) *apiError {
	if batch && (len(entries) == 0 || len(entries) > maxPutRecords) {
		return errValidate("Value at 'records' failed to satisfy constraint: Member must have length less than or equal to %d and greater than or equal to 1", maxPutRecords)
	}
	var total int
	for i := range entries {
		e := &entries[i]
		field := func(name string) string {
			if batch {
				return "records." + strconv.Itoa(i+1) + ".member." + name
			}
			return name
		}
		if e.key == nil {
			return errValidate("Value null at '%s' failed to satisfy constraint: Member must not be null", field("partitionKey"))
		}
		if !utf8.Valid(e.key) {
			return errInvalidKey(field("partitionKey"))
		}
		if n := utf8.RuneCount(e.key); n < 1 || n > maxPartitionKey {
			return errValidate("Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d and greater than or equal to 1", echo(e.key), field("partitionKey"), maxPartitionKey)
		}
		if e.data == nil {
			return errValidate("Value null at '%s' failed to satisfy constraint: Member must not be null", field("data"))
		}
		if len(e.data) > maxRecordBytes {
			return errValidate("Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", field("data"), maxRecordBytes)
		}
		size := len(e.key) + len(e.data)
		if size > maxRecordBytes {
			return errInvalid("Record %d has %d bytes of data and partition key, more than the %d allowed.", i, size, maxRecordBytes)
		}
		total += size
		if e.ehk != nil {
			h, err := parseHashKey(e.ehk)
			if err != nil {
				return err
			}
			e.hash = h
		} else {
			e.hash = hashPartitionKey(e.key)
		}
	}
	if total > maxRequestBytes {
		return errInvalid("The request has %d bytes of records, more than the %d allowed.", total, maxRequestBytes)
	}
	return nil
}

// write stores the records of one PutRecord(s) call: each either fails by
// ErrorRate, is throttled by its shard's write quota, or is appended to
// its shard. Records are grouped by shard so each shard's lock is taken
// once per call.
func (s *Server) write(ctx context.Context, st *stream, ps *putState) {
	s.sleep(ctx, s.delays.putDuration())
	for i := range ps.entries {
		if s.fault() {
			ps.entries[i].status = putFailed
		}
	}
	var accRecs, accBytes int64
	for range rerouteAttempts {
		tbl := st.table.Load()
		ps.order = ps.order[:0]
		for i := range ps.entries {
			if e := &ps.entries[i]; e.status == putPending {
				e.sh = tbl.route(e.hash)
				ps.order = append(ps.order, i)
			}
		}
		if len(ps.order) == 0 {
			break
		}
		slices.SortStableFunc(ps.order, func(a, b int) int { return ps.entries[a].sh.idx - ps.entries[b].sh.idx })
		for start := 0; start < len(ps.order); {
			sh := ps.entries[ps.order[start]].sh
			end := start + 1
			for end < len(ps.order) && ps.entries[ps.order[end]].sh == sh {
				end++
			}
			r, b := s.writeShard(sh, ps.entries, ps.order[start:end])
			accRecs += r
			accBytes += b
			start = end
		}
	}
	for i := range ps.entries {
		if ps.entries[i].status == putPending { // lost every race with resharding
			ps.entries[i].status = putFailed
		}
	}
	if c := st.capacity.Load(); c != nil && s.quotas {
		s.observeOnDemand(st, c, accRecs, accBytes)
	}
}

// writeShard writes the records at idx of entries, all routed to sh, and
// returns the records and bytes accepted. Records stay pending when sh was
// closed by a reshard meanwhile.
func (s *Server) writeShard(sh *shard, entries []putEntry, idx []int) (recs, bytes int64) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.closed {
		return 0, 0
	}
	now := s.now().UnixNano()
	delay := s.delays.recordDelays(sh, now)
	for _, i := range idx {
		e := &entries[i]
		size := int64(len(e.key) + len(e.data))
		if s.quotas && !sh.takeWrite(now, size) {
			e.status = putThrottled
			sh.counters.RecordsThrottled++
			continue
		}
		s.trimShard(sh, now, size)
		e.counter, _ = sh.append(now, e.key, e.data, delay)
		e.status = putOK
		recs++
		bytes += size
	}
	sh.counters.RecordsAccepted += recs
	sh.counters.BytesAccepted += bytes
	if recs > 0 {
		sh.wakeAt(sh.lastVisible[visPush], now)
	}
	return recs, bytes
}

// takeWrite takes one record and size bytes of write quota, or nothing.
func (sh *shard) takeWrite(now, size int64) bool {
	sh.wRecs.refill(now)
	sh.wBytes.refill(now)
	if sh.wRecs.tokens < 1 || sh.wBytes.tokens < float64(size) {
		return false
	}
	sh.wRecs.tokens--
	sh.wBytes.tokens -= float64(size)
	return true
}

// observeOnDemand feeds an on-demand stream's capacity tracker and, when
// the capacity grew, spreads it over the open shards.
func (s *Server) observeOnDemand(st *stream, c *writeCapacity, recs, bytes int64) {
	capRecs, capBytes, grew := c.observe(s.now().UnixNano(), recs, bytes)
	if !grew {
		return
	}
	open := st.table.Load().open
	n := float64(len(open))
	for _, sh := range open {
		sh.mu.Lock()
		sh.wRecs.setRate(capRecs / n)
		sh.wBytes.setRate(capBytes / n)
		sh.mu.Unlock()
	}
}

// shardWriteRates returns the per-shard write rates of a new shard of st,
// one of n open shards.
func shardWriteRates(st *stream, n int) (recs, bytes float64) {
	c := st.capacity.Load()
	if c == nil {
		return shardWriteRecords, shardWriteBytes
	}
	r, b := c.current()
	return r / float64(n), b / float64(n)
}
