// Package runner drives one kbench run: it paces and sends the synthetic
// records (producer.go and friends), starts the collectors, samples the
// metrics every second and writes the results directory (run.go).
package runner

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/kbench/kbench/collectors"
	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/scenarios"
	"github.com/kbench/kbench/targets"
)

// Options is one run: a scenario cell against a target that is already open.
type Options struct {
	Scenario *scenarios.Scenario
	Target   *targets.Target
	// OutDir is the results directory; it is created if missing.
	OutDir string
	// Log receives progress lines and the live status (standard error).
	Log io.Writer
	// OnLive, when set, is called once the run's producers and consumers
	// are built, shortly before the first record is due, with a view that
	// reads the run's metrics while it goes on (see Live). It must not
	// block.
	OnLive func(*Live)
	// Live redraws one status line in place (a terminal); otherwise a plain
	// log line is written every second.
	Live bool
	// Version is kbench's version, echoed in summary.json.
	Version string
	// Worker, when not nil, makes this run one worker's share of a run
	// split over several processes; see Worker.
	Worker *Worker

	// generateCost is busy work per generated record, for tests that need
	// kbench slower than its target.
	generateCost time.Duration
}

// ErrTarget marks a run that failed because of the target (unreachable,
// stream not creatable, reads or writes failing throughout): exit code 3.
var ErrTarget = errors.New("target failed")

// targetErr marks err as a failure of the target, keeping its cause:
// errors.Is finds both ErrTarget and whatever err wraps (such as
// targets.ErrUnreachable or the dial error).
func targetErr(err error) error {
	return fmt.Errorf("%w: %w", ErrTarget, err)
}

// ErrInterrupted marks a run stopped early by its context (Ctrl-C).
var ErrInterrupted = errors.New("run interrupted")

// ErrOutput marks a run whose results could not all be written (the
// summary, an interval log, the time series; the command that renders the
// reports uses it too): exit code 3, whatever the verdict.
var ErrOutput = errors.New("writing the results failed")

// Run runs one scenario cell against o.Target and writes the results
// directory: summary.json, the .hlog interval logs, timeseries.csv and the
// results. It blocks for the scenario's duration plus the drain.
//
// Cancelling ctx stops the run early; what was measured so far is still
// written and the error wraps ErrInterrupted. A failing target gives an error
// wrapping ErrTarget, again with the results written when anything ran. The
// summary is nil only when nothing could be written.
func Run(ctx context.Context, o Options) (*results.Summary, error) {
	sc := o.Scenario
	if o.Log == nil {
		o.Log = io.Discard
	}
	o.Log = &lockedWriter{w: o.Log} // producers, collectors and the sampler all log
	r := &run{o: o, sc: sc, log: o.Log}
	r.runID = newRunID()
	if o.Worker != nil && o.Worker.RunID != 0 {
		r.runID = o.Worker.RunID
	}
	return r.execute(ctx)
}

type run struct {
	o     Options
	sc    *scenarios.Scenario
	log   io.Writer
	runID uint64

	m         *metrics.Run
	app       *appSide // the application under test, or nil
	trackers  []*collectors.Tracker
	pollers   []collectors.Collector
	apps      []*metrics.App
	consumers []results.ConsumerStats // name, kind and primary of each application, by index
	appSpec   []int                   // consumer spec index of each application
	specOf    []int                   // producer spec index of each producer instance id
	prods     []*Producer             // by instance id, for their PackStats
	live      *Live                   // what Options.OnLive was handed, or nil
	shards    *liveShards
	events    eventLog
	producers int
	// slots are the in-flight slots of the producer instances sending
	// from this process, scheduling how many of them schedule records
	// (see sendSlots).
	slots, scheduling int
	reading           []bool // by consumer application: still reading when the run ended
	created           bool
	// joined says a worker other than 0 found worker 0's stream.
	joined bool
	// start is when the schedule starts (process clock, Unix ns).
	start int64
	// clock is this worker's clock against the common reference.
	clock results.ClockInfo
	errs  []string
	abort context.CancelCauseFunc // stops the run early with a reason
	// finished memoizes finishWorker: its marker is put, or its wait
	// made, once.
	finished     sync.Once
	deletableNow bool
}

// lockedWriter serialises writes from the run's goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func newRunID() uint64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return uint64(time.Now().UnixNano())
	}
	return binary.BigEndian.Uint64(b[:])
}

func (r *run) logf(format string, args ...any) {
	fmt.Fprintf(r.log, format+"\n", args...)
}

func (r *run) execute(ctx context.Context) (*results.Summary, error) {
	sc := r.sc
	for i, p := range sc.Producers {
		r.producers += p.Concurrency
		for range p.Concurrency {
			r.specOf = append(r.specOf, i)
		}
	}
	var cl clients
	var err error
	if cl.ctrl, err = r.o.Target.Client(ctx, targets.ClientOptions{MaxAttempts: 3, Timeout: 30 * time.Second}); err != nil {
		return nil, targetErr(err)
	}
	// A worker measures its clock while it creates or waits for the stream.
	clockDone := r.startClock(ctx)
	defer func() { <-clockDone }()
	var createdAt time.Time
	if r.o.Worker.leader() || sc.Stream.Existing {
		err = r.ensureStream(ctx, cl.ctrl)
	} else {
		createdAt, err = r.joinStream(ctx, cl.ctrl)
		r.joined = err == nil
	}
	if r.created { // also when the wait for ACTIVE failed or was cancelled
		defer r.deleteStream(cl.ctrl)
	}
	if err != nil {
		return nil, err
	}
	cleanups, err := r.ensureDestinationStreams(ctx, cl.ctrl)
	if r.o.Worker != nil && len(cleanups) > 0 {
		// Worker 0 deletes the destination streams, before the source
		// stream, once every worker is done reading them.
		defer func() {
			if !r.workersDone(cl.ctrl) {
				r.logf("warning: the destination streams are left in place (kbench cleanup deletes them)")
				return
			}
			for _, c := range cleanups {
				c()
			}
		}()
	} else {
		for _, c := range cleanups {
			defer c()
		}
	}
	if err != nil {
		return nil, err
	}
	if err := r.loadShards(ctx, cl.ctrl); err != nil {
		return nil, err
	}
	if err := r.dataClients(ctx, &cl); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(r.o.OutDir, 0o755); err != nil {
		return nil, err
	}
	r.m = metrics.NewRun(r.producers)
	if sc.Application != nil {
		if r.app, err = r.startApplication(ctx, cl.data); err != nil {
			return nil, err
		}
		defer r.app.stop()
	}

	// Everything is timed from one start a moment ahead, so producers begin
	// together and collectors are already polling.
	start := envelope.Now() + int64(300*time.Millisecond)
	if r.o.Worker != nil {
		<-clockDone
		if start, err = r.workerStart(ctx, cl.ctrl, createdAt); err != nil {
			return nil, err
		}
	}
	r.start = start
	if r.app != nil {
		r.app.measure(start+int64(sc.Warmup), start+int64(sc.Duration))
	}
	smp, err := newSampler(r, start)
	if err != nil {
		return nil, err
	}
	defer smp.close()

	collCtx, stopCollectors := context.WithCancel(context.WithoutCancel(ctx))
	defer stopCollectors()
	var collWG sync.WaitGroup
	collErr := make(chan error, r.consumerApps()+1)
	if err := r.startCollectors(collCtx, cl.data, cl.push, start, &collWG, collErr); err != nil {
		return nil, err
	}
	stopColl := func() {
		stopCollectors()
		collWG.Wait()
	}
	prods, rates, err := r.buildProducers(cl.data, start)
	if err != nil {
		stopColl()
		return nil, err
	}
	smp.rate = rates
	r.prods = prods
	r.slots, r.scheduling = r.sendSlots(prods)
	r.publishLive(start)

	failure, interrupted := r.drive(ctx, cl.ctrl, start, prods, smp, collErr, stopColl)
	if r.joined {
		r.workersDone(cl.ctrl)
	}
	return r.finish(time.Unix(0, start), smp, failure, interrupted)
}

// consumerApps counts the consumer applications the scenario runs.
func (r *run) consumerApps() int {
	n := 0
	for _, c := range r.sc.Consumers {
		n += c.Count
	}
	return n
}

// ensureStream creates the run's stream, or checks the existing one, and
// records in r.created whether the run must delete it: also when it fails
// after CreateStream succeeded (the wait for ACTIVE timed out or was
// cancelled).
func (r *run) ensureStream(ctx context.Context, ctrl *kinesis.Client) error {
	sc := r.sc
	r.logf("stream %s: %s", sc.Stream.Name, streamLayout(sc))
	var err error
	r.created, err = targets.EnsureStream(ctx, ctrl, targets.StreamSpec{
		Name: sc.Stream.Name, Shards: sc.Stream.Shards, OnDemand: sc.Stream.Mode == "on-demand",
		UseExisting: sc.Stream.Existing, RunID: fmt.Sprintf("%016x", r.runID),
	})
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w: %w", ErrInterrupted, err)
		}
		return targetErr(fmt.Errorf("stream %s: %w", sc.Stream.Name, err))
	}
	return nil
}

// loadShards reads the stream's shards into r.shards.
func (r *run) loadShards(ctx context.Context, ctrl *kinesis.Client) error {
	shardList, err := targets.Shards(ctx, ctrl, r.sc.Stream.Name)
	if err != nil {
		return targetErr(fmt.Errorf("listing shards: %w", err))
	}
	shardMap, err := NewShardMap(shardList)
	if err != nil {
		return targetErr(err)
	}
	r.shards = newLiveShards(shardMap)
	return nil
}

// drive runs the load: the producers until their duration ends, the
// scheduled events beside them, then the drain; it stops the collectors
// (stopColl) and the sampler before it returns. failure is why the run was
// aborted (a consumer that cannot read, a target failing every write), nil
// when it was not; interrupted says ctx was cancelled.
func (r *run) drive(ctx context.Context, ctrl *kinesis.Client, start int64, prods []*Producer, smp *sampler,
	collErr <-chan error, stopColl func()) (failure error, interrupted bool) {
	sc := r.sc
	r.logf("run %016x: %d producer instance(s), %d consumer application(s), %v + %v drain",
		r.runID, r.producers, r.consumerApps(), sc.Duration, sc.Drain)
	if w := readQuotaWarning(sc); w != "" {
		r.logf("warning: %s", w)
	}
	// A consumer that cannot read, or a target that fails every write for
	// seconds on end (see sampler.health), aborts the run: runCtx stops the
	// producers with the reason as its cause.
	runCtx, abort := context.WithCancelCause(ctx)
	defer abort(nil)
	r.abort = abort
	// The sampler ticks on whole seconds after start until the end.
	sampCtx, stopSampler := context.WithCancel(context.Background())
	sampDone := make(chan struct{})
	go func() { defer close(sampDone); smp.loop(sampCtx) }()
	go func() {
		select {
		case err := <-collErr:
			abort(err)
		case <-runCtx.Done():
		}
	}()
	if r.app != nil {
		go r.app.watch(runCtx, abort)
	}
	evCtx, stopEvents := context.WithCancel(runCtx)
	evDone := make(chan struct{})
	go func() { defer close(evDone); r.runEvents(evCtx, ctrl, start, r.shards) }()
	var prodWG sync.WaitGroup
	var prodMu sync.Mutex
	for _, p := range prods {
		prodWG.Add(1)
		go func() {
			defer prodWG.Done()
			// Cancellation is counted in Unsent; other errors are a
			// generator's (a replayed file's bad lines) and are reported.
			if err := p.Run(runCtx); err != nil && runCtx.Err() == nil {
				prodMu.Lock()
				r.errs = append(r.errs, err.Error())
				prodMu.Unlock()
			}
		}()
	}
	if len(prods) == 0 { // a stream someone else feeds: measure for the duration
		t := time.NewTimer(time.Until(time.Unix(0, start+int64(sc.Duration))))
		select {
		case <-t.C:
		case <-runCtx.Done():
		}
		t.Stop()
	}
	prodWG.Wait()
	stopEvents()
	<-evDone

	if runCtx.Err() != nil && ctx.Err() == nil {
		failure = context.Cause(runCtx)
	}
	// Records acknowledged but not read when the run stops early, or while
	// a consumer is still making progress, are unread, not lost.
	r.reading = make([]bool, len(r.trackers))
	drained := false
	if ctx.Err() == nil && failure == nil {
		r.reading = r.drain(runCtx)
		drained = runCtx.Err() == nil
		if runCtx.Err() != nil && ctx.Err() == nil {
			failure = context.Cause(runCtx)
		}
	}
	if !drained {
		for i := range r.reading {
			r.reading[i] = true
		}
	}
	interrupted = ctx.Err() != nil
	if r.app != nil {
		r.app.stop() // the application first: it may still be writing outputs
	}
	stopColl()
	stopSampler()
	<-sampDone
	smp.final()
	r.endLive()
	return failure, interrupted
}

// finish writes summary.json, with the thresholds judged and the reason a
// run failed or stopped in its errors, and returns the summary with the
// run's error: ErrInterrupted, or an ErrTarget wrapping the failure.
func (r *run) finish(startWall time.Time, smp *sampler, failure error, interrupted bool) (*results.Summary, error) {
	if failure == nil && r.m.Acked.Load() == 0 && r.m.Produced.Load() > 0 && !interrupted {
		failure = fmt.Errorf("%w: no record was accepted (%d calls, %d failed whole)",
			ErrTarget, r.m.Calls.Load(), r.m.CallErrors.Load())
	}
	switch {
	case interrupted:
		r.errs = append(r.errs, "interrupted: the run was stopped before it ended; the results cover what ran")
	case failure != nil:
		r.errs = append(r.errs, failure.Error())
	}

	if smp.writeErr != nil {
		r.errs = append(r.errs, smp.writeErr.Error())
	}
	sum := r.summary(startWall, smp)
	outErr := smp.writeErr
	if err := r.writeRecordBytes(startWall, sum.Config.EndedAt); err != nil {
		outErr = errors.Join(outErr, fmt.Errorf("%w: %s: %w", ErrOutput, results.RecordBytesFile, err))
	}
	if r.o.Worker != nil {
		if err := r.writeWorkerFiles(sum, smp); err != nil {
			outErr = errors.Join(outErr, fmt.Errorf("%w: %w", ErrOutput, err))
		}
	}
	if err := results.WriteSummary(r.o.OutDir, sum); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrOutput, err)
	}
	switch {
	case interrupted:
		return sum, errors.Join(ErrInterrupted, outErr)
	case failure != nil:
		if !errors.Is(failure, ErrTarget) {
			failure = targetErr(failure)
		}
		return sum, errors.Join(failure, outErr)
	}
	return sum, outErr
}

func streamLayout(sc *scenarios.Scenario) string {
	mode := fmt.Sprintf("%d shard(s), provisioned", sc.Stream.Shards)
	if sc.Stream.Mode == "on-demand" {
		mode = "on-demand"
	}
	if sc.Stream.Existing {
		return mode + ", existing"
	}
	return mode
}

// cleanupWait bounds deleting the run's stream: waiting for a stream still
// CREATING to be ACTIVE (it cannot be deleted before), the delete, and the
// wait for it to be gone.
const cleanupWait = 3 * time.Minute

func (r *run) deleteStream(ctrl *kinesis.Client) {
	if r.o.Worker != nil && !r.workersDone(ctrl) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), cleanupWait)
	defer cancel()
	if err := targets.DeleteRunStream(ctx, ctrl, r.sc.Stream.Name, fmt.Sprintf("%016x", r.runID)); err != nil {
		r.logf("warning: deleting stream %s: %v", r.sc.Stream.Name, err)
	}
}

// progressWindow is how far back drain looks to tell whether a consumer
// application is still making progress when the drain ends.
const progressWindow = time.Second

// drain waits after the producers finished until every consumer application
// has seen every acknowledged record, the scenario's drain time is over, or
// ctx is done. It returns, by application, whether it was still making
// progress at the end: it saw new records within the last second (or, in a
// shorter drain, since the drain began).
func (r *run) drain(ctx context.Context) []bool {
	const step = 100 * time.Millisecond
	deadline := time.Now().Add(r.sc.Drain)
	tick := time.NewTicker(step)
	defer tick.Stop()
	// seen[k][i] is application i's count k ticks ago, up to a window back.
	var seen [][]int64
	for {
		now := make([]int64, len(r.trackers))
		done := r.app == nil || !r.app.pending(r)
		for i, t := range r.trackers {
			now[i] = t.Seen()
			if !r.caughtUp(i, t) {
				done = false
			}
		}
		seen = append([][]int64{now}, seen...)
		if len(seen) > int(progressWindow/step)+1 {
			seen = seen[:len(seen)-1]
		}
		if done || time.Now().After(deadline) || ctx.Err() != nil {
			reading := make([]bool, len(r.trackers))
			for i := range reading {
				reading[i] = now[i] > seen[len(seen)-1][i]
			}
			return reading
		}
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
	}
}

// resultsName turns a matrix cell label into a directory name.
func resultsName(cell string) string {
	r := strings.NewReplacer("=", "-", ".", "_", "/", "_", " ", "_", ",", "+")
	return r.Replace(cell)
}

// CellDir returns the results directory of a matrix cell under out.
func CellDir(out, cell string) string {
	if cell == "" {
		return out
	}
	return filepath.Join(out, resultsName(cell))
}

func hostName() string {
	h, err := os.Hostname()
	if err != nil {
		return "unknown"
	}
	return h
}
