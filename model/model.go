// Package model runs a scenario on a simulated clock instead of against a
// Kinesis endpoint: the model target. No HTTP, no SDK, no payload bytes.
// Records move through the same stages as on kbench's simulator — the
// producer's batcher (max records, max bytes, linger), its calls in flight,
// PutRecords partial failures and the producer's retries with backoff, each
// shard's write token buckets (records and bytes, on-demand capacity), the
// shared GetRecords quotas (5 calls/s, 2 MiB/s, 10,000 records and 10 MiB a
// call, the penalty after a 10 MiB read), enhanced fan-out's 2 MiB/s per
// consumer and shard, consumer processing time and concurrency, resharding
// and rate-change events — but as cohorts: per shard and time step, a count
// of records with their intended send times spread over an interval. A
// cohort is one record's worth of work whatever its size, so an hour of
// 1,000,000 records/s costs what an hour of 1,000 does; memory holds the
// backlog and one second of histograms, never the run's history.
//
// Partition keys come from the producers' own key strategies and payloads
// from their own generators: the model samples them once and hashes the
// keys with MD5 onto the shards' hash ranges, so zipf and hot keys make hot
// shards as they do on Kinesis. What the model cannot represent is refused
// by Check (see docs/model.md), never approximated silently.
package model

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/kbench/kbench/latency"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/scenarios"
)

// Options tune one model run.
type Options struct {
	// Step is the simulated time step, a divisor of a second; zero picks
	// one from the shard count (1 ms up to 5 shards, growing to 200 ms at
	// 1,000 shards), which keeps the work per simulated second about
	// constant.
	Step time.Duration
	// Samples is how many records the model draws from each producer's
	// generator and key strategy to learn its key and size distribution;
	// zero picks one from the shard count (at least 100,000).
	Samples int
	// Workload, when not nil, is the records' key and size distribution
	// already drawn from the scenario's producers (SampleWorkload), used
	// instead of drawing them again; Samples is then ignored.
	Workload *Workload
	// Profile is the latency profile (put, propagation, fan-out); nil
	// takes the one the simulator would apply with the scenario's
	// target.sim: its latency profile, or its put_delay and
	// propagation_delay as fixed delays. The model and the simulator must
	// run with the same one to be compared.
	Profile *latency.Profile
	// HlogDir, when set, is a directory (created if missing) the .hlog files
	// are written into while the model runs, one interval a second, instead
	// of being kept in Result.Hlogs: memory stays flat however long the
	// simulated run. WriteDir into the same directory adds the rest.
	HlogDir string
	// NoIntervals leaves out the per-second histograms the .hlog files are
	// made of (Result.Hlogs is empty): for callers that only want the
	// summary, such as kbench plan.
	NoIntervals bool
	// Version is kbench's version, echoed in summary.json.
	Version string
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// Result is one model run: the summary (with the thresholds judged) and
// what the results directory needs beside it. Write it with WriteDir.
type Result struct {
	Summary *results.Summary
	// Rows are the run's seconds, as timeseries.csv holds them.
	Rows []results.Row
	// Hlogs are the latency histograms' per-second intervals, by metric
	// name (the .hlog file stems).
	Hlogs map[string][]Interval
	// RecordBytes are each producer's record-size histograms, for
	// record-bytes.hlog.
	RecordBytes []Interval
	// Start is the simulated run's start (wall time when it ran).
	Start time.Time
	// Elapsed is how long the model took to run (wall time).
	Elapsed time.Duration
}

// ErrRefused is wrapped by Run's error when the scenario uses something
// the model does not represent; the error is then a scenarios.Problems
// naming the file, line and field.
var ErrRefused = errors.New("the model does not represent this scenario")

// Run runs one scenario cell on the model and returns its result. It blocks
// while it computes (seconds for an hour of a large stream); cancelling ctx
// stops it with ctx's error and no result. A scenario using anything the
// model does not represent gives an error that is both ErrRefused and a
// scenarios.Problems (see Check).
func Run(ctx context.Context, sc *scenarios.Scenario, o Options) (*Result, error) {
	if probs := Check(sc); len(probs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrRefused, probs)
	}
	began := time.Now()
	e, err := newEngine(sc, o)
	if err != nil {
		return nil, err
	}
	if err := e.out.openHlogs(o.HlogDir); err != nil {
		return nil, errors.Join(err, e.out.closeHlogs())
	}
	err = e.run(ctx)
	if cerr := e.out.closeHlogs(); err == nil && cerr != nil {
		err = fmt.Errorf("model: %w", cerr)
	}
	if err != nil {
		return nil, err
	}
	res := e.result(began)
	res.Elapsed = time.Since(began)
	return res, nil
}
