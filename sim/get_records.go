package sim

// Behavior:
//   - Returns up to Limit (1..10,000, default 10,000) records from the
//     iterator's position, at most 10 MiB, only records visible to readers
//     (accepted at least Config.PropagationDelay ago, or the latency
//     profile's propagation delay drawn for the record; a record is never
//     visible before an earlier one of its shard). Records trimmed by
//     retention are skipped.
//   - NextShardIterator continues after the last record returned. Once a
//     closed shard (a resharding parent) has been read to its end,
//     NextShardIterator is null and ChildShards lists its children.
//   - MillisBehindLatest is how long ago the next unread record arrived, 0
//     when the reader is caught up.
//   - With quotas on, per shard and shared by all readers: 5 calls per
//     second and 2 MiB per second (a call is refused while the shard's read
//     bytes are in debt), and after a call that returned as much as the
//     10 MiB cap allowed, calls in the next 5 seconds are refused; refusals are
//     ProvisionedThroughputExceededException.
//   - An iterator older than 5 minutes is refused with ExpiredIteratorException.

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"sync"
	"time"
)

const (
	maxGetRecords = 10000
	maxReadBytes  = 10 << 20
)

type getRecordsInput struct {
	ShardIterator string `json:"ShardIterator"`
	Limit         *int   `json:"Limit"`
	StreamARN     string `json:"StreamARN"`
}

// readState is the reusable scratch of a GetRecords call.
type readState struct {
	recs []record
	out  []byte
}

var readPool = sync.Pool{New: func() any { return new(readState) }}

func (s *Server) getRecords(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	var in getRecordsInput
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	limit := maxGetRecords
	if in.Limit != nil {
		if limit = *in.Limit; limit > maxGetRecords {
			// The API reference names InvalidArgumentException for this one.
			return errInvalid("Limit %d is greater than the maximum of %d.", limit, maxGetRecords)
		}
		if limit < 1 {
			return errValidate("Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to %d and greater than or equal to 1", limit, maxGetRecords)
		}
	}
	if in.ShardIterator == "" {
		return errValidate("Value null at 'shardIterator' failed to satisfy constraint: Member must not be null")
	}
	it, e := decodeIterator(in.ShardIterator)
	if e != nil {
		return e
	}
	now := s.now()
	if age := now.Sub(time.Unix(0, it.issued)); age > iteratorTTL {
		return newError(errExpiredIterator, "Iterator expired. The iterator was created at time %s while right now it is %s which is further in the future than the tolerated delay of %d milliseconds.",
			time.Unix(0, it.issued).UTC().Format(time.RFC1123), now.UTC().Format(time.RFC1123), iteratorTTL.Milliseconds())
	}
	st, e := s.lookupForData(it.stream, "")
	if e != nil {
		return e
	}
	sh := st.table.Load().shard(it.shard)
	if st.created.UnixNano() != it.created || sh == nil {
		return errNotFound("The shard iterator refers to stream %s, which no longer exists.", it.stream)
	}

	rs := readPool.Get().(*readState)
	defer func() {
		clear(rs.recs)
		rs.recs, rs.out = rs.recs[:0], rs.out[:0]
		readPool.Put(rs)
	}()
	res, e := s.readShard(st, sh, rs, it.pos, limit, now.UnixNano())
	if e != nil {
		return e
	}

	b := append(rs.out, `{"Records":[`...)
	for i := range rs.recs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendRecord(b, sh.idx, &rs.recs[i])
	}
	b = append(b, `],"MillisBehindLatest":`...)
	b = strconv.AppendInt(b, res.behindMillis, 10)
	if res.ended {
		b = append(b, `,"ChildShards":`...)
		b = appendChildShards(b, res.children)
	} else {
		next := iterator{created: it.created, issued: now.UnixNano(), shard: sh.idx, pos: res.next, stream: st.name}
		b = append(b, `,"NextShardIterator":"`...)
		b = append(b, next.encode()...)
		b = append(b, '"')
	}
	rs.out = append(b, '}')
	writeBody(w, rs.out)
	return nil
}

// readResult is what readShard found besides the records.
type readResult struct {
	next         uint64 // counter to read next
	behindMillis int64
	ended        bool // a closed shard read to its end
	children     []childShard
}

// readShard applies the read quota and reads from pos into rs.recs.
func (s *Server) readShard(st *stream, sh *shard, rs *readState, pos uint64, limit int, now int64) (readResult, *apiError) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if s.quotas {
		if now < sh.rPenaltyUntil || !sh.rBytes.ready(now) || !sh.rCalls.take(now, 1) {
			sh.counters.GetRecordsThrottled++
			return readResult{}, errThrottled("Rate exceeded for shard %s in stream %s under account %s.", sh.id, st.name, accountID)
		}
	}
	s.trimShard(sh, now, 0)
	var res readResult
	var capped bool
	rs.recs, res.next, capped = sh.read(rs.recs, pos, visGet, now, limit, maxReadBytes)
	var bytes int64
	for i := range rs.recs {
		bytes += int64(len(rs.recs[i].key) + len(rs.recs[i].data))
	}
	sh.counters.GetRecordsCalls++
	sh.counters.RecordsRead += int64(len(rs.recs))
	sh.counters.BytesRead += bytes
	if s.quotas {
		sh.rBytes.debit(float64(bytes))
		if capped || bytes >= bigReadBytes {
			sh.rPenaltyUntil = now + bigReadPenalty
		}
	}
	if res.next < sh.visibleEnd(visGet, now) {
		res.behindMillis = max(0, (now-sh.arrivalAt(max(res.next, sh.first)))/1e6)
	}
	if sh.closed && res.next >= sh.next {
		res.ended, res.children = true, sh.children
	}
	return res, nil
}

// appendRecord appends one Record object of shard idx.
func appendRecord(b []byte, idx int, r *record) []byte {
	b = append(b, `{"SequenceNumber":"`...)
	b = appendSeq(b, idx, r.counter)
	b = append(b, `","ApproximateArrivalTimestamp":`...)
	b = appendEpoch(b, r.arrival)
	b = append(b, `,"Data":"`...)
	n := len(b)
	b = append(b, make([]byte, base64.StdEncoding.EncodedLen(len(r.data)))...)
	base64.StdEncoding.Encode(b[n:], r.data)
	b = append(b, `","PartitionKey":`...)
	b = appendJSONString(b, r.key)
	return append(b, '}')
}

// appendChildShards appends a ChildShards list.
func appendChildShards(b []byte, children []childShard) []byte {
	b = append(b, '[')
	for i, c := range children {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"ShardId":"`...)
		b = append(b, c.ShardID...)
		b = append(b, `","ParentShards":[`...)
		for j, p := range c.ParentShards {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, p)
		}
		b = append(b, `],"HashKeyRange":{"StartingHashKey":"`...)
		b = append(b, c.HashKeyRange.StartingHashKey...)
		b = append(b, `","EndingHashKey":"`...)
		b = append(b, c.HashKeyRange.EndingHashKey...)
		b = append(b, `"}}`...)
	}
	return append(b, ']')
}
