package collectors

import (
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// shardState is the lifecycle of one shard in a collector.
type shardState uint8

const (
	shardPending  shardState = iota // known, waiting for its parents
	shardReading                    // a reader goroutine runs
	shardFinished                   // read to its end (or gone from the stream)
)

// shardNode is one shard the collector knows of.
type shardNode struct {
	parents []string
	state   shardState
	// placeholder marks a shard known only as a parent named in another
	// shard's ChildShards: its own parents are not known yet, so it is not
	// read until ListShards or its parent's ChildShards describe it.
	placeholder bool
}

// shardTree is the collector's picture of the stream's shards and of how far
// each is read. A shard is read only after every parent it has is finished,
// so per-key order holds across a reshard. It belongs to one goroutine.
type shardTree map[string]*shardNode

// merge adds what a complete ListShards listing says. A placeholder the
// listing does not hold has left the stream (retention ended): there is
// nothing left to wait for, so it counts as finished.
func (t shardTree) merge(list []types.Shard) {
	listed := make(map[string]bool, len(list))
	for _, s := range list {
		if s.ShardId == nil {
			continue
		}
		listed[*s.ShardId] = true
		if n := t[*s.ShardId]; n != nil && !n.placeholder {
			continue
		}
		var parents []string
		for _, p := range []*string{s.ParentShardId, s.AdjacentParentShardId} {
			if p != nil && *p != "" {
				parents = append(parents, *p)
			}
		}
		t.describe(*s.ShardId, parents)
	}
	for id, n := range t {
		if n.placeholder && !listed[id] {
			n.placeholder = false
			n.state = shardFinished
		}
	}
}

// finish marks shard id read to its end and adds the children GetRecords (or
// SubscribeToShard) named.
func (t shardTree) finish(id string, children []types.ChildShard) {
	if n := t[id]; n != nil {
		n.state = shardFinished
	}
	for _, c := range children {
		if c.ShardId == nil {
			continue
		}
		if n := t[*c.ShardId]; n != nil && !n.placeholder {
			continue
		}
		t.describe(*c.ShardId, c.ParentShards)
	}
}

// describe records shard id's parents, adding placeholders for parents not
// known yet.
func (t shardTree) describe(id string, parents []string) {
	n := t[id]
	if n == nil {
		n = &shardNode{}
		t[id] = n
	}
	n.parents, n.placeholder = parents, false
	for _, p := range parents {
		if t[p] == nil {
			t[p] = &shardNode{placeholder: true}
		}
	}
}

// startable returns the shards that may be read now and marks them reading.
// A shard owns does not accept (another worker of a distributed run reads
// it) is marked finished instead, at once: this worker cannot see how far
// the other has read it, so its children here start without waiting for it.
// owns nil accepts every shard.
func (t shardTree) startable(owns func(string) bool) []string {
	var ids []string
	for again := true; again; {
		again = false
		for id, n := range t {
			if n.state != shardPending || n.placeholder {
				continue
			}
			if owns != nil && !owns(id) {
				n.state, again = shardFinished, true
				continue
			}
			if !t.parentsFinished(n.parents) {
				continue
			}
			n.state = shardReading
			ids = append(ids, id)
		}
	}
	return ids
}

// parentsFinished reports whether every parent is finished or unknown.
func (t shardTree) parentsFinished(parents []string) bool {
	for _, id := range parents {
		if n := t[id]; n != nil && n.state != shardFinished {
			return false
		}
	}
	return true
}

// stopped marks the shards being read pending again: their readers were
// stopped, and will start again once their parents are finished (they are).
func (t shardTree) stopped() {
	for _, n := range t {
		if n.state == shardReading {
			n.state = shardPending
		}
	}
}
