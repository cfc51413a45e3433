package sim

// Behavior:
//   - Records are routed by the MD5 of PartitionKey (or ExplicitHashKey) to
//     the open shard whose hash key range holds it, and stored in request
//     order per shard; the response lists one result per record in request
//     order.
//   - A record can fail on its own: ErrorCode InternalFailure (Config.ErrorRate)
//     or ProvisionedThroughputExceededException (the shard's write quota,
//     when quotas are on). The call still succeeds (HTTP 200) with
//     FailedRecordCount > 0.
//   - Limits whatever the quota mode: 1..500 records, partition keys of
//     1..256 characters, data up to 1 MiB, data + key up to 1 MiB per record
//     and 5 MiB per request, ExplicitHashKey within 0..2^128-1. Breaking one
//     fails the whole call (ValidationException or InvalidArgumentException)
//     and stores nothing.
//   - Every call takes Config.PutDelay, or a duration drawn from the
//     latency profile's put distribution, before its records arrive.

import (
	"encoding/base64"
	"net/http"
	"strconv"
)

func (s *Server) putRecords(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	ps := getPutState()
	defer putPutState(ps)
	name, arn, e := decodePutRecords(body, ps)
	if e != nil {
		return e
	}
	if e := checkEntries(ps.entries, true); e != nil {
		return e
	}
	st, e := s.lookupForData(string(name), string(arn))
	if e != nil {
		return e
	}
	s.write(r.Context(), st, ps)
	writeBody(w, appendPutRecordsResult(ps.out, st, ps.entries))
	return nil
}

// decodePutRecords reads a PutRecords body into ps.entries, decoding record
// data into ps.arena, and returns the stream's name and ARN as given.
func decodePutRecords(body []byte, ps *putState) (name, arn []byte, e *apiError) {
	sc := scanner{b: body}
	// Decoded data is never longer than the body, so the arena does not
	// move while entries point into it.
	if cap(ps.arena) < len(body) {
		ps.arena = make([]byte, 0, len(body))
	}
	if e := sc.open('{'); e != nil {
		return nil, nil, e
	}
	for first := true; ; first = false {
		key, more, e := sc.member(first)
		if e != nil {
			return nil, nil, e
		}
		if !more {
			break
		}
		switch string(key) {
		case "StreamName":
			name, _, e = sc.optStr()
		case "StreamARN":
			arn, _, e = sc.optStr()
		case "Records":
			e = decodeRecordList(&sc, ps)
		default:
			e = sc.skip()
		}
		if e != nil {
			return nil, nil, e
		}
	}
	return name, arn, sc.end()
}

func decodeRecordList(sc *scanner, ps *putState) *apiError {
	if sc.null() {
		return nil
	}
	if e := sc.open('['); e != nil {
		return e
	}
	for first := true; ; first = false {
		more, e := sc.element(first)
		if e != nil || !more {
			return e
		}
		if len(ps.entries) == maxPutRecords+1 {
			// Enough to report the limit; skip the rest cheaply.
			if e := sc.skip(); e != nil {
				return e
			}
			continue
		}
		ps.entries = append(ps.entries, putEntry{})
		if e := decodeRecordFields(sc, ps, &ps.entries[len(ps.entries)-1], nil, nil); e != nil {
			return e
		}
	}
}

// decodeRecordFields reads one record object's Data, PartitionKey and
// ExplicitHashKey into ent. PutRecord's body is such an object with the
// stream's name and ARN beside them, read into name and arn when not nil.
func decodeRecordFields(sc *scanner, ps *putState, ent *putEntry, name, arn *[]byte) *apiError {
	if e := sc.open('{'); e != nil {
		return e
	}
	for first := true; ; first = false {
		key, more, e := sc.member(first)
		if e != nil || !more {
			return e
		}
		switch {
		case string(key) == "Data":
			e = decodeData(sc, ps, ent)
		case string(key) == "PartitionKey":
			ent.key, _, e = sc.optStr()
		case string(key) == "ExplicitHashKey":
			ent.ehk, _, e = sc.optStr()
		case name != nil && string(key) == "StreamName":
			*name, _, e = sc.optStr()
		case arn != nil && string(key) == "StreamARN":
			*arn, _, e = sc.optStr()
		default:
			e = sc.skip()
		}
		if e != nil {
			return e
		}
	}
}

// decodeData base64-decodes a Data member into the arena.
func decodeData(sc *scanner, ps *putState, ent *putEntry) *apiError {
	raw, ok, e := sc.optStr()
	if e != nil || !ok {
		return e
	}
	start := len(ps.arena)
	need := base64.StdEncoding.DecodedLen(len(raw))
	if cap(ps.arena)-start < need {
		// Only an escaped string can decode longer than its place in the
		// body; give it its own buffer rather than move the arena.
		buf := make([]byte, need)
		n, err := base64.StdEncoding.Decode(buf, raw)
		if err != nil {
			return errSerial("Data is not valid base64: %s", echo(err.Error()))
		}
		ent.data = buf[:n:n]
		return nil
	}
	n, err := base64.StdEncoding.Decode(ps.arena[start:start+need], raw)
	if err != nil {
		return errSerial("Data is not valid base64: %s", echo(err.Error()))
	}
	ps.arena = ps.arena[:start+n]
	ent.data = ps.arena[start : start+n : start+n]
	return nil
}

// appendPutRecordsResult appends the PutRecords response.
func appendPutRecordsResult(b []byte, st *stream, entries []putEntry) []byte {
	failed := 0
	for i := range entries {
		if entries[i].status != putOK {
			failed++
		}
	}
	b = append(b, `{"FailedRecordCount":`...)
	b = strconv.AppendInt(b, int64(failed), 10)
	b = append(b, `,"Records":[`...)
	for i := range entries {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendPutResult(b, st, &entries[i])
	}
	return append(appendEncryption(append(b, ']'), st), '}')
}

// appendEncryption appends the EncryptionType member PutRecord and
// PutRecords answer with.
func appendEncryption(b []byte, st *stream) []byte {
	if st.kms.Load() {
		return append(b, `,"EncryptionType":"KMS"`...)
	}
	return append(b, `,"EncryptionType":"NONE"`...)
}

// appendPutResult appends one record's result object.
func appendPutResult(b []byte, st *stream, e *putEntry) []byte {
	switch e.status {
	case putOK:
		b = append(b, `{"SequenceNumber":"`...)
		b = appendSeq(b, e.sh.idx, e.counter)
		b = append(b, `","ShardId":"`...)
		b = append(b, e.sh.id...)
		return append(b, `"}`...)
	case putThrottled:
		b = append(b, `{"ErrorCode":"`+errThroughputExceeded+`","ErrorMessage":`...)
		b = appendJSONString(b, throttleMessage(e.sh, st))
		return append(b, '}')
	default:
		return append(b, `{"ErrorCode":"`+recordErrInternal+`","ErrorMessage":"`+recordErrInternalMsg+`"}`...)
	}
}

func throttleMessage(sh *shard, st *stream) string {
	return "Rate exceeded for shard " + sh.id + " in stream " + st.name + " under account " + accountID + "."
}
