package main

// Regression tests of issue 15's run-time items: cleanup when interrupted
// early, the run-time bound, and the bottleneck verdict.

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/kbench/kbench/sim"
	"github.com/kbench/kbench/targets"
)

// TestInterruptWhileCreatingDeletesStream: Ctrl-C while the stream is still
// CREATING (the simulator keeps it so for 6 s and, as AWS does, refuses to
// delete it meanwhile) must still leave no stream behind: kbench waits,
// bounded, for ACTIVE and then deletes it.
func TestInterruptWhileCreatingDeletesStream(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.CreateDelay = 6 * time.Second
	url, stop, err := sim.Start(context.Background(), cfg, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	go func() {
		time.Sleep(2 * time.Second)
		syscall.Kill(os.Getpid(), syscall.SIGINT)
	}()
	began := time.Now()
	code, stdout, stderr := kbench(t, "run", "../../scenarios/payments.yaml", "--endpoint", url, "--out", t.TempDir(),
		"--set", "duration=60s", "--set", "warmup=0s")
	if code != exitRunFailed {
		t.Fatalf("exit %d, want 3 (interrupted)\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if took := time.Since(began); took > 20*time.Second {
		t.Errorf("took %v after the interrupt", took)
	}
	tgt, err := targets.Open(t.Context(), targets.Spec{Kind: targets.KindEndpoint, Endpoint: url})
	if err != nil {
		t.Fatal(err)
	}
	c, err := tgt.Client(t.Context(), targets.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if names := streamNames(t, c); len(names) != 0 {
		t.Errorf("streams left after Ctrl-C during CREATING: %v\nstderr:\n%s", names, stderr)
	}
}
