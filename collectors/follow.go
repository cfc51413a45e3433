package collectors

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// shardDone is what a reader reports when it has read its shard to the end.
type shardDone struct {
	id       string
	children []types.ChildShard
}

// readFunc reads shard id until it is read to its end (closed is true, with
// the children the service named) or until ctx ends (closed is false).
type readFunc func(ctx context.Context, id string) (children []types.ChildShard, closed bool)

// follower reads every shard of a stream, and those a reshard adds, each
// in its own goroutine once its parents are finished (a shardTree), so
// per-key order holds across a reshard. It finds new shards in the
// ChildShards of the shards read to their end, and by listing the shards
// every refresh. The collectors and the kinesis destination share it.
type follower struct {
	lister  shardLister
	stream  string
	refresh time.Duration
	// read reads one shard.
	read readFunc
	// owns, when not nil, says which shards to read (see Config.Owns).
	owns func(shardID string) bool
	// log receives a failed ListShards.
	log func(format string, args ...any)
	// restart, when not nil, carries restart requests: every reader is
	// stopped, resume is called with the pause (it reports false when
	// ctx ended while it waited), and the readers start again.
	restart <-chan time.Duration
	resume  func(ctx context.Context, pause time.Duration) bool
}

// run reads the shards of list, and those a reshard adds, until ctx ends.
// It blocks until every reader ended.
func (f *follower) run(ctx context.Context, list []types.Shard) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	// The readers run under a context of their own, which a restart ends
	// and replaces.
	var readers struct {
		ctx  context.Context
		stop context.CancelCauseFunc
	}
	readers.ctx, readers.stop = context.WithCancelCause(ctx)
	defer func() {
		readers.stop(nil)
		cancel()
		wg.Wait()
	}()
	done := make(chan shardDone)
	tree := shardTree{}
	start := func() {
		for _, id := range tree.startable(f.owns) {
			rctx := readers.ctx
			wg.Go(func() {
				children, closed := f.read(rctx, id)
				if !closed {
					return
				}
				select {
				case done <- shardDone{id: id, children: children}:
				case <-rctx.Done():
				}
			})
		}
	}
	tree.merge(list)
	start()
	tick := time.NewTicker(f.refresh)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case d := <-done:
			tree.finish(d.id, d.children)
			start()
		case pause := <-f.restart:
			readers.stop(errRestart)
			wg.Wait()
			tree.stopped()
			if !f.resume(ctx, pause) {
				return
			}
			readers.ctx, readers.stop = context.WithCancelCause(ctx)
			start()
		case <-tick.C:
			list, err := listAllShards(ctx, f.lister, f.stream)
			if err != nil {
				if ctx.Err() == nil {
					f.log("list shards of %s: %v", f.stream, err)
				}
				continue
			}
			tree.merge(list)
			start()
		}
	}
}

// follow reads the shards of list, and those a reshard adds, with read, until
// ctx ends (see follower). It lists the shards again every c.refresh. It
// blocks until every reader ended.
//
// A Restart request stops every reader (as a crashed worker would stop),
// waits out the pause and starts them again, each at its shard's last
// checkpoint.
func (c *core) follow(ctx context.Context, r shardLister, list []types.Shard, read readFunc) {
	f := &follower{lister: r, stream: c.cfg.Stream, refresh: c.refresh, restart: c.restart, owns: c.cfg.Owns,
		read: func(ctx context.Context, id string) ([]types.ChildShard, bool) { return c.runReader(ctx, id, read) },
		log: func(format string, args ...any) {
			c.cfg.Log("collector %s: "+format, append([]any{c.cfg.Name}, args...)...)
		},
		resume: func(ctx context.Context, pause time.Duration) bool {
			c.cfg.App.Restarts.Add(1)
			c.cfg.Log("collector %s: stopped; resuming from its checkpoints in %v", c.cfg.Name, pause)
			return c.wait(ctx, pause) == nil
		},
	}
	f.run(ctx, list)
}

// errRestart is the cause with which a restart stops an application's
// readers.
var errRestart = errors.New("collectors: restart")

// Restart stops the application's reading, as a crashed worker would, and
// resumes it after pause from each shard's last checkpoint: records
// processed since then are read again (App.Rewound counts them; the Tracker
// counts them as duplicates). It does not block; a Restart while one is
// pending is dropped. It does nothing before Run has started reading.
func (c *core) Restart(pause time.Duration) {
	select {
	case c.restart <- pause:
	default:
	}
}

// runReader runs read on shard id, keeping the live counters and logging
// the shard's start and end.
func (c *core) runReader(ctx context.Context, id string, read readFunc) ([]types.ChildShard, bool) {
	c.shards.Add(1)
	defer c.shards.Add(-1)
	defer c.dropLag(id)
	c.cfg.Log("collector %s: reading shard %s", c.cfg.Name, id)
	children, closed := read(ctx, id)
	if closed {
		c.cfg.Log("collector %s: shard %s read to its end", c.cfg.Name, id)
	}
	return children, closed
}

// firstList lists the shards when a collector starts, retrying transient
// errors while ctx lives. It fails only on an error that retrying cannot
// fix, and returns nil, nil when ctx ends first.
func (c *core) firstList(ctx context.Context, r shardLister) ([]types.Shard, error) {
	var list []types.Shard
	err := c.retry(ctx, "list shards of "+c.cfg.Stream, func(ctx context.Context) (err error) {
		list, err = listAllShards(ctx, r, c.cfg.Stream)
		return err
	})
	if ctx.Err() != nil {
		return nil, nil
	}
	return list, err
}

// shardLister is the ListShards call both collectors make.
type shardLister interface {
	ListShards(ctx context.Context, in *kinesis.ListShardsInput, optFns ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error)
}

// listAllShards returns every shard of stream, following NextToken.
func listAllShards(ctx context.Context, r shardLister, stream string) ([]types.Shard, error) {
	in := &kinesis.ListShardsInput{StreamName: &stream}
	var all []types.Shard
	for range maxListPages {
		out, err := r.ListShards(ctx, in)
		if err != nil {
			return nil, err
		}
		all = append(all, out.Shards...)
		if out.NextToken == nil || *out.NextToken == "" {
			return all, nil
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken}
	}
	return nil, fmt.Errorf("collectors: list shards of %s: more than %d pages", stream, maxListPages)
}
