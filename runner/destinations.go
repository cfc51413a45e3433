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
}

// ensureDestinationStreams creates the kinesis destinations' streams (and
// schedules their deletion through cleanup).
func (r *run) ensureDestinationStreams(ctx context.Context, ctrl *kinesis.Client) (cleanup []func(), err error) {
	for _, d := range r.sc.Destinations {
		k, _ := collectors.DestinationKinds.Lookup(d.Kind)
		if !k.Stream {
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

// startApplication opens the destinations' collectors, starts the
// application (unless it is external) and waits until it is ready. The
// destinations' matchers measure nothing until measure is called.
func (r *run) startApplication(ctx context.Context, poll *kinesis.Client) (*appSide, error) {
	sc := r.sc
	a := &appSide{errc: make(chan error, len(sc.Destinations)+1), external: sc.Application.External}
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
		a.dests = append(a.dests, d)
		if k.Stdout {
			a.stdout = d
			continue
		}
		coll, err := k.New(collectors.DestinationConfig{Name: ds.Name, Stream: ds.Stream.Name, Reader: poll,
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
	if a.external {
		for _, d := range a.dests {
			r.logf("destination %s (%s): the external application writes to %s", d.spec.Name, d.spec.Kind, d.coll.Address())
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
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		if err := d.coll.Run(ctx, d.match.Add); err != nil && ctx.Err() == nil {
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

// pending says whether some destination still misses expected outputs.
func (a *appSide) pending(r *run) bool {
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

// stats is each destination's entry in summary.json.
func (r *run) destinationStats(a *appSide) []results.DestinationStats {
	var out []results.DestinationStats
	for _, d := range a.dests {
		c := d.match.Counts(r.m)
		st := results.DestinationStats{
			Name: d.spec.Name, Kind: d.spec.Kind, Expect: d.spec.Expect, Correlation: "envelope",
			Outputs: c.Outputs, Expected: c.Expected, Missing: c.Missing, Unexpected: c.Unexpected,
			Duplicates: c.Duplicates, Unmeasured: c.Unmeasured, Evicted: c.Evicted,
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
		if c.Expected > 0 {
			st.Recall = float64(c.Expected-c.Missing) / float64(c.Expected)
		}
		if c.Outputs > 0 {
			st.Precision = float64(c.Matched) / float64(c.Outputs)
		}
		if span := time.Duration(c.Last - c.First); c.Outputs > 1 && span > 0 {
			st.OutputsRPS = float64(c.Outputs-1) / span.Seconds()
		}
		if r.sc.Deadline > 0 {
			dd := &results.DestinationDeadline{DeadlineMS: float64(r.sc.Deadline) / 1e6, Scheduled: c.Expected,
				Measured: c.Measured, OnTime: c.OnTime}
			if c.Expected > 0 {
				dd.OnTimeRatio = min(1, float64(c.OnTime)/float64(c.Expected))
			}
			st.Deadline = dd
		}
		out = append(out, st)
	}
	return out
}
