package sim

// Behavior:
//   - Closes the open shards ShardToMerge and AdjacentShardToMerge, whose
//     hash key ranges must touch (InvalidArgumentException otherwise), and
//     opens one child covering both, with ParentShardId ShardToMerge and
//     AdjacentParentShardId AdjacentShardToMerge. Their records stay
//     readable.
//   - Both shard ids are required (ValidationException); an unknown shard is
//     ResourceNotFoundException, a closed one ResourceInUseException.
//   - PROVISIONED streams only (ValidationException), ACTIVE only
//     (ResourceInUseException); the stream is UPDATING for
//     Config.UpdateDelay, then ACTIVE. Reads and writes continue.

import "net/http"

type mergeShardsInput struct {
	streamRef
	ShardToMerge         string `json:"ShardToMerge"`
	AdjacentShardToMerge string `json:"AdjacentShardToMerge"`
}

func (s *Server) mergeShards(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	var in mergeShardsInput
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	return s.changeShards(w, in.streamRef, "MergeShards", func(st *stream) (shardChange, *apiError) {
		a, e := st.openShard(in.ShardToMerge, "shardToMerge")
		if e != nil {
			return shardChange{}, e
		}
		b, e := st.openShard(in.AdjacentShardToMerge, "adjacentShardToMerge")
		if e != nil {
			return shardChange{}, e
		}
		lo, hi := a, b
		if b.rng.start.less(a.rng.start) {
			lo, hi = b, a
		}
		if a == b || lo.rng.end.plusOne() != hi.rng.start {
			return shardChange{}, errInvalid("Shards %s and %s in stream %s under account %s are not adjacent.", a.id, b.id, st.name, accountID)
		}
		return shardChange{parents: []*shard{a, b}, children: []hashRange{{lo.rng.start, hi.rng.end}}}, nil
	})
}
