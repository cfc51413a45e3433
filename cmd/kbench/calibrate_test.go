package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbench/kbench/latency"
)

// calibrationScenario writes records at 300/s into one shard of the sim
// with a known profile (profile.yaml beside it) and reads them by polling
// every 200 ms.
const calibrationScenario = `name: calibration
target: {kind: sim, sim: {latency: profile.yaml}}
stream: {shards: 1}
duration: 15s
warmup: 2s
drain: 3s
producers:
  - name: p
    generator: payments
    rate: {profile: constant, rps: 300}
    partition_key: entity
    batch: {max_records: 10, linger: 10ms}
consumers:
  - {name: c, kind: polling, poll_interval: 200ms}
`

const knownProfile = `name: known
put: {kind: lognormal, median: 30ms, p99: 120ms}
propagation: {kind: lognormal, median: 300ms, p99: 600ms}
`

// TestCalibrateRecoversKnownProfile runs the sim with a known profile,
// calibrates from that run's results, and checks the fitted profile's
// quantiles against the known ones. The tolerances allow for the run's
// sample: about 700 PutRecords calls (the p99 of so few is within about 10%
// either way), and propagation delays that are correlated over about a
// tenth of a second (latency.Ordered), so 13 measured seconds hold some
// hundred independent stretches.
func TestCalibrateRecoversKnownProfile(t *testing.T) {
	dir := t.TempDir()
	sc := filepath.Join(dir, "scenario.yaml")
	for name, text := range map[string]string{"scenario.yaml": calibrationScenario, "profile.yaml": knownProfile} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "out")
	if code, _, stderr := kbench(t, "run", sc, "--out", out); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	s := readSummary(t, out)
	if get(t, s, "target.latency_profile.name") != "known" || get(t, s, "target.latency_profile.put") != "lognormal(median 30ms, p99 120ms)" {
		t.Errorf("target.latency_profile = %v", get(t, s, "target.latency_profile"))
	}
	if md := readFile(t, filepath.Join(out, "report.md")); !strings.Contains(md, "Latency profile known") {
		t.Errorf("report.md does not name the latency profile:\n%s", md)
	}

	prof := filepath.Join(dir, "fitted.yaml")
	code, stdout, stderr := kbench(t, "calibrate", out, "--out", prof)
	if code != 0 {
		t.Fatalf("calibrate: exit %d\n%s%s", code, stdout, stderr)
	}
	t.Logf("%s%s", stdout, stderr)
	fitted, err := latency.Load(prof)
	if err != nil {
		t.Fatal(err)
	}
	known, err := latency.Decode("known", []byte(knownProfile))
	if err != nil {
		t.Fatal(err)
	}
	// Propagation is what calibrate deconvolves: it must come back within
	// the tolerances, both ways. The slack covers the GetRecords call and
	// the collector's own time on a loaded machine.
	for _, c := range []struct {
		q, tol float64
	}{{0.5, 0.15}, {0.99, 0.25}} {
		got, want := fitted.Propagation.Quantile(c.q), known.Propagation.Quantile(c.q)
		lo, hi := time.Duration(float64(want)*(1-c.tol)), time.Duration(float64(want)*(1+c.tol))+10*time.Millisecond
		if got < lo || got > hi {
			t.Errorf("fitted propagation p%v = %v, want %v within [%v, %v]", c.q*100, got, want, lo, hi)
		}
	}
	// Put is the run's put histogram as measured, and a call cannot be
	// shorter than its draw from the known profile (timers never fire
	// early): the fitted put is at least the known one, less the sampling
	// error of some 700 calls. How much longer it comes out is the
	// simulator's timer accuracy on this machine at this moment (a load
	// average near 20 on 2 cores has added 3 to 90 ms), which
	// sim.TestLatencyProfilePut checks against a baseline under the same
	// load.
	for _, c := range []struct {
		q, tol float64
	}{{0.5, 0.10}, {0.99, 0.20}} {
		got, want := fitted.Put.Quantile(c.q), known.Put.Quantile(c.q)
		if lo := time.Duration(float64(want) * (1 - c.tol)); got < lo {
			t.Errorf("fitted put p%v = %v, below the known %v less %.0f%%", c.q*100, got, want, c.tol*100)
		}
	}
	// The put table is the run's put histogram.
	for _, q := range []struct {
		key string
		q   float64
	}{{"p50_ms", 0.5}, {"p99_ms", 0.99}} {
		want := time.Duration(num(t, s, "latency.put."+q.key) * float64(time.Millisecond))
		if got := fitted.Put.Quantile(q.q); got < want-want/100 || got > want+want/100 {
			t.Errorf("fitted put at %v = %v, the run's latency.put.%s %v", q.q, got, q.key, want)
		}
	}
	if fitted.FanOut.String() != latency.AWS().FanOut.String() {
		t.Errorf("fan-out %v: the run measured none, so it should come from --base aws", fitted.FanOut)
	}
	if !strings.Contains(strings.Join(fitted.Assumptions, "\n"), "propagation: fitted to consumer c's arrival_to_consumed") {
		t.Errorf("assumptions do not say how propagation was fitted: %q", fitted.Assumptions)
	}
}

func TestCalibrateBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope")
	if code, _, stderr := kbench(t, "calibrate", missing); code != exitUsage || !strings.Contains(stderr, missing) {
		t.Errorf("missing dir: exit %d, %s", code, stderr)
	}
	if code, _, stderr := kbench(t, "calibrate", dir); code != exitUsage || !strings.Contains(stderr, "summary.json") {
		t.Errorf("no summary.json: exit %d, %s", code, stderr)
	}
	if code, _, stderr := kbench(t, "calibrate"); code != exitUsage || !strings.Contains(stderr, "one results directory") {
		t.Errorf("no argument: exit %d, %s", code, stderr)
	}
	if code, _, stderr := kbench(t, "calibrate", dir, "--base", filepath.Join(dir, "base.yaml")); code != exitUsage || !strings.Contains(stderr, "base.yaml") {
		t.Errorf("missing base: exit %d, %s", code, stderr)
	}
	run := filepath.Join(dir, "run")
	if code, _, stderr := kbench(t, "run", "../../scenarios/default.yaml", "--quiet", "--set", "duration=3s", "--set", "warmup=0s", "--set", "drain=1s", "--out", run); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	if err := os.Remove(filepath.Join(run, "send_to_arrival.hlog")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "fitted.yaml")
	if code, _, stderr := kbench(t, "calibrate", run, "--out", out); code != exitUsage || !strings.Contains(stderr, filepath.Join(run, "send_to_arrival.hlog")+" is missing") {
		t.Errorf("missing hlog: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a profile was written from bad input")
	}
}
