package main

import (
	"crypto/sha256"
	"encoding/binary"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kbench/kbench/internal/clip"
	"github.com/kbench/kbench/runner"
	"github.com/kbench/kbench/scenarios"
	"github.com/kbench/kbench/targets"
)

// Environment variables a distributed run reads: Kubernetes sets
// JOB_COMPLETION_INDEX in each pod of an Indexed Job; the manifests set
// KBENCH_JOB_UID (or JOB_NAME) from the Job, for a run id every worker
// derives alike.
const (
	envJobIndex = "JOB_COMPLETION_INDEX"
	envRunID    = "KBENCH_RUN_ID"
	envJobUID   = "KBENCH_JOB_UID"
	envJobName  = "JOB_NAME"
)

// resolveWorker turns --worker, --workers, --run-id, --start-at and the
// environment into this process's share of a distributed run; nil when
// the run is not split. Every problem is bad input (exit 2).
func resolveWorker(o *runOpts, sc *scenarios.Scenario, cells int) (*runner.Worker, error) {
	index, count := -1, 0
	switch {
	case o.worker != "":
		i, n, ok := strings.Cut(o.worker, "/")
		var err1, err2 error
		index, err1 = strconv.Atoi(i)
		count, err2 = strconv.Atoi(n)
		if !ok || err1 != nil || err2 != nil {
			return nil, usageErr("--worker %s: want I/N, such as 0/4", clip.Quote(o.worker))
		}
	case os.Getenv(envJobIndex) != "":
		v := os.Getenv(envJobIndex)
		var err error
		if index, err = strconv.Atoi(v); err != nil {
			return nil, usageErr("$%s=%s: want a worker index", envJobIndex, clip.Quote(v))
		}
		count = o.workers
		if count == 0 {
			count = sc.Workers
		}
		if count == 0 {
			return nil, usageErr("$%s is set but the worker count is not: pass --workers N or set workers: in the scenario", envJobIndex)
		}
	case o.workers > 0:
		return nil, usageErr("--workers %d needs --worker I/N or $%s to say which worker this is", o.workers, envJobIndex)
	default:
		if o.runID != "" || o.startAt != "" {
			return nil, usageErr("--run-id and --start-at belong to a distributed run: add --worker I/N")
		}
		return nil, nil
	}
	if count < 1 || count > targets.MaxWorkers || index < 0 || index >= count {
		return nil, usageErr("worker %d/%d: want 0 <= I < N <= %d", index, count, targets.MaxWorkers)
	}
	w := &runner.Worker{Index: index, Count: count, Wait: o.workerWait}
	switch {
	case cells > 1:
		return nil, usageErr("a distributed run runs one scenario, not a matrix of %d cells: pick one with --set", cells)
	case o.repeat > 1:
		return nil, usageErr("--repeat with --worker: repeat the whole distributed run instead")
	case sc.Target.Kind == targets.KindSim && count > 1:
		return nil, usageErr("the workers of a distributed run share one endpoint: pass --endpoint (a standalone kbench sim, LocalStack, ...) or --target aws")
	}
	var err error
	if w.RunID, err = runIDOf(o.runID, count); err != nil {
		return nil, err
	}
	if o.startAt != "" {
		if w.StartAt, err = time.Parse(time.RFC3339Nano, o.startAt); err != nil {
			return nil, usageErr("--start-at %s: want an RFC 3339 time such as 2026-01-02T15:04:05Z", clip.Quote(o.startAt))
		}
	}
	return w, nil
}

// runIDOf returns the run id of a distributed run: --run-id, else
// $KBENCH_RUN_ID, else one derived from the Job ($KBENCH_JOB_UID, else
// $JOB_NAME), so every worker of one Job has the same. A lone worker
// (N = 1) may draw one at random.
func runIDOf(flag string, count int) (uint64, error) {
	id, from := flag, "--run-id"
	if id == "" {
		id, from = os.Getenv(envRunID), "$"+envRunID
	}
	if id != "" {
		if len(id) > 16 {
			return 0, usageErr("%s %s: want 1 to 16 hex digits", from, clip.Quote(id))
		}
		v, err := strconv.ParseUint(id, 16, 64)
		if err != nil || v == 0 {
			return 0, usageErr("%s %s: want 1 to 16 hex digits, not all zero", from, clip.Quote(id))
		}
		return v, nil
	}
	for _, env := range []string{envJobUID, envJobName} {
		if v := os.Getenv(env); v != "" {
			h := sha256.Sum256([]byte("kbench-run:" + v))
			return binary.BigEndian.Uint64(h[:8]) | 1, nil
		}
	}
	if count == 1 {
		return 0, nil
	}
	return 0, usageErr("the %d workers of a run need one run id: pass --run-id HEX (the same to every worker), or set $%s or $%s", count, envJobUID, envJobName)
}
