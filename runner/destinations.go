package runner

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/kbench/kbench/collectors"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/scenarios"
	"github.com/kbench/kbench/targets"
)

// inputCapacity bounds how many input records kbench remembers by their
// correlation field (about 150 bytes each).
const inputCapacity = 4 << 20

// dest is one destination of the application under test while the run goes.
type dest struct {
	spec    scenarios.Destination
	coll    collectors.Destination
	match   *collectors.Matcher
	tracker *collectors.Tracker
	// log keeps the outputs for kbench merge (see replayed); nil when not
	// needed.
	log *outputLog
}

// appSide is the application under test and its destinations.
type appSide struct {
	dests     []*dest
	inputs    *collectors.InputIndex
	incidents *collectors.Incidents
	proc      *appProc
	stdout    *dest // the stdout destination, started with the application
	wg        sync.WaitGroup
	errc      chan error
	cancel    context.CancelFunc
	external  bool
	// started says this process starts the application: it is not
	// external, and this is not a worker other than 0 of a distributed
	// run (worker 0 starts the one copy).
	started bool
}

// ensureDestinationStreams creates the kinesis destinations' streams (and
// schedules their deletion through cleanup).
func (r *run) ensureDestinationStreams(ctx context.Context, ctrl *kinesis.Client) (cleanup []func(), err error) {
	for _, d := range r.sc.Destinations {
		k, _ := collectors.DestinationKinds.Lookup(d.Kind)
		if !k.Stream {
			continue
		}
		if !r.o.Worker.leader() && !d.Stream.Existing { // worker 0 creates it
			if err := r.joinDestination(ctx, ctrl, d); err != nil {
				return cleanup, err
			}
			continue
		}
		created, err := targets.EnsureStream(ctx, ctrl, targets.StreamSpec{
			Name: d.Stream.Name, Shards: d.Stream.Shards, OnDemand: d.Stream.Mode == "on-demand",
			UseExisting: d.Stream.Existing, RunID: fmt.Sprintf("%016x", r.runID),
		})
		if err != nil {
			return cleanup, fmt.Errorf("%w: destination %s: stream %s: %v", ErrTarget, d.Name, d.Stream.Name, err)
		}
		r.logf("destination %s: stream %s, %d shard(s)", d.Name, d.Stream.Name, d.Stream.Shards)
		if created {
			name := d.Stream.Name
			cleanup = append(cleanup, func() {
				cctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				defer cancel()
				if err := targets.DeleteRunStream(cctx, ctrl, name, fmt.Sprintf("%016x", r.runID)); err != nil {
					r.logf("warning: deleting stream %s: %v", name, err)
				}
			})
		}
	}
	return cleanup, nil
}

// joinDestination waits for the stream of destination d that worker 0
// creates.
func (r *run) joinDestination(ctx context.Context, ctrl *kinesis.Client, d scenarios.Destination) error {
	jctx, cancel := context.WithTimeoutCause(ctx, joinWait, fmt.Errorf("worker 0 did not create it within %v", joinWait))
	defer cancel()
	if _, err := targets.JoinStream(jctx, ctrl, d.Stream.Name, fmt.Sprintf("%016x", r.runID)); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w: destination %s: %w", ErrInterrupted, d.Name, err)
		}
		return fmt.Errorf("%w: destination %s: stream %s: %w", ErrTarget, d.Name, d.Stream.Name, err)
	}
	r.logf("destination %s: stream %s (created by worker 0)", d.Name, d.Stream.Name)
	return nil
}

// startApplication opens the destinations' collectors, starts the
// application (unless it is external, or another worker starts it) and
// waits until it is ready. The destinations' matchers measure nothing
// until measure is called.
func (r *run) startApplication(ctx context.Context, poll *kinesis.Client) (*appSide, error) {
	sc := r.sc
	a := &appSide{errc: make(chan error, len(sc.Destinations)+1), external: sc.Application.External}
	a.started = !a.external && r.o.Worker.leader()
	if field := sc.CorrelateInput(); field != "" {
		a.inputs = collectors.NewInputIndex(inputCapacity, int64(sc.Duration+sc.Drain), len(sc.Destinations))
	}
	a.incidents = collectors.NewIncidents()
	urls := map[string]string{}
	dctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.cancel = cancel
	for slot, ds := range sc.Destinations {
		k, _ := collectors.DestinationKinds.Lookup(ds.Kind)
		d := &dest{spec: ds}
		if ds.Correlate.Output == "" && ds.Expect != collectors.ExpectSome {
			d.tracker = collectors.NewTracker(r.producers)
		}
		d.match = collectors.NewMatcher(collectors.MatchConfig{
			Expect: ds.Expect, RunID: r.runID, Output: ds.Correlate.Output, Inputs: a.inputs, Slot: slot,
			Key: ds.Correlate.Key, Window: ds.Correlate.Window, Incidents: a.incidents, Tracker: d.tracker,
			Deadline: sc.Deadline,
		})
		if r.o.Worker != nil && replayed(ds) {
			d.log = &outputLog{}
		}
		a.dests = append(a.dests, d)
		if k.Stdout {
			a.stdout = d
			continue
		}
		coll, err := k.New(collectors.DestinationConfig{Name: ds.Name, Stream: ds.Stream.Name, Reader: poll, Owns: r.owns(),
			Log: func(format string, args ...any) { r.logf(format, args...) }})
		if err != nil {
			a.stop()
			return nil, fmt.Errorf("%w: %v", ErrTarget, err)
		}
		d.coll = coll
		urls[ds.Name] = coll.Address()
		a.run(dctx, d)
	}
	vals := sc.AppValues(r.o.Target.Endpoint, r.o.Target.Region, urls)
	env := appEnv(r.o.Target.AppEnv(), vals, r.runID)
	if !a.started {
		who := "the external application"
		if !a.external {
			who = "the application worker 0 starts"
		}
		for _, d := range a.dests {
			if d.coll != nil {
				r.logf("destination %s (%s): %s writes to %s", d.spec.Name, d.spec.Kind, who, d.coll.Address())
			}
		}
		return a, nil
	}
	args, extra, err := expandArgs(sc.Application, vals)
	if err != nil {
		a.stop()
		return nil, fmt.Errorf("%w: %v", ErrApplication, err)
	}
	dir := sc.Application.Dir
	if dir == "" {
		dir = filepath.Dir(sc.File)
	} else if !filepath.IsAbs(dir) {
		dir = filepath.Join(filepath.Dir(sc.File), dir)
	}
	r.logf("application: %v (in %s)", args, dir)
	proc, stdout, err := startApp(ctx, sc.Application, args, append(env, extra...), dir, r.o.OutDir, a.stdout != nil)
	if err != nil {
		a.stop()
		return nil, err
	}
	a.proc = proc
	if a.stdout != nil {
		k, _ := collectors.DestinationKinds.Lookup(a.stdout.spec.Kind)
		coll, err := k.New(collectors.DestinationConfig{Name: a.stdout.spec.Name, Stdout: stdout})
		if err != nil {
			a.stop()
			return nil, err
		}
		a.stdout.coll = coll
		a.run(dctx, a.stdout)
	}
	r.logf("application ready after %.1fs", proc.readyS)
	return a, nil
}

// run starts d's collector.
func (a *appSide) run(ctx context.Context, d *dest) {
	emit := d.match.Add
	if d.log != nil {
		emit = func(data []byte, arrival int64) {
			o := d.match.Extract(data, arrival)
			d.log.add(o)
			d.match.AddOutput(o)
		}
	}
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		if err := d.coll.Run(ctx, emit); err != nil && ctx.Err() == nil {
			a.errc <- fmt.Errorf("%w: destination %s: %v", ErrTarget, d.spec.Name, err)
		}
	}()
}

// watch aborts the run when the application exits before kbench stops it
// or a destination's collector fails; it returns when ctx is done.
func (a *appSide) watch(ctx context.Context, abort context.CancelCauseFunc) {
	var crashed <-chan error
	if a.proc != nil {
		crashed = a.proc.crashed()
	}
	select {
	case err := <-crashed:
		abort(err)
	case err := <-a.errc:
		abort(err)
	case <-ctx.Done():
	}
}

// correlation is what producers record for the destinations.
func (r *run) correlation() Correlation {
	if r.app == nil {
		return Correlation{}
	}
	return Correlation{Field: r.sc.CorrelateInput(), Inputs: r.app.inputs, Incidents: r.app.incidents}
}

// measure sets the measured part of the run on every destination.
func (a *appSide) measure(warmupEnd, measureEnd int64) {
	for _, d := range a.dests {
		d.match.Measure(warmupEnd, measureEnd)
	}
}

// pending says whether some destination still misses expected outputs. A
// worker of a distributed run cannot tell (the outputs of its inputs may
// reach another worker): its destinations keep the drain to its end.
func (a *appSide) pending(r *run) bool {
	if r.o.Worker != nil {
		return true
	}
	for _, d := range a.dests {
		if d.match.Counts(r.m).Missing > 0 {
			return true
		}
	}
	return false
}

// stop stops the application (if kbench started it), then the destinations'
// collectors, and waits for them.
func (a *appSide) stop() {
	if a.proc != nil {
		a.proc.stop()
	}
	a.cancel()
	a.wg.Wait()
}

// destinationStats is each destination's entry in summary.json.
func (r *run) destinationStats(a *appSide) []results.DestinationStats {
	var out []results.DestinationStats
	for _, d := range a.dests {
		st := results.DestinationStats{
			Name: d.spec.Name, Kind: d.spec.Kind, Expect: d.spec.Expect, Correlation: "envelope",
			Latency: map[string]results.LatencyStats{
				"e2e":             results.LatencyFrom(d.match.E2E.Total()),
				"e2e_uncorrected": results.LatencyFrom(d.match.E2EUncorrected.Total()),
				"application":     results.LatencyFrom(d.match.Application.Total()),
			},
		}
		if f := d.spec.Correlate; f.Output != "" {
			st.Correlation = "field:" + f.Input + "=" + f.Output
		}
		if d.spec.Expect == collectors.ExpectSome {
			st.Correlation += ", incidents by " + d.spec.Correlate.Key
		}
		DestinationFigures(&st, d.match.Counts(r.m), r.sc.Deadline)
		out = append(out, st)
	}
	return out
}

// DestinationFigures fills a destination's counts and the figures derived
// from them (recall, precision, outputs/s, deadline): a run and kbench
// merge compute them alike.
func DestinationFigures(st *results.DestinationStats, c collectors.MatchCounts, deadline time.Duration) {
	st.Outputs, st.Expected, st.Missing, st.Unexpected = c.Outputs, c.Expected, c.Missing, c.Unexpected
	st.Duplicates, st.Unmeasured, st.Evicted = c.Duplicates, c.Unmeasured, c.Evicted
	st.Recall, st.Precision, st.OutputsRPS = 0, 0, 0
	if c.Expected > 0 {
		st.Recall = float64(c.Expected-c.Missing) / float64(c.Expected)
	}
	if c.Outputs > 0 {
		st.Precision = float64(c.Matched) / float64(c.Outputs)
	}
	if span := time.Duration(c.Last - c.First); c.Outputs > 1 && span > 0 {
		st.OutputsRPS = float64(c.Outputs-1) / span.Seconds()
	}
	st.Deadline = nil
	if deadline > 0 {
		dd := &results.DestinationDeadline{DeadlineMS: float64(deadline) / 1e6, Scheduled: c.Expected,
			Measured: c.Measured, OnTime: c.OnTime}
		if c.Expected > 0 {
			dd.OnTimeRatio = min(1, float64(c.OnTime)/float64(c.Expected))
		}
		st.Deadline = dd
	}
}

// replayed says kbench merge matches a destination's outputs again from
// every worker's log of them (collectors.Output): outputs matched by a
// correlation field (the input may have been produced on another worker,
// which alone remembers it) and those of expect: some (the incidents are
// each worker's generators'). Outputs matched by envelope with expect one
// or many carry their input's times: each worker matches its own, and the
// merge combines their sequence sets.
func replayed(d scenarios.Destination) bool {
	return d.Correlate.Output != "" || d.Expect == collectors.ExpectSome
}

// maxLoggedOutputs bounds the outputs a worker logs per destination for
// kbench merge (about 40 bytes each plus the correlation value and key;
// 4 Mi outputs is under 300 MB at most, far less compressed).
const maxLoggedOutputs = 4 << 20

// outputLog is a worker's log of one destination's outputs.
type outputLog struct {
	mu      sync.Mutex
	outputs []collectors.Output
	dropped int64 // beyond maxLoggedOutputs
}

func (l *outputLog) add(o collectors.Output) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.outputs) >= maxLoggedOutputs {
		l.dropped++
		return
	}
	l.outputs = append(l.outputs, o)
}
