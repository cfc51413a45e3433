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

// follow reads the shards of list, and those a reshard adds, each with read
// in its own goroutine once its parents are finished, until ctx ends. It
// lists the shards again every c.refresh. It blocks until every reader ended.
//
// A Restart request stops every reader (as a crashed worker would stop),
// waits out the pause and starts them again, each at its shard's last
// checkpoint.
func (c *core) follow(ctx context.Context, r shardLister, list []types.Shard, read readFunc) {
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
		for _, id := range tree.startable(c.cfg.Owns) {
			wg.Go(func() { c.runReader(readers.ctx, id, read, done) })
		}
	}
	tree.merge(list)
	start()
	tick := time.NewTicker(c.refresh)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case d := <-done:
			tree.finish(d.id, d.children)
			start()
		case pause := <-c.restart:
			readers.stop(errRestart)
			wg.Wait()
			tree.stopped()
			c.cfg.App.Restarts.Add(1)
			c.cfg.Log("collector %s: stopped; resuming from its checkpoints in %v", c.cfg.Name, pause)
			if c.wait(ctx, pause) != nil {
				return
			}
			readers.ctx, readers.stop = context.WithCancelCause(ctx)
			start()
		case <-tick.C:
			list, err := listAllShards(ctx, r, c.cfg.Stream)
			if err != nil {
				if ctx.Err() == nil {
					c.cfg.Log("collector %s: list shards of %s: %v", c.cfg.Name, c.cfg.Stream, err)
				}
				continue
			}
			tree.merge(list)
			start()
		}
	}
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

// runReader runs read on shard id, keeping the live counters, and reports
// the shard on done when it was read to its end.
func (c *core) runReader(ctx context.Context, id string, read readFunc, done chan<- shardDone) {
	c.shards.Add(1)
	defer c.shards.Add(-1)
	defer c.dropLag(id)
	c.cfg.Log("collector %s: reading shard %s", c.cfg.Name, id)
	children, closed := read(ctx, id)
	if !closed {
		return
	}
	c.cfg.Log("collector %s: shard %s read to its end", c.cfg.Name, id)
	select {
	case done <- shardDone{id: id, children: children}:
	case <-ctx.Done():
	}
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
