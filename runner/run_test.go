package runner

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/kbench/kbench/scenarios"
	"github.com/kbench/kbench/targets"
)

// The runner marks a target failure with ErrTarget and keeps its cause, so
// callers can tell an unreachable target from other failures.
func TestTargetErrKeepsTheCause(t *testing.T) {
	err := targetErr(fmt.Errorf("stream s: %w", fmt.Errorf("targets: %w", targets.ErrUnreachable)))
	if !errors.Is(err, ErrTarget) || !errors.Is(err, targets.ErrUnreachable) {
		t.Errorf("targetErr(…ErrUnreachable) = %v: errors.Is finds ErrTarget %v, ErrUnreachable %v",
			err, errors.Is(err, ErrTarget), errors.Is(err, targets.ErrUnreachable))
	}
}

// A target that stops answering before the run fails it with an error that
// is ErrTarget and still the dial error underneath.
func TestRunTargetGoneKeepsTheCause(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tgt, err := targets.Open(ctx, targets.Spec{Kind: targets.KindSim})
	if err != nil {
		t.Fatal(err)
	}
	if err := tgt.Close(); err != nil {
		t.Fatal(err)
	}
	sc, err := scenarios.Parse("gone.yaml", []byte("name: gone\nproducers:\n  - generator: payments\n    rate: {profile: constant, rps: 5}\n"),
		[]string{"duration=1s", "warmup=0s", "drain=0s"})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := Run(ctx, Options{Scenario: sc, Target: tgt, OutDir: t.TempDir()})
	if sum != nil {
		t.Errorf("Run wrote a summary for a run that never started: %+v", sum.Totals)
	}
	if !errors.Is(err, ErrTarget) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("Run against a closed target: %v; want an error that is ErrTarget and ECONNREFUSED", err)
	}
}
