package sim

// Behavior:
//   - PROVISIONED streams only (ValidationException otherwise), ScalingType
//     UNIFORM_SCALING, TargetShardCount between half and double the open
//     shard count and different from it (InvalidArgumentException), at most
//     10 calls per rolling 24 hours (LimitExceededException), not while the
//     stream is CREATING or UPDATING (ResourceInUseException).
//   - Every open shard closes at once (it gets an EndingSequenceNumber and
//     takes no more writes; its records stay readable), and TargetShardCount
//     children split the hash key space evenly. A child's parents are the
//     closed shards its range overlaps: ParentShardId is the first,
//     AdjacentParentShardId the second (a merge). When the counts do not
//     divide, a child can overlap three parents; AWS then goes through
//     intermediate shards, here ChildShards (in GetRecords and
//     SubscribeToShard) lists all of them while the Shard shape names two.
//   - The stream is UPDATING for Config.UpdateDelay, then ACTIVE; reads and
//     writes continue meanwhile.

import (
	"net/http"
	"time"
)

const maxReshardsPerDay = 10

type updateShardCountInput struct {
	streamRef
	TargetShardCount *int   `json:"TargetShardCount"`
	ScalingType      string `json:"ScalingType"`
}

func (s *Server) updateShardCount(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	var in updateShardCountInput
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	if in.TargetShardCount == nil || *in.TargetShardCount < 1 {
		return errValidate("Value at 'targetShardCount' failed to satisfy constraint: Member must not be null and must have value greater than or equal to 1")
	}
	if in.ScalingType != "UNIFORM_SCALING" {
		return errValidate("Value '%s' at 'scalingType' failed to satisfy constraint: Member must satisfy enum value set: [UNIFORM_SCALING]", in.ScalingType)
	}
	st, e := s.lookup(in.StreamName, in.StreamARN)
	if e != nil {
		return e
	}
	target := *in.TargetShardCount
	now := s.now()

	st.mu.Lock()
	defer st.mu.Unlock()
	if st.mode != modeProvisioned {
		return errValidate("UpdateShardCount is not supported for stream %s in %s mode.", st.name, st.mode)
	}
	if e := st.activeLocked(now); e != nil {
		return e
	}
	parents := st.table.Load().open
	cur := len(parents)
	switch {
	case target == cur:
		return errInvalid("TargetShardCount %d equals the current open shard count.", target)
	case target > 2*cur || 2*target < cur:
		return errInvalid("TargetShardCount %d must be between half and double the current open shard count %d.", target, cur)
	case target > maxShardsPerStream || st.nextIdx+target > maxShardIdx:
		return newError(errLimitExceeded, "TargetShardCount %d exceeds the shard limit.", target)
	}
	recent := st.reshards[:0]
	for _, t := range st.reshards {
		if now.Sub(t) < 24*time.Hour {
			recent = append(recent, t)
		}
	}
	st.reshards = recent
	if len(recent) >= maxReshardsPerDay {
		return newError(errLimitExceeded, "Stream %s has been resharded %d times in the last 24 hours.", st.name, maxReshardsPerDay)
	}
	st.reshards = append(st.reshards, now)
	s.reshard(st, parents, target, now)
	s.beginUpdate(st, now)

	writeJSON(w, struct {
		StreamName        string `json:"StreamName"`
		StreamARN         string `json:"StreamARN"`
		CurrentShardCount int    `json:"CurrentShardCount"`
		TargetShardCount  int    `json:"TargetShardCount"`
	}{st.name, st.arn, cur, target})
	return nil
}

// reshard closes parents and opens target children splitting the hash
// key space evenly. Called with st.mu held.
func (s *Server) reshard(st *stream, parents []*shard, target int, now time.Time) {
	children := make([]*shard, 0, target)
	for _, rng := range splitHashSpace(target) {
		child := st.newShard(rng, now, target)
		var ids []string
		for _, p := range parents {
			if p.rng.overlaps(rng) {
				ids = append(ids, p.id)
			}
		}
		child.parent = ids[0]
		if len(ids) > 1 {
			child.adjParent = ids[1]
		}
		children = append(children, child)
	}
	s.swapShards(st, parents, children, now)
}
