package sim

// Behavior:
//   - Returns an iterator for ShardId (open or closed) at TRIM_HORIZON (the
//     oldest kept record), LATEST (just after the newest record),
//     AT_SEQUENCE_NUMBER / AFTER_SEQUENCE_NUMBER (a sequence number of this
//     shard, else InvalidArgumentException) or AT_TIMESTAMP (the first record
//     that arrived at or after Timestamp).
//   - With quotas on, 5 calls per second per shard; more are refused with
//     ProvisionedThroughputExceededException.
//   - The iterator expires 5 minutes after it was issued.

import "net/http"

type getShardIteratorInput struct {
	streamRef
	ShardID                string     `json:"ShardId"`
	ShardIteratorType      string     `json:"ShardIteratorType"`
	StartingSequenceNumber string     `json:"StartingSequenceNumber"`
	Timestamp              *epochTime `json:"Timestamp"`
}

func (s *Server) getShardIterator(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	var in getShardIteratorInput
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	if in.ShardID == "" {
		return errValidate("Value null at 'shardId' failed to satisfy constraint: Member must not be null")
	}
	st, e := s.lookupForData(in.StreamName, in.StreamARN)
	if e != nil {
		return e
	}
	sh, e := st.shardByID(in.ShardID)
	if e != nil {
		return e
	}
	now := s.now()
	if s.quotas {
		sh.mu.Lock()
		ok := sh.iCalls.take(now.UnixNano(), 1)
		if !ok {
			sh.counters.GetShardIteratorThrottled++
		}
		sh.mu.Unlock()
		if !ok {
			return errThrottled("Rate exceeded for shard %s in stream %s under account %s.", sh.id, st.name, accountID)
		}
	}
	pos, e := s.position(st, sh, startingPosition{Type: in.ShardIteratorType, SequenceNumber: in.StartingSequenceNumber, Timestamp: in.Timestamp})
	if e != nil {
		return e
	}
	it := iterator{created: st.created.UnixNano(), issued: now.UnixNano(), shard: sh.idx, pos: pos, stream: st.name}
	writeJSON(w, struct {
		ShardIterator string `json:"ShardIterator"`
	}{it.encode()})
	return nil
}
