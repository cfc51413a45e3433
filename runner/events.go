package runner

import (
	"cmp"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/targets"
)

// liveShards is the stream's current shard map. Producers route through it
// to attribute throttles to shards; an update_shard_count event replaces it
// once the stream is ACTIVE again.
type liveShards struct{ p atomic.Pointer[ShardMap] }

func newLiveShards(m *ShardMap) *liveShards {
	l := &liveShards{}
	l.p.Store(m)
	return l
}

// Shard routes a record as the current map does.
func (l *liveShards) Shard(partitionKey, explicitHashKey string) string {
	return l.p.Load().Shard(partitionKey, explicitHashKey)
}

// open reports whether id is an open shard of the current map.
func (l *liveShards) open(id string) bool {
	for _, r := range l.p.Load().ranges {
		if r.id == id {
			return true
		}
	}
	return false
}

// Len returns the number of open shards in the current map.
func (l *liveShards) Len() int { return l.p.Load().Len() }

// reshardWait bounds how long an update_shard_count event waits for the
// stream to be ACTIVE again (AWS takes minutes; the simulator is instant).
const reshardWait = 10 * time.Minute

// eventLog collects the results of the scenario's events as they happen.
type eventLog struct {
	mu  sync.Mutex
	res []results.EventResult
}

func (l *eventLog) add(e results.EventResult) {
	l.mu.Lock()
	l.res = append(l.res, e)
	l.mu.Unlock()
}

func (l *eventLog) results() []results.EventResult {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]results.EventResult(nil), l.res...)
}

// runEvents runs the scenario's events at their times after start (a
// process-clock time) until ctx is done: each event's action, through its
// kind, and what it did goes to the summary's events under the kind's name.
func (r *run) runEvents(ctx context.Context, ctrl *kinesis.Client, start int64, shards *liveShards) {
	env := &eventRun{r: r, ctrl: ctrl, shards: shards}
	for _, ev := range r.sc.Events {
		if !sleepUntil(ctx, start+int64(ev.At)) {
			return
		}
		at := time.Duration(envelope.Now() - start).Round(time.Millisecond).Seconds()
		for _, o := range ev.Action.Run(ctx, env) {
			res := results.EventResult{AtS: at + o.After.Seconds(), Action: cmp.Or(o.Label, ev.Kind), Detail: o.Detail, OK: o.Err == nil}
			if o.Err != nil {
				res.Error = o.Err.Error()
				r.logf("event at %.1fs: %s %s failed: %v", res.AtS, res.Action, res.Detail, o.Err)
			} else {
				r.logf("event at %.1fs: %s %s", res.AtS, res.Action, res.Detail)
			}
			r.events.add(res)
		}
	}
}

// eventRun is what the run offers the events' actions
// (scenarios.EventRun).
type eventRun struct {
	r      *run
	ctrl   *kinesis.Client
	shards *liveShards
}

// Reshard implements scenarios.EventRun.
func (e *eventRun) Reshard(ctx context.Context, n int) (int, time.Duration, error) {
	from := e.shards.Len()
	if !e.r.o.Worker.leader() { // worker 0 reshards; the others follow
		took, err := e.r.followReshard(ctx, e.ctrl, n, e.shards)
		return from, took, err
	}
	took, err := e.r.reshard(ctx, e.ctrl, n, e.shards)
	return from, took, err
}

// RestartConsumer implements scenarios.EventRun: it stops every
// application of the named consumer and has it resume from its
// checkpoints after the pause.
func (e *eventRun) RestartConsumer(name string, after time.Duration) []string {
	var names []string
	for i, spec := range e.r.appSpec {
		if e.r.sc.Consumers[spec].Name == name {
			e.r.pollers[i].Restart(after)
			names = append(names, e.r.consumers[i].Name)
		}
	}
	return names
}

// reshard scales the stream uniformly to n shards, waits until it is ACTIVE
// again and installs the new shard map.
func (r *run) reshard(ctx context.Context, ctrl *kinesis.Client, n int, shards *liveShards) (time.Duration, error) {
	began := time.Now()
	name := r.sc.Stream.Name
	if !r.created {
		return 0, fmt.Errorf("stream %s was not created by this run; kbench does not reshard it", name)
	}
	if err := targets.CanModify(ctx, ctrl, name, fmt.Sprintf("%016x", r.runID)); err != nil {
		return 0, err
	}
	_, err := ctrl.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{
		StreamName: aws.String(name), TargetShardCount: aws.Int32(int32(n)), ScalingType: types.ScalingTypeUniformScaling,
	})
	if err != nil {
		return 0, err
	}
	wctx, cancel := context.WithTimeout(ctx, reshardWait)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		out, err := ctrl.DescribeStreamSummary(wctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err == nil && out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive {
			break
		}
		select {
		case <-wctx.Done():
			return 0, fmt.Errorf("stream %s not ACTIVE %v after UpdateShardCount: %w", name, reshardWait, wctx.Err())
		case <-tick.C:
		}
	}
	list, err := targets.Shards(ctx, ctrl, name)
	if err != nil {
		return 0, fmt.Errorf("listing shards after resharding: %w", err)
	}
	m, err := NewShardMap(list)
	if err != nil {
		return 0, err
	}
	shards.p.Store(m)
	return time.Since(began), nil
}
