package sim

// Behavior:
//   - Closes the open shard ShardToSplit and opens two children: the first
//     holds its hash keys below NewStartingHashKey, the second the rest;
//     both name it as ParentShardId. Its records stay readable.
//   - ShardToSplit and NewStartingHashKey are required and NewStartingHashKey
//     is a decimal 0..2^128-1 (ValidationException); it must fall inside the
//     shard's range, above its StartingHashKey (InvalidArgumentException).
//     An unknown shard is ResourceNotFoundException, a closed one
//     ResourceInUseException.
//   - PROVISIONED streams only (ValidationException), ACTIVE only
//     (ResourceInUseException); the stream is UPDATING for
//     Config.UpdateDelay, then ACTIVE. Reads and writes continue.

import "net/http"

type splitShardInput struct {
	streamRef
	ShardToSplit       string  `json:"ShardToSplit"`
	NewStartingHashKey *string `json:"NewStartingHashKey"`
}

func (s *Server) splitShard(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	var in splitShardInput
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	if in.NewStartingHashKey == nil {
		return errValidate("Value null at 'newStartingHashKey' failed to satisfy constraint: Member must not be null")
	}
	key, e := parseHashKey([]byte(*in.NewStartingHashKey))
	if e != nil {
		return errValidate("Value '%s' at 'newStartingHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})", echo(*in.NewStartingHashKey))
	}
	return s.changeShards(w, in.streamRef, "SplitShard", func(st *stream) (shardChange, *apiError) {
		sh, e := st.openShard(in.ShardToSplit, "shardToSplit")
		if e != nil {
			return shardChange{}, e
		}
		if !sh.rng.start.less(key) || sh.rng.end.less(key) {
			return shardChange{}, errInvalid("NewStartingHashKey %s is not within the hash key range of shard %s (%s..%s), above its start.", key, sh.id, sh.startKey, sh.endKey)
		}
		return shardChange{parents: []*shard{sh}, children: []hashRange{{sh.rng.start, key.minusOne()}, {key, sh.rng.end}}}, nil
	})
}
