package runner

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kbench/kbench/collectors"
	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/targets"
)

// Worker is this process's part in a run split over several processes
// (kbench run --worker I/N): it sends share Index of every producer's
// schedule (see Share), reads the shards OwnsShard gives it, and writes a
// results directory with what kbench merge needs (see results.WorkerState).
type Worker struct {
	Index, Count int
	// RunID is the run id every worker shares.
	RunID uint64
	// StartAt is the agreed wall-clock instant at which every worker starts
	// its schedule; zero derives it from the stream's creation time plus
	// StartLead, the same on every worker.
	StartAt time.Time
	// Wait bounds how long worker 0 waits, after its own run, for the other
	// workers' completion markers before it deletes the stream. When they
	// do not all come, the stream is left in place (kbench cleanup removes
	// it) rather than deleted under a worker still reading.
	Wait time.Duration
}

// StartLead is how long after the stream's creation the workers of a run
// with no --start-at start: time for every worker to find the stream ACTIVE
// and measure its clock.
const StartLead = 15 * time.Second

// joinWait bounds how long a worker waits for worker 0's stream: worker 0's
// pod may start late, and AWS takes a minute or so to make a stream ACTIVE.
const joinWait = 10 * time.Minute

// DefaultWorkerWait is Worker.Wait's default.
const DefaultWorkerWait = 10 * time.Minute

func (w *Worker) share() Share {
	if w == nil {
		return Share{}
	}
	return Share{Index: w.Index, Count: w.Count}
}

// instanceShare is the share of producer instance k, of a producer with
// concurrency instances, this worker sends. When the instances divide
// evenly among the workers, each worker runs whole instances (k mod N = I)
// with the seeds one process gives them, so their records, partition keys
// included, are exactly one process's; otherwise every worker sends a 1/N
// share of every instance's schedule, with seeds of its own.
func (w *Worker) instanceShare(concurrency, k int) Share {
	if w == nil || w.Count <= 1 {
		return Share{}
	}
	if concurrency%w.Count == 0 {
		return Share{Elsewhere: k%w.Count != w.Index}
	}
	return w.share()
}

// leader reports whether this process creates, reshards and deletes the
// stream: worker 0, or a run that is not split.
func (w *Worker) leader() bool { return w == nil || w.Index == 0 }

// seedOffset is added to every seed of a worker's generators and key
// strategies: each draws from a stream of its own with the same
// distribution, so the same hot keys are as hot in aggregate.
func (w *Worker) seedOffset() int64 {
	if w == nil {
		return 0
	}
	return int64(w.Index) << 40
}

// joinStream waits for worker 0's stream (a worker other than 0) and
// returns when it was created.
func (r *run) joinStream(ctx context.Context, ctrl *kinesis.Client) (time.Time, error) {
	r.logf("worker %d/%d: waiting for worker 0 to create stream %s (run %016x)", r.o.Worker.Index, r.o.Worker.Count, r.sc.Stream.Name, r.runID)
	jctx, cancel := context.WithTimeoutCause(ctx, joinWait, fmt.Errorf("worker 0 did not create it within %v", joinWait))
	defer cancel()
	created, err := targets.JoinStream(jctx, ctrl, r.sc.Stream.Name, fmt.Sprintf("%016x", r.runID))
	if err != nil {
		if ctx.Err() != nil {
			return created, fmt.Errorf("%w: %w", ErrInterrupted, err)
		}
		return created, targetErr(err)
	}
	return created, nil
}

// startClock measures a worker's clock in the background; the channel is
// closed when r.clock is set (at once when there is nothing to measure).
func (r *run) startClock(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	if r.o.Worker == nil {
		close(done)
		return done
	}
	r.clock = results.ClockInfo{UncertaintyMS: -1}
	go func() {
		defer close(done)
		r.measureClock(ctx)
	}()
	return done
}

// workerStart returns the process-clock time at which the schedule starts: --start-at, or the
// stream's creation plus StartLead. A start already past is kept (the
// producers then begin behind their schedule, and their lateness shows it),
// with a warning.
func (r *run) workerStart(ctx context.Context, ctrl *kinesis.Client, created time.Time) (int64, error) {
	w := r.o.Worker
	at := w.StartAt
	if at.IsZero() {
		if created.IsZero() {
			c, err := targets.StreamCreated(ctx, ctrl, r.sc.Stream.Name)
			if err != nil {
				return 0, targetErr(err)
			}
			created = c
		}
		at = created.Add(StartLead).Truncate(time.Second)
	}
	start := at.UnixNano()
	if late := time.Duration(envelope.Now() - start); late > 0 {
		r.logf("warning: worker %d/%d: the agreed start %s passed %v ago: its producers start behind their schedule",
			w.Index, w.Count, at.UTC().Format(time.RFC3339Nano), late.Round(time.Millisecond))
	} else {
		r.logf("worker %d/%d: starting at %s (in %v)", w.Index, w.Count, at.UTC().Format(time.RFC3339Nano), (-late).Round(time.Millisecond))
	}
	return start, nil
}

// measureClock measures this host's clock against the target endpoint's
// Date header into r.clock; a failure is a warning, and the uncertainty
// stays unknown (-1).
func (r *run) measureClock(ctx context.Context) {
	u := clockURL(r.o.Target)
	if u == "" {
		r.logf("warning: no endpoint URL to measure the clock against: clock error unknown")
		return
	}
	c, err := targets.MeasureClock(ctx, u)
	if err != nil {
		r.logf("warning: measuring the clock: %v: clock error unknown", err)
		return
	}
	r.clock = results.ClockInfo{
		OffsetMS:      float64(c.Offset) / 1e6,
		UncertaintyMS: float64(c.Uncertainty) / 1e6,
		Reference:     c.Reference,
		Probes:        c.Probes,
	}
	r.logf("clock: %+.3f ms from %s, ± %.3f ms", r.clock.OffsetMS, c.Reference, r.clock.UncertaintyMS)
}

// clockURL is the URL whose Date header is the workers' common clock: the
// target's endpoint, or AWS's regional Kinesis endpoint.
func clockURL(t *targets.Target) string {
	if t.Endpoint != "" {
		if u, err := url.Parse(t.Endpoint); err == nil && u.Host != "" {
			return u.Scheme + "://" + u.Host + "/"
		}
		return ""
	}
	if t.Kind == targets.KindAWS && t.Region != "" {
		return "https://kinesis." + t.Region + ".amazonaws.com/"
	}
	return ""
}

// workersDone is finishWorker, done once: later calls return the first
// one's answer.
func (r *run) workersDone(ctrl *kinesis.Client) bool {
	r.finished.Do(func() { r.deletableNow = r.finishWorker(ctrl) })
	return r.deletableNow
}

// finishWorker ends a worker's part in the stream's life: a worker other
// than 0 puts its completion marker on the stream; worker 0 waits for the
// others' markers and reports whether the stream may be deleted.
func (r *run) finishWorker(ctrl *kinesis.Client) (deletable bool) {
	w := r.o.Worker
	ctx, cancel := context.WithTimeout(context.Background(), cleanupWait)
	defer cancel()
	if !w.leader() {
		if err := targets.MarkWorkerDone(ctx, ctrl, r.sc.Stream.Name, fmt.Sprintf("%016x", r.runID), w.Index); err != nil {
			r.logf("warning: %v", err)
		}
		return false
	}
	wait := w.Wait
	if wait <= 0 {
		wait = DefaultWorkerWait
	}
	r.logf("worker 0/%d: waiting up to %v for the other workers to finish before deleting stream %s", w.Count, wait, r.sc.Stream.Name)
	wctx, wcancel := context.WithTimeout(context.Background(), wait)
	defer wcancel()
	missing, err := targets.AwaitWorkers(wctx, ctrl, r.sc.Stream.Name, w.Count)
	switch {
	case err != nil:
		r.logf("warning: %v; stream %s is left in place (kbench cleanup deletes it)", err, r.sc.Stream.Name)
		return false
	case len(missing) > 0:
		r.logf("warning: worker(s) %v did not finish within %v; stream %s is left in place (kbench cleanup deletes it)", missing, wait, r.sc.Stream.Name)
		return false
	}
	return true
}

// owns is the shard filter of this worker's consumer applications, nil
// when the run is not split.
func (r *run) owns() func(string) bool {
	if r.o.Worker == nil {
		return nil
	}
	return r.o.Worker.share().OwnsShard
}

// caughtUp reports whether consumer application i has seen all it will.
// In one process that is every acknowledged record. A worker reads only its
// own shards, and other workers write to them: it has caught up once it
// has been at the tip of every shard it reads since well after the end of
// the schedule and its own last acknowledged write.
func (r *run) caughtUp(i int, t *collectors.Tracker) bool {
	if r.o.Worker == nil {
		return t.Lost(r.m) == 0
	}
	end := max(r.m.LastAck(), r.start+int64(r.sc.Duration)) + 2*int64(ReadPastMargin)
	return envelope.Now() > end && r.pollers[i].Stats().TipAt > end
}

// followReshard is an update_shard_count event on a worker other than 0:
// worker 0 reshards the stream; this one waits until the stream is ACTIVE
// with n open shards and routes by the new shard map. It returns how long
// that took.
func (r *run) followReshard(ctx context.Context, ctrl *kinesis.Client, n int, shards *liveShards) (time.Duration, error) {
	began := time.Now()
	wctx, cancel := context.WithTimeout(ctx, reshardWait)
	defer cancel()
	name := r.sc.Stream.Name
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		out, err := ctrl.DescribeStreamSummary(wctx, &kinesis.DescribeStreamSummaryInput{StreamName: &name})
		if err == nil && out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive &&
			int(aws.ToInt32(out.StreamDescriptionSummary.OpenShardCount)) == n {
			break
		}
		select {
		case <-wctx.Done():
			return 0, fmt.Errorf("stream %s did not reach %d open shards (worker 0 reshards it): %w", name, n, wctx.Err())
		case <-tick.C:
		}
	}
	list, err := targets.Shards(ctx, ctrl, name)
	if err != nil {
		return 0, fmt.Errorf("listing shards after worker 0 resharded: %w", err)
	}
	m, err := NewShardMap(list)
	if err != nil {
		return 0, err
	}
	shards.p.Store(m)
	r.logf("stream %s resharded by worker 0 to %d shards", name, n)
	return time.Since(began), nil
}

// splits holds, by producer instance id, how many workers split the
// instance's records record by record (1: not split), for the collectors'
// order tracking; nil when the run is not split.
func (r *run) splits() []int {
	if r.o.Worker == nil {
		return nil
	}
	var out []int
	for _, ps := range r.sc.Producers {
		for k := range ps.Concurrency {
			out = append(out, int(r.o.Worker.instanceShare(ps.Concurrency, k).stride()))
		}
	}
	return out
}
