package sim

// Behavior:
//   - One record, routed and limited as in PutRecords; the response carries
//     its ShardId and SequenceNumber.
//   - A record over the shard's write quota fails the call with
//     ProvisionedThroughputExceededException (HTTP 400); a record drawn by
//     Config.ErrorRate fails it with InternalFailureException (HTTP 500).
//   - SequenceNumberForOrdering needs no work to honour: sequence numbers
//     grow with arrival within a shard, and a child shard's exceed its
//     parents', so a record of a key always gets a sequence number greater
//     than that of any earlier record of the key it may name (AWS's
//     guarantee for a client that chains them).
//   - Every call takes Config.PutDelay, or a duration drawn from the
//     latency profile's put distribution, before its records arrive.

import "net/http"

func (s *Server) putRecord(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	ps := getPutState()
	defer putPutState(ps)
	name, arn, e := decodePutRecord(body, ps)
	if e != nil {
		return e
	}
	if e := checkEntries(ps.entries, false); e != nil {
		return e
	}
	st, e := s.lookupForData(string(name), string(arn))
	if e != nil {
		return e
	}
	s.write(r.Context(), st, ps)
	switch ent := &ps.entries[0]; ent.status {
	case putThrottled:
		return errThrottled("%s", throttleMessage(ent.sh, st))
	case putFailed:
		return newError(errInternalFailure, "%s", recordErrInternalMsg)
	default:
		b := append(ps.out, `{"ShardId":"`...)
		b = append(b, ent.sh.id...)
		b = append(b, `","SequenceNumber":"`...)
		b = appendSeq(b, ent.sh.idx, ent.counter)
		ps.out = append(appendEncryption(append(b, '"'), st), '}')
		writeBody(w, ps.out)
		return nil
	}
}

// decodePutRecord reads a PutRecord body into ps.entries[0] and returns the
// stream's name and ARN as given.
func decodePutRecord(body []byte, ps *putState) (name, arn []byte, e *apiError) {
	sc := scanner{b: body}
	if cap(ps.arena) < len(body) {
		ps.arena = make([]byte, 0, len(body))
	}
	ps.entries = append(ps.entries, putEntry{})
	if e := decodeRecordFields(&sc, ps, &ps.entries[0], &name, &arn); e != nil {
		return nil, nil, e
	}
	return name, arn, sc.end()
}
