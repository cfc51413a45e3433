package sim

import (
	"net/http"
	"slices"
	"time"
)

// shardChange is what one SplitShard or MergeShards does: it closes
// parents, open shards of the stream, and opens a child for each of
// children, a hash key range. Every child names parents[0] as its
// ParentShardId and parents[1], if any, as its AdjacentParentShardId.
type shardChange struct {
	parents  []*shard
	children []hashRange
}

// changeShards is what SplitShard and MergeShards share: it finds the
// stream, holds its lock, checks that op may reshard it now
// (checkReshard), has plan check the request's shards and return the
// change, checks the children fit under the shard limit, then swaps the
// shards and makes the stream UPDATING.
func (s *Server) changeShards(w http.ResponseWriter, ref streamRef, op string, plan func(st *stream) (shardChange, *apiError)) *apiError {
	st, e := s.lookup(ref.StreamName, ref.StreamARN)
	if e != nil {
		return e
	}
	now := s.now()
	st.mu.Lock()
	defer st.mu.Unlock()
	if e := st.checkReshard(op, now); e != nil {
		return e
	}
	c, e := plan(st)
	if e != nil {
		return e
	}
	if st.nextIdx+len(c.children) > maxShardIdx {
		return newError(errLimitExceeded, "Stream %s has reached the shard limit.", st.name)
	}
	open := len(st.table.Load().open) - len(c.parents) + len(c.children)
	children := make([]*shard, len(c.children))
	for i, rng := range c.children {
		children[i] = st.newShard(rng, now, open)
		children[i].parent = c.parents[0].id
		if len(c.parents) > 1 {
			children[i].adjParent = c.parents[1].id
		}
	}
	s.swapShards(st, c.parents, children, now)
	s.beginUpdate(st, now)
	writeJSON(w, struct{}{})
	return nil
}

// swapShards closes parents and opens children in their place: children
// join the shard table in hash-key order, and each parent lists as
// ChildShards the children whose ranges overlap its own. The children's
// ParentShardId and AdjacentParentShardId are the caller's to set. Called
// with st.mu held.
func (s *Server) swapShards(st *stream, parents, children []*shard, now time.Time) {
	old := st.table.Load()
	tbl := &shardTable{all: append(append([]*shard(nil), old.all...), children...)}
	for _, sh := range old.open {
		if !slices.Contains(parents, sh) {
			tbl.open = append(tbl.open, sh)
		}
	}
	tbl.open = append(tbl.open, children...)
	slices.SortFunc(tbl.open, func(a, b *shard) int {
		switch {
		case a.rng.start.less(b.rng.start):
			return -1
		case b.rng.start.less(a.rng.start):
			return 1
		}
		return 0
	})
	links := make(map[*shard][]childShard, len(parents))
	for _, c := range children {
		var ids []string
		for _, p := range parents {
			if p.rng.overlaps(c.rng) {
				ids = append(ids, p.id)
			}
		}
		entry := childShard{ShardID: c.id, ParentShards: ids, HashKeyRange: keyRangeJS{c.startKey, c.endKey}}
		for _, p := range parents {
			if p.rng.overlaps(c.rng) {
				links[p] = append(links[p], entry)
			}
		}
	}
	st.table.Store(tbl)
	s.shards.Add(int64(len(children)))
	for _, p := range parents {
		p.mu.Lock()
		p.closed = true
		p.closedAt = now.UnixNano()
		p.children = links[p]
		p.wake()
		p.mu.Unlock()
	}
}

// openShard finds an open shard of st by its ShardId for SplitShard and
// MergeShards, naming the request field in errors.
func (st *stream) openShard(id, field string) (*shard, *apiError) {
	if id == "" {
		return nil, errValidate("Value null at '%s' failed to satisfy constraint: Member must not be null", field)
	}
	sh, e := st.shardByID(id)
	if e != nil {
		return nil, e
	}
	sh.mu.Lock()
	closed := sh.closed
	sh.mu.Unlock()
	if closed {
		return nil, newError(errResourceInUse, "Shard %s in stream %s under account %s is closed; only open shards can be resharded.", sh.id, st.name, accountID)
	}
	return sh, nil
}

// checkReshard applies what SplitShard and MergeShards require of the
// stream: PROVISIONED (ValidationException) and ACTIVE
// (ResourceInUseException). Called with st.mu held.
func (st *stream) checkReshard(op string, now time.Time) *apiError {
	if st.mode != modeProvisioned {
		return errValidate("%s is not supported for stream %s in %s mode.", op, st.name, st.mode)
	}
	return st.activeLocked(now)
}
