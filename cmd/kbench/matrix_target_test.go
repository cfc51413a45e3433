package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbench/kbench/runner"
)

// A matrix over target.sim.* runs each cell against a simulator of its own
// settings: once, every cell ran with the base target's.
func TestMatrixOverTargetSim(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "m.yaml")
	os.WriteFile(file, []byte(`name: put-delay
duration: 2s
drain: 5s
producers:
  - generator: payments
    rate: {profile: constant, rps: 50}
    batch: {max_records: 10, linger: 10ms}
matrix:
  target.sim.put_delay: [0ms, 40ms]
`), 0o644)
	out := filepath.Join(dir, "out")
	code, stdout, stderr := kbench(t, "run", file, "--out", out, "--quiet")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	var p50 [2]float64
	for i, delay := range []string{"0s", "40ms"} {
		s := readSummary(t, runner.CellDir(out, "target.sim.put_delay="+[]string{"0ms", "40ms"}[i]))
		if got := get(t, s, "scenario.target.sim.put_delay"); got != delay {
			t.Errorf("cell %d: scenario.target.sim.put_delay = %v, want %s", i, got, delay)
		}
		p50[i] = num(t, s, "latency.put.p50_ms")
	}
	if !(p50[0] < 20 && p50[1] >= 40) {
		t.Errorf("put p50 = %v ms, want under 20 ms without the delay and at least 40 ms with it", p50)
	}
}

// A matrix cannot vary the target itself: one run opens one target.
func TestMatrixOverTargetKindRefused(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "m.yaml")
	os.WriteFile(file, []byte(`name: kinds
producers:
  - generator: payments
    rate: {profile: constant, rps: 5}
matrix:
  target.kind: [sim, kinesis-mock]
`), 0o644)
	out := filepath.Join(dir, "out")
	code, _, stderr := kbench(t, "run", file, "--out", out)
	if code != exitUsage || !strings.Contains(stderr, "m.yaml:6") || !strings.Contains(stderr, "target.kind cannot vary") {
		t.Errorf("exit %d, want 2 naming m.yaml:6 and target.kind; stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("refused scenario wrote %s", out)
	}
}
