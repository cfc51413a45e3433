package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbench/kbench/sim"
)

// kbench runs the CLI in-process and returns its exit code and output.
func kbench(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// readSummary decodes a results directory's summary.json as a generic tree.
func readSummary(t *testing.T, dir string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// get walks a dotted path through a decoded summary.
func get(t *testing.T, m map[string]any, path string) any {
	t.Helper()
	var cur any = m
	for _, k := range strings.Split(path, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			t.Fatalf("summary.json: %s: %q is not an object", path, k)
		}
		if cur, ok = obj[k]; !ok {
			t.Fatalf("summary.json has no key %s", path)
		}
	}
	return cur
}

func num(t *testing.T, m map[string]any, path string) float64 {
	t.Helper()
	v, ok := get(t, m, path).(float64)
	if !ok {
		t.Fatalf("summary.json: %s is not a number", path)
	}
	return v
}

// checkAccounting asserts the contract every clean run must meet: every key
// of the summary.json contract (docs/reports.md) present, nothing lost, the
// e2e histogram holding one value per consumed record, ordered percentiles.
func checkAccounting(t *testing.T, dir string) map[string]any {
	t.Helper()
	s := readSummary(t, dir)
	for _, k := range []string{"totals.produced", "totals.acked", "totals.failed", "totals.throttled",
		"totals.consumed", "totals.lost", "totals.duplicates", "throughput.produced_rps",
		"throughput.consumed_rps", "throughput.produced_bytes_per_s", "schema_version"} {
		num(t, s, k)
	}
	for _, h := range []string{"put", "e2e", "e2e_uncorrected"} {
		for _, f := range []string{"count", "p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms", "mean_ms"} {
			num(t, s, "latency."+h+"."+f)
		}
	}
	for _, k := range []string{"scenario", "target", "config", "verdict", "thresholds", "per_shard"} {
		get(t, s, k)
	}
	shards, _ := s["per_shard"].([]any)
	if len(shards) == 0 {
		t.Fatal("per_shard is empty")
	}
	for _, sh := range shards {
		for _, k := range []string{"shard_id", "records", "bytes", "throttled"} {
			get(t, sh.(map[string]any), k)
		}
	}
	produced, acked, consumed := num(t, s, "totals.produced"), num(t, s, "totals.acked"), num(t, s, "totals.consumed")
	if produced == 0 || acked != produced {
		t.Errorf("produced %v, acked %v: want all produced records acknowledged", produced, acked)
	}
	if acked != consumed {
		t.Errorf("acked %v != consumed %v", acked, consumed)
	}
	if lost := num(t, s, "totals.lost"); lost != 0 {
		t.Errorf("lost = %v, want 0", lost)
	}
	if n := num(t, s, "latency.e2e.count"); n != consumed {
		t.Errorf("e2e count %v != consumed %v", n, consumed)
	}
	// The per-shard e2e histograms hold the primary application's values
	// shard by shard: together exactly the run's.
	var shardCount, shardMax float64
	for _, sh := range shards {
		e2e := get(t, sh.(map[string]any), "e2e").(map[string]any)
		shardCount += e2e["count"].(float64)
		shardMax = max(shardMax, e2e["max_ms"].(float64))
	}
	if n, m := num(t, s, "latency.e2e.count"), num(t, s, "latency.e2e.max_ms"); shardCount != n || shardMax != m {
		t.Errorf("per_shard e2e: %v values, max %v ms; the run's e2e %v values, max %v ms", shardCount, shardMax, n, m)
	}
	p := []float64{num(t, s, "latency.e2e.p50_ms"), num(t, s, "latency.e2e.p90_ms"), num(t, s, "latency.e2e.p99_ms"),
		num(t, s, "latency.e2e.p999_ms"), num(t, s, "latency.e2e.max_ms")}
	for i := 1; i < len(p); i++ {
		if p[i] < p[i-1] {
			t.Errorf("e2e percentiles out of order: %v", p)
		}
	}
	for _, f := range []string{"timeseries.csv", "e2e.hlog", "put.hlog", "report.html", "report.md"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("results dir lacks %s: %v", f, err)
		}
	}
	return s
}

func TestRunOnSim(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, stdout, stderr := kbench(t, "run", "../../scenarios/payments.yaml", "--out", dir,
		"--set", "duration=4s", "--set", "warmup=0s", "--set", "drain=10s", "--set", "thresholds=[]")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	s := checkAccounting(t, dir)
	if kind := get(t, s, "target.kind"); kind != "sim" {
		t.Errorf("target.kind = %v, want sim (the default)", kind)
	}
	if d := get(t, s, "scenario.duration"); d != "4s" {
		t.Errorf("scenario.duration = %v, want the --set value 4s echoed", d)
	}
	cons, _ := s["consumers"].([]any)
	if len(cons) != 1 || get(t, cons[0].(map[string]any), "consumed") != get(t, s, "totals.consumed") {
		t.Errorf("consumers = %v, want one application that consumed every record", s["consumers"])
	}
	if !strings.Contains(stdout, "e2e") {
		t.Errorf("no text summary on stdout:\n%s", stdout)
	}
}

func TestRunOnKinesisMock(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts kinesis-mock")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed: the kinesis-mock target needs Node.js")
	}
	dir := t.TempDir()
	// What this checks is that every record gets through kinesis-mock and
	// back, not how fast: on a loaded machine kinesis-mock can fall behind
	// 200/s, so the producers may overrun the duration to send it all.
	code, stdout, stderr := kbench(t, "run", "../../scenarios/payments.yaml", "--target", "kinesis-mock", "--out", dir,
		"--set", "duration=10s", "--set", "max_overrun=30s", "--set", "warmup=0s", "--set", "stream.shards=2",
		"--set", "producers[0].rate.rps=200", "--set", "thresholds=[]",
		"--set", "consumers=[{name: poll, kind: polling, poll_interval: 200ms}, {name: push, kind: fanout}]")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	s := checkAccounting(t, dir)
	if kind := get(t, s, "target.kind"); kind != "kinesis-mock" {
		t.Errorf("target.kind = %v", kind)
	}
	if n := num(t, s, "totals.acked"); n < 1500 {
		t.Errorf("acked %v records in 10 s at 200/s, want about 2000", n)
	}
	// kinesis-mock's SubscribeToShard cannot serve aws-sdk-go-v2: the
	// fan-out application polls instead, says so, and still reads everything.
	push := get(t, s, "consumers").([]any)[1].(map[string]any)
	if push["kind"] != "polling" || !strings.Contains(fmt.Sprint(push["fallback"]), "initial-response") {
		t.Errorf("fan-out consumer on kinesis-mock: kind %v, fallback %q; want polling with the reason", push["kind"], push["fallback"])
	}
	if push["consumed"] != get(t, s, "totals.acked") || push["lost"] != 0.0 {
		t.Errorf("fan-out consumer read %v of %v, lost %v", push["consumed"], get(t, s, "totals.acked"), push["lost"])
	}
	if !strings.Contains(stderr, "falling back to polling") {
		t.Errorf("no fallback line in the log:\n%s", stderr)
	}
}

func TestBadInputExits2(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("name: bad\nproducers:\n  - generator: payments\n    rate: {profile: constant, rps: 10}\n    colour: blue\n"), 0o644)
	out := filepath.Join(dir, "out")
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown key", []string{"run", bad, "--out", out}, []string{"bad.yaml:5", "colour"}},
		{"bad --set", []string{"run", "../../scenarios/payments.yaml", "--out", out, "--set", "stream.shards=zero"}, []string{"--set", "stream.shards"}},
		{"missing file", []string{"run", filepath.Join(dir, "nope.yaml"), "--out", out}, []string{"nope.yaml"}},
		{"unknown threshold metric", []string{"run", "../../scenarios/payments.yaml", "--out", out, "--set", "thresholds=[latency.e2e.p99 < 5]"}, []string{"--set", "thresholds[0]", "latency.e2e.p99"}},
		{"bad target", []string{"run", "../../scenarios/payments.yaml", "--target", "kafka"}, []string{"kafka"}},
		{"model refuses per-key ordering", []string{"run", "../../scenarios/payments.yaml", "--target", "model", "--out", out,
			"--set", "producers[0].ordering=per_key"}, []string{"producers[0].ordering", "model target does not represent"}},
		{"no scenario", []string{"run"}, []string{"scenario"}},
		{"unknown command", []string{"frobnicate"}, []string{"frobnicate"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := kbench(t, c.args...)
			if code != exitUsage {
				t.Fatalf("exit %d, want 2; stderr:\n%s", code, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not name %q:\n%s", w, stderr)
				}
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("bad input wrote %s", out)
			}
		})
	}
}

func TestUnreachableTargetExits3(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, _, stderr := kbench(t, "run", "../../scenarios/payments.yaml", "--target", "kinesis-mock",
		"--endpoint", "http://127.0.0.1:1", "--out", filepath.Join(dir, "out"))
	if code != exitRunFailed {
		t.Fatalf("exit %d, want 3; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "127.0.0.1:1") {
		t.Errorf("error does not name the endpoint:\n%s", stderr)
	}
}

// TestInterruptKeepsResults: Ctrl-C two seconds into a minute-long run ends
// it with exit 3, keeping what it measured.
func TestInterruptKeepsResults(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := startKbench(t, "run", "../../scenarios/payments.yaml", "--out", dir,
		"--set", "duration=60s", "--set", "warmup=0s")
	p.waitFor(t, "producer instance(s)")
	time.Sleep(2 * time.Second)
	if code := p.interrupt(t); code != exitRunFailed {
		t.Fatalf("exit %d, want 3\nstdout:\n%s\nstderr:\n%s", code, p.stdout.String(), p.stderr.String())
	}
	s := readSummary(t, dir)
	if num(t, s, "totals.produced") == 0 {
		t.Error("nothing recorded before the interrupt")
	}
	errs, _ := s["errors"].([]any)
	if len(errs) == 0 || !strings.Contains(errs[0].(string), "interrupted") {
		t.Errorf("errors = %v, want the interruption named", s["errors"])
	}
	if get(t, s, "verdict") != "fail" {
		t.Error("an interrupted run must not pass")
	}
}

// TestStallShowsInLatency holds every data-plane request on the simulator for
// 1.5 s in the middle of a run: the end-to-end latency must show it, measured
// from the intended send time, however little the uncorrected view sees.
func TestStallShowsInLatency(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, stdout, stderr := kbench(t, "run", "../../scenarios/payments.yaml", "--out", dir,
		"--set", "duration=5s", "--set", "warmup=0s", "--set", "thresholds=[]",
		"--set", "target.sim.stall_after=2500ms", "--set", "target.sim.stall_for=1500ms")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	s := checkAccounting(t, dir)
	if max := num(t, s, "latency.e2e.max_ms"); max < 1000 {
		t.Errorf("e2e max %v ms: a 1.5 s stall must show in end-to-end latency", max)
	}
	if within := num(t, s, "deadline.on_time_ratio"); within > 0.95 {
		t.Errorf("deadline.on_time_ratio = %v: records held by the stall must miss the 500 ms deadline", within)
	}
}

// TestTargetDiesMidRun stops a standalone simulator two seconds into a
// minute-long run: kbench must give up on it within seconds, exit 3, name
// the failure and keep what it measured.
func TestTargetDiesMidRun(t *testing.T) {
	t.Parallel()
	url, stop, err := sim.Start(context.Background(), sim.DefaultConfig(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(2500 * time.Millisecond)
		stop()
	}()
	dir := t.TempDir()
	began := time.Now()
	code, stdout, stderr := kbench(t, "run", "../../scenarios/payments.yaml", "--endpoint", url, "--out", dir,
		"--set", "duration=60s", "--set", "warmup=0s")
	if code != exitRunFailed {
		t.Fatalf("exit %d, want 3\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if took := time.Since(began); took > 30*time.Second {
		t.Errorf("took %v to give up on a dead target", took)
	}
	if !strings.Contains(stderr, "every PutRecords call failed") {
		t.Errorf("stderr does not say why:\n%s", stderr)
	}
	s := readSummary(t, dir)
	if get(t, s, "target.kind") != "endpoint" {
		t.Errorf("target.kind = %v, want endpoint", get(t, s, "target.kind"))
	}
	if num(t, s, "totals.acked") == 0 {
		t.Error("what was acknowledged before the target died is not in the summary")
	}
	if get(t, s, "verdict") != "fail" {
		t.Error("a failed run must not pass")
	}
}

// TestReportRebuilds renders reports again from results directories: one
// directory gives its report, several a comparison, anything else exit 2.
func TestReportRebuilds(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	a, b := filepath.Join(base, "a"), filepath.Join(base, "b")
	for _, dir := range []string{a, b} {
		if code, _, stderr := kbench(t, "run", "../../scenarios/default.yaml", "--out", dir, "--quiet",
			"--set", "duration=2s", "--set", "warmup=0s", "--set", "drain=5s"); code != exitOK {
			t.Fatalf("run: exit %d\n%s", code, stderr)
		}
	}
	if err := os.Remove(filepath.Join(a, "report.html")); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := kbench(t, "report", a); code != exitOK {
		t.Fatalf("report: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(a, "report.html")); err != nil {
		t.Errorf("report did not rebuild report.html: %v", err)
	}
	cmp := filepath.Join(base, "cmp")
	if code, _, stderr := kbench(t, "report", a, b, "--out", cmp); code != exitOK {
		t.Fatalf("report of two runs: exit %d\n%s", code, stderr)
	}
	for _, f := range []string{"comparison.html", "comparison.md"} {
		if _, err := os.Stat(filepath.Join(cmp, f)); err != nil {
			t.Errorf("comparison lacks %s: %v", f, err)
		}
	}
	if code, _, _ := kbench(t, "report", base); code != exitUsage {
		t.Errorf("report of a directory without summary.json: exit %d, want 2", code)
	}

	// The repeats of a cell (run-1, run-2 as kbench run --repeat writes
	// them): one report per repeat, and a comparison against them uses
	// their median.
	reps := filepath.Join(base, "reps")
	for i, src := range []string{a, b} {
		if err := os.CopyFS(filepath.Join(reps, fmt.Sprintf("run-%d", i+1)), os.DirFS(src)); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr := kbench(t, "report", reps)
	if code != exitOK || strings.Count(stdout, "report.html") != 2 {
		t.Fatalf("report of repeats: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := kbench(t, "report", reps, a, "--out", cmp); code != exitOK {
		t.Fatalf("comparison with repeats: exit %d\n%s", code, stderr)
	}
}

// TestRunFanOutOnSim reads with an enhanced fan-out consumer first (so its
// latencies are the report's) and a polling one beside it.
func TestRunFanOutOnSim(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := kbench(t, "run", "../../scenarios/payments.yaml", "--out", dir,
		"--set", "duration=4s", "--set", "warmup=0s", "--set", "thresholds=[]",
		"--set", "consumers=[{name: efo, kind: fanout}, {name: poller, kind: polling, poll_interval: 1s}]")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	s := checkAccounting(t, dir)
	cons, _ := s["consumers"].([]any)
	if len(cons) != 2 {
		t.Fatalf("consumers = %v, want two applications", s["consumers"])
	}
	for _, c := range cons {
		c := c.(map[string]any)
		if c["consumed"] != get(t, s, "totals.acked") || c["lost"] != 0.0 {
			t.Errorf("consumer %v: consumed %v lost %v, want every record", c["name"], c["consumed"], c["lost"])
		}
	}
	if p50 := num(t, s, "latency.e2e.p50_ms"); p50 > 200 {
		t.Errorf("fan-out e2e p50 = %v ms: pushed records should not wait for a poll", p50)
	}
}
