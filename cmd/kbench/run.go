package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"reflect"
	"sync"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/kbench/kbench/gate"
	"github.com/kbench/kbench/internal/clip"
	"github.com/kbench/kbench/internal/store"
	"github.com/kbench/kbench/promexport"
	"github.com/kbench/kbench/reports"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/runner"
	"github.com/kbench/kbench/scenarios"
	"github.com/kbench/kbench/sim"
	"github.com/kbench/kbench/targets"
)

// errVerdict marks a run whose thresholds failed (exit 1); the summary has
// already said why.
var errVerdict = errors.New("thresholds failed")

type runOpts struct {
	metrics  metricsFlags
	target   string
	endpoint string
	region   string
	out      string
	sets     multiFlag
	quiet    bool
	force    bool
	repeat   int
	profile  string
	yes      bool
	maxCost  float64
	s3       string
	// Distributed runs (docs/distributed.md).
	worker     string
	workers    int
	runID      string
	startAt    string
	workerWait time.Duration
	// w is the worker resolved from the flags, the environment and the
	// scenario; nil for a run that is not split.
	w *runner.Worker
}

func runCmd(args []string, stdout, stderr io.Writer) error {
	o, scenarioPath, err := parseRunFlags(args, stderr)
	if err != nil {
		return err
	}
	// Everything the user said is checked before anything is started or written.
	sc, cells, err := loadRun(scenarioPath, &o)
	if err != nil {
		return err
	}
	out := o.out
	if out == "" {
		out = filepath.Join("results", sc.Name+"-"+time.Now().Format("20060102-150405"))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The results are written beside out (staged locally for an S3 out)
	// and swapped in at the end, so an earlier result there is replaced
	// whole; an unwritable out is found now, before a stream is created.
	stage, err := store.Prepare(ctx, out, "kbench run", o.force, o.s3Options())
	if err != nil {
		return &exitError{exitUsage, fmt.Errorf("--out: %w", err)}
	}
	defer stage.Abort()
	go func() {
		// The first Ctrl-C stops the run gracefully (results are written, the
		// stream and target are cleaned up); a second one kills kbench.
		<-ctx.Done()
		stop()
	}()

	if sc.Target.Kind == targets.KindAWS {
		if err := prepareAWS(ctx, &o, sc, cells, stderr); err != nil {
			return err
		}
	}
	// An S3 --out is listed once the cost estimate has been shown, before
	// a stream is created.
	if err := stage.Check(ctx); err != nil {
		return &exitError{exitUsage, fmt.Errorf("--out: %w", err)}
	}
	tgts := &cellTargets{profile: o.profile, log: stderr}
	defer tgts.close()
	// The endpoint closes (after the linger) before the target does.
	live := promexport.NewRun(nil)
	msrv, err := o.metrics.serve(stderr, live, promexport.NewSim(tgts.simStats, nil))
	if err != nil {
		return err
	}
	defer closeMetrics(ctx, msrv, o.metrics.linger, stderr)
	if !offline(sc.Target.Kind) {
		if _, err := tgts.open(ctx, cells[0].Target); err != nil {
			return err
		}
	}

	c := cellRunner{tgts: tgts, repeat: o.repeat, worker: o.w, live: !o.quiet && isTerminal(stderr), stdout: stdout, stderr: stderr, stage: stage}
	if msrv != nil {
		c.onLive = live.Observe
	}
	dirs, failed, runErr := c.runAll(ctx, cells, stage.Dir)
	// A failed run keeps what it measured; only a run that wrote nothing
	// leaves the earlier results in place.
	var outErr error
	if len(dirs) > 1 {
		if err := reports.RenderComparison(dirs, stage.Dir); err != nil {
			outErr = fmt.Errorf("%w: comparison: %v", runner.ErrOutput, err)
		} else {
			fmt.Fprintf(stdout, "comparison: %s\n", stage.Shown(filepath.Join(stage.Dir, "comparison.html")))
		}
	}
	if stage.Wrote() {
		// An interrupted run still uploads what it measured.
		if err := stage.Commit(context.WithoutCancel(ctx)); err != nil {
			outErr = errors.Join(outErr, fmt.Errorf("%w: %v", runner.ErrOutput, err))
		}
	}
	if err := errors.Join(runErr, outErr); err != nil {
		return &exitError{exitRunFailed, err}
	}
	if failed && o.w != nil {
		// A worker's thresholds judge its share only; the merged result
		// carries the run's verdict (kbench merge exits 1 on it), and a
		// worker failing here would make a Kubernetes Job retry it.
		fmt.Fprintln(stderr, "worker: thresholds judged on this worker's share failed; kbench merge judges the run")
		return nil
	}
	if failed {
		return &exitError{exitFailed, errVerdict}
	}
	return nil
}

// parseRunFlags parses kbench run's flags and returns them with the
// scenario file's path.
func parseRunFlags(args []string, stderr io.Writer) (runOpts, string, error) {
	var o runOpts
	fs := flag.NewFlagSet("kbench run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.target, "target", "", "where records go: sim (default), kinesis-mock, localstack or aws; overrides the scenario's target.kind")
	fs.StringVar(&o.endpoint, "endpoint", "", "URL of a running Kinesis-compatible endpoint (a standalone kbench sim, LocalStack, ...); overrides target.endpoint")
	fs.StringVar(&o.region, "region", "", "AWS region; overrides target.region (aws: default from AWS_REGION or the profile)")
	fs.StringVar(&o.profile, "profile", "", "aws: shared-config profile for credentials and region (default AWS_PROFILE, else the default chain)")
	fs.BoolVar(&o.yes, "yes", false, "aws: do not ask for confirmation before creating streams (needed when standard input is not a terminal)")
	fs.Float64Var(&o.maxCost, "max-cost", 0, "aws: refuse to start when the estimated cost in USD is over this (0: no cap)")
	fs.StringVar(&o.out, "out", "", "results directory or s3://BUCKET/PREFIX (default results/NAME-TIMESTAMP)")
	fs.StringVar(&o.s3, "s3-endpoint", "", "--out s3://: URL of an S3-compatible store (default $AWS_ENDPOINT_URL_S3, else AWS S3)")
	fs.Var(&o.sets, "set", "override one scenario field, as path=value (repeatable), e.g. --set duration=20s --set stream.shards=8")
	fs.BoolVar(&o.quiet, "quiet", false, "no live status line")
	fs.BoolVar(&o.force, "force", false, "write --out even when it is a non-empty directory holding no kbench results: it is replaced whole, everything in it deleted")
	fs.StringVar(&o.worker, "worker", "", "run share I of a run split over N workers, as I/N (default from $JOB_COMPLETION_INDEX with --workers or the scenario's workers)")
	fs.IntVar(&o.workers, "workers", 0, "the number of workers, with $JOB_COMPLETION_INDEX (overrides the scenario's workers)")
	fs.StringVar(&o.runID, "run-id", "", "the run id every worker shares, 1 to 16 hex digits (default from $KBENCH_RUN_ID, else derived from $KBENCH_JOB_UID or $JOB_NAME)")
	fs.StringVar(&o.startAt, "start-at", "", "workers: the RFC 3339 instant every worker starts producing at (default: the stream's creation + 15s)")
	fs.DurationVar(&o.workerWait, "worker-wait", runner.DefaultWorkerWait, "worker 0: how long to wait for the other workers to finish before deleting the stream (it is left in place after that)")
	fs.IntVar(&o.repeat, "repeat", 1, "run each cell N times, into CELLDIR/run-1 … run-N; a cell fails when at least half of its repeats fail")
	o.metrics.register(fs, true)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: kbench run SCENARIO.yaml [flags]")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return o, "", err
	}
	if len(pos) != 1 {
		fs.Usage()
		return o, "", usageErr("want exactly one scenario file, got %d arguments", len(pos))
	}
	if o.repeat < 1 {
		return o, "", usageErr("--repeat %d: want 1 or more", o.repeat)
	}
	if err := o.metrics.check(); err != nil {
		return o, "", err
	}
	if _, ok := targets.ScenarioKinds().Lookup(o.target); o.target != "" && !ok {
		return o, "", usageErr("--target %s: want %s", clip.Quote(o.target), targets.ScenarioKinds().Want())
	}
	if o.endpoint != "" {
		if err := scenarios.CheckEndpoint(o.endpoint); err != nil {
			return o, "", usageErr("--endpoint %w", err)
		}
	}
	if o.region != "" {
		if err := scenarios.CheckRegion(o.region); err != nil {
			return o, "", usageErr("--region %w", err)
		}
	}
	return o, pos[0], nil
}

// loadRun loads the scenario with the --set overrides, checks its
// thresholds, applies the target flags and expands the matrix into cells.
// Every error is bad input (exit 2).
func loadRun(path string, o *runOpts) (*scenarios.Scenario, []*scenarios.Scenario, error) {
	sc, err := scenarios.Load(path, o.sets)
	if err != nil {
		return nil, nil, &exitError{exitUsage, err}
	}
	if probs := gate.CheckThresholds(sc); len(probs) > 0 {
		return nil, nil, &exitError{exitUsage, probs}
	}
	if o.target != "" {
		sc.Target.Kind = o.target
	}
	if o.endpoint != "" {
		sc.Target.Endpoint = o.endpoint
	}
	if o.region != "" {
		sc.Target.Region = o.region
	}
	if sc.Target.Kind == targets.KindSim && sc.Target.Endpoint != "" {
		// An endpoint without a kind: any running Kinesis-compatible
		// endpoint, such as a standalone kbench sim.
		sc.Target.Kind = targets.KindEndpoint
	}
	cells, err := sc.Cells()
	if err != nil {
		return nil, nil, &exitError{exitUsage, err}
	}
	if o.w, err = resolveWorker(o, sc, len(cells)); err != nil {
		return nil, nil, err
	}
	for _, c := range cells {
		// The flags chose one target for every cell; a matrix varies only
		// the simulator's settings (scenarios refuses the rest).
		c.Target.Kind, c.Target.Endpoint, c.Target.Region = sc.Target.Kind, sc.Target.Endpoint, sc.Target.Region
	}
	if offline(sc.Target.Kind) {
		if o.w != nil {
			return nil, nil, usageErr("--worker/workers: the %s target runs the whole load in one process; workers split a run against a real endpoint", sc.Target.Kind)
		}
		if err := checkModel(cells); err != nil {
			return nil, nil, err
		}
	}
	return sc, cells, nil
}

// cellRunner runs matrix cells and their repeats, each against its cell's
// target, and prints each run's summary and where its report is.
type cellRunner struct {
	tgts           *cellTargets
	repeat         int
	live           bool
	stdout, stderr io.Writer
	// worker is this process's share of a distributed run, or nil.
	worker *runner.Worker
	// stage maps the directories written to where they will be, for
	// messages.
	stage *store.Output
	// onLive receives each run's live view (--metrics-addr), or is nil.
	onLive func(*runner.Live)
}

// runAll runs every cell into its directory under out, stopping early when
// ctx is done or a run fails to complete. It returns the directories of the
// cells that ran, whether any cell failed its thresholds (gate.Repeats) and
// the error of a run that could not complete.
func (c cellRunner) runAll(ctx context.Context, cells []*scenarios.Scenario, out string) (dirs []string, failed bool, err error) {
	for i, cell := range cells {
		if ctx.Err() != nil {
			break
		}
		cellDir := runner.CellDir(out, cell.Cell)
		if cell.Cell != "" {
			fmt.Fprintf(c.stderr, "cell %d/%d: %s\n", i+1, len(cells), cell.Cell)
		}
		reps, err := c.runCell(ctx, cell, cellDir)
		if reps.Ran > 0 {
			dirs = append(dirs, cellDir)
		}
		failed = failed || !reps.Passed()
		if c.repeat > 1 && reps.Ran > 0 {
			fmt.Fprintf(c.stdout, "%s: %d of %d repeats failed: %s\n", c.stage.Shown(cellDir), reps.Failed, reps.Ran, reps.Verdict())
		}
		if err != nil {
			return dirs, failed, err
		}
	}
	return dirs, failed, nil
}

// runCell runs cell c.repeat times into cellDir (each repeat in its own
// run-K directory when there are several), renders each run's report and
// tallies the verdicts. It stops at the first run that fails to complete.
func (c cellRunner) runCell(ctx context.Context, cell *scenarios.Scenario, cellDir string) (gate.Repeats, error) {
	var reps gate.Repeats
	var tgt *targets.Target
	if !offline(cell.Target.Kind) {
		var err error
		if tgt, err = c.tgts.open(ctx, cell.Target); err != nil {
			return reps, err
		}
	}
	for rep := 1; rep <= c.repeat && ctx.Err() == nil; rep++ {
		dir := cellDir
		if c.repeat > 1 {
			dir = results.RepeatDir(cellDir, rep)
			fmt.Fprintf(c.stderr, "repeat %d/%d\n", rep, c.repeat)
		}
		var sum *results.Summary
		var err error
		if tgt == nil {
			sum, err = runModel(ctx, cell, dir)
		} else {
			sum, err = runner.Run(ctx, runner.Options{
				Scenario: cell, Target: tgt, OutDir: dir, Log: c.stderr, Live: c.live, Version: version, Worker: c.worker,
				OnLive: c.onLive,
			})
		}
		if sum != nil {
			reps.Add(sum)
			if rerr := reports.Render(dir); rerr != nil {
				// A report that cannot be written fails the run (exit 3).
				err = errors.Join(err, fmt.Errorf("%w: report: %v", runner.ErrOutput, rerr))
			}
			reports.WriteText(c.stdout, sum)
			fmt.Fprintf(c.stdout, "results: %s\n", c.stage.Shown(dir))
		}
		if err != nil {
			return reps, err
		}
	}
	return reps, nil
}

// cellTargets keeps the target the cells run against open, and opens a
// new one when a cell's target differs from it (a matrix over target.sim.*
// gives each cell a simulator of its own settings).
type cellTargets struct {
	profile string
	log     io.Writer
	spec    scenarios.Target
	tgt     *targets.Target
	// sim is the open target's in-process simulator, for --metrics-addr
	// (read by scrapes, so behind mu); nil for other kinds.
	mu  sync.Mutex
	sim func() sim.Stats
}

// simStats returns the counters of the open target's in-process
// simulator; none when the target is not one.
func (c *cellTargets) simStats() sim.Stats {
	c.mu.Lock()
	f := c.sim
	c.mu.Unlock()
	if f == nil {
		return sim.Stats{}
	}
	return f()
}

// setSim records the open target's simulator, or nil.
func (c *cellTargets) setSim(t *targets.Target) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sim = nil
	if t != nil {
		c.sim = t.SimStats
	}
}

// open returns the target of t, closing the previous one if it differs.
// Its errors are exit 3: the target failed.
func (c *cellTargets) open(ctx context.Context, t scenarios.Target) (*targets.Target, error) {
	if c.tgt != nil && reflect.DeepEqual(c.spec, t) {
		return c.tgt, nil
	}
	c.close()
	tgt, err := targets.Open(ctx, targets.Spec{
		Kind: t.Kind, Endpoint: t.Endpoint, Region: t.Region,
		Sim: t.Sim, Profile: c.profile, Log: c.log,
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, &exitError{exitRunFailed, fmt.Errorf("interrupted while starting the target: %w", err)}
		}
		return nil, &exitError{exitRunFailed, err}
	}
	fmt.Fprintf(c.log, "target %s at %s\n", tgt.Kind, tgt.Endpoint)
	c.spec, c.tgt = t, tgt
	c.setSim(tgt)
	return tgt, nil
}

// close stops the open target, if any.
func (c *cellTargets) close() {
	if c.tgt == nil {
		return
	}
	if err := c.tgt.Close(); err != nil {
		fmt.Fprintf(c.log, "warning: stopping the target: %v\n", err)
	}
	c.tgt = nil
	c.setSim(nil)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// s3Options are how --out s3:// reaches S3: the endpoint flag, and the
// region and profile the run's AWS flags name.
func (o *runOpts) s3Options() store.S3Options {
	return store.S3Options{Endpoint: o.s3, Region: o.region, Profile: o.profile}
}
