package runner

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/scenarios"
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

// runEvents applies the scenario's events at their times after start (a
// process-clock time) until ctx is done. Rate changes are already in the
// producers' pacers; they are logged here so the report can mark them.
func (r *run) runEvents(ctx context.Context, ctrl *kinesis.Client, start int64, shards *liveShards) {
	for _, ev := range r.sc.Events {
		if !sleepUntil(ctx, start+int64(ev.At)) {
			return
		}
		at := time.Duration(envelope.Now() - start).Round(time.Millisecond).Seconds()
		switch {
		case ev.UpdateShardCount > 0 && !r.o.Worker.leader():
			r.followReshard(ctx, ctrl, ev.UpdateShardCount, shards)
		case ev.UpdateShardCount > 0:
			res := results.EventResult{AtS: at, Action: "update_shard_count"}
			from := shards.Len()
			took, err := r.reshard(ctx, ctrl, ev.UpdateShardCount, shards)
			res.Detail = fmt.Sprintf("%d -> %d shards", from, ev.UpdateShardCount)
			if err != nil {
				res.Error = err.Error()
				r.logf("event at %.1fs: update_shard_count %d failed: %v", at, ev.UpdateShardCount, err)
			} else {
				res.OK = true
				res.Detail += fmt.Sprintf(", ACTIVE after %.1fs", took.Seconds())
				r.logf("event at %.1fs: %s", at, res.Detail)
			}
			r.events.add(res)
		case ev.Restart != nil:
			r.restart(ev, at)
		case ev.Rate != nil:
			res := results.EventResult{AtS: at, Action: "rate", OK: true,
				Detail: fmt.Sprintf("%s: %s", ev.Producer, ev.Rate)}
			r.logf("event at %.1fs: rate %s", at, res.Detail)
			r.events.add(res)
		}
	}
}

// restart stops every application of the event's consumer and has it
// resume from its checkpoints after the pause. Both moments are marked.
func (r *run) restart(ev scenarios.Event, at float64) {
	var names []string
	for i, spec := range r.appSpec {
		if r.sc.Consumers[spec].Name == ev.Consumer {
			r.pollers[i].Restart(ev.Restart.After)
			names = append(names, r.consumers[i].Name)
		}
	}
	who := strings.Join(names, ", ")
	res := results.EventResult{AtS: at, Action: "restart", OK: len(names) > 0,
		Detail: fmt.Sprintf("%s stopped; resumes from its checkpoints after %v", who, ev.Restart.After)}
	if len(names) == 0 {
		res.Error = "no consumer application named " + ev.Consumer
	}
	r.logf("event at %.1fs: restart %s", at, res.Detail)
	r.events.add(res)
	if len(names) > 0 {
		r.events.add(results.EventResult{AtS: at + ev.Restart.After.Seconds(), Action: "resume", OK: true,
			Detail: who + " resumes from its checkpoints"})
	}
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
