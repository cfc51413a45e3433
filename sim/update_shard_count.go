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
//   - The stream is UPDATING for Config.CreateDelay, then ACTIVE; reads and
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
	if st.mode != modeProvisioned {
		return errValidate("UpdateShardCount is not supported for stream %s in %s mode.", st.name, st.mode)
	}
	target := *in.TargetShardCount
	now := s.now()

	st.mu.Lock()
	defer st.mu.Unlock()
	if status := st.statusLocked(now); status != statusActive {
		return errInUse("Stream %s under account %s is %s, not ACTIVE.", st.name, accountID, status)
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
	st.readyAt, st.updating = now.Add(s.cfg.CreateDelay), true

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
	old := st.table.Load()
	tbl := &shardTable{all: append([]*shard(nil), old.all...)}
	links := make(map[*shard][]childShard, len(parents))
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
		entry := childShard{ShardID: child.id, ParentShards: ids, HashKeyRange: keyRangeJS{child.startKey, child.endKey}}
		for _, p := range parents {
			if p.rng.overlaps(rng) {
				links[p] = append(links[p], entry)
			}
		}
		tbl.all = append(tbl.all, child)
		tbl.open = append(tbl.open, child)
	}
	st.table.Store(tbl)
	s.shards.Add(int64(target))
	for _, p := range parents {
		p.mu.Lock()
		p.closed = true
		p.children = links[p]
		p.wake()
		p.mu.Unlock()
	}
}
