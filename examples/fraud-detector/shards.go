package main

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// readShard reads one shard until it is read to its end, and returns the
// children Kinesis named then; it returns nil, nil when ctx ends first.
type readShard func(ctx context.Context, id string) ([]types.ChildShard, error)

// follower reads the shards of a stream, each in its own goroutine, and
// the children of every shard read to its end: a child starts once each of
// its parents that the detector knows of is finished, so a card's payments
// are read in order across a reshard.
type follower struct {
	ctx  context.Context
	fail context.CancelCauseFunc
	read readShard
	wg   sync.WaitGroup

	mu       sync.Mutex
	parents  map[string][]string // every shard known, with its parents
	started  map[string]bool
	finished map[string]bool
}

// follow reads shards (a ListShards listing) and their descendants with
// read until ctx ends or a reader fails; it returns the first failure.
func follow(parent context.Context, shards []types.Shard, read readShard) error {
	ctx, fail := context.WithCancelCause(parent)
	defer fail(nil)
	f := &follower{ctx: ctx, fail: fail, read: read,
		parents: map[string][]string{}, started: map[string]bool{}, finished: map[string]bool{}}
	f.mu.Lock()
	for _, s := range shards {
		var ps []string
		for _, p := range []*string{s.ParentShardId, s.AdjacentParentShardId} {
			if aws.ToString(p) != "" {
				ps = append(ps, *p)
			}
		}
		f.parents[aws.ToString(s.ShardId)] = ps
	}
	f.startReady()
	f.mu.Unlock()
	f.wg.Wait()
	if parent.Err() != nil {
		return nil // stopped
	}
	return context.Cause(ctx)
}

// startReady starts every shard not started whose known parents are
// finished; f.mu is held.
func (f *follower) startReady() {
	if f.ctx.Err() != nil {
		return
	}
	for id, ps := range f.parents {
		if f.started[id] {
			continue
		}
		ready := true
		for _, p := range ps {
			if _, known := f.parents[p]; known && !f.finished[p] {
				ready = false
			}
		}
		if ready {
			f.started[id] = true
			f.wg.Add(1)
			go f.run(id)
		}
	}
}

// run reads shard id, then starts the children that are ready.
func (f *follower) run(id string) {
	defer f.wg.Done()
	children, err := f.read(f.ctx, id)
	if err != nil {
		f.fail(err)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ctx.Err() != nil {
		return
	}
	f.finished[id] = true
	for _, c := range children {
		if cid := aws.ToString(c.ShardId); cid != "" {
			if _, known := f.parents[cid]; !known {
				f.parents[cid] = c.ParentShards
			}
		}
	}
	f.startReady()
}
