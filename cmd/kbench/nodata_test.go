package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbench/kbench/gate"
)

// TestNothingConsumedFailsLatencyChecks: when no record is consumed (the
// simulator holds every record back longer than the run), a latency
// threshold fails with "no data" instead of passing against 0, and so does
// the default regression gate against a run that consumed.
func TestNothingConsumedFailsLatencyChecks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base, cur := filepath.Join(dir, "base"), filepath.Join(dir, "cur")
	if code, stderr := quickRun(t, base); code != exitOK {
		t.Fatalf("baseline: exit %d\n%s", code, stderr)
	}
	code, stdout, stderr := kbench(t, "run", "../../scenarios/default.yaml", "--out", cur, "--quiet",
		"--set", "duration=2s", "--set", "warmup=0s", "--set", "drain=1s",
		"--set", "target.sim.propagation_delay=1m", "--set", "thresholds=[latency.e2e.p99_ms < 1000]")
	if code != exitFailed {
		t.Fatalf("exit %d, want 1 (the threshold fails)\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	s := readSummary(t, cur)
	if n := num(t, s, "totals.consumed"); n != 0 {
		t.Fatalf("consumed %v records; the test needs none", n)
	}
	th := get(t, s, "thresholds").([]any)[0].(map[string]any)
	if th["ok"] != false || th["no_data"] != true {
		t.Errorf("threshold = %v, want failed with no_data", th)
	}
	if !strings.Contains(stdout, "no data") {
		t.Errorf("the text summary does not say no data:\n%s", stdout)
	}
	code, stdout, stderr = kbench(t, "compare", base, cur, "--out", filepath.Join(dir, "gate"))
	if code != exitFailed || !strings.Contains(stdout, "no data") {
		t.Errorf("default gate: exit %d, want 1 saying no data\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !exists(filepath.Join(dir, "gate", gate.MarkdownFile)) {
		t.Error("no gate.md")
	}
}
