package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/targets"
)

// distScenario is a small distributed run. The payments producer's four
// instances divide among the workers, which run them whole with one
// process's seeds: their card tokens, and so their shards, are exactly one
// process's. The fixed-key producer's one instance is split record by
// record; its key puts every record on one shard.
const distScenario = `name: dist
stream: {shards: 4}
duration: 4s
warmup: 1s
max_overrun: 10s
drain: 4s
deadline: 2s
producers:
  - name: payments
    generator: payments
    rate: {profile: constant, rps: 600}
    concurrency: 4
    partition_key: entity
  - name: one-key
    generator: payments
    rate: {profile: constant, rps: 200}
    partition_key: fixed
consumers:
  - name: collector
    kind: polling
    poll_interval: 200ms
`

// worker is one kbench worker running in a child process.
type workerProc struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
}

// startWorker starts kbench run as worker i of n in a child process.
func startWorker(t *testing.T, file, url, out string, i, n int, startAt time.Time, extra ...string) *workerProc {
	t.Helper()
	args := append([]string{"run", file, "--endpoint", url, "--out", out, "--quiet",
		"--worker", fmt.Sprintf("%d/%d", i, n), "--run-id", "d15", "--start-at", startAt.UTC().Format(time.RFC3339Nano)}, extra...)
	list, _ := json.Marshal(args)
	w := &workerProc{cmd: exec.Command(os.Args[0], "-test.run=^$")}
	w.cmd.Env = append(os.Environ(), childArgs+"="+string(list))
	w.cmd.Stderr = &w.stderr
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.cmd.Process.Kill(); _ = w.cmd.Wait() })
	return w
}

// distApplication makes distScenario a run with an application under test:
// the fraud detector (bin) reads the payments, which carry fraud bursts and
// the envelope as a JSON field, and writes its alerts to a two-shard
// stream, which the workers split as they split the source's shards. The
// alerts are matched to the transaction that triggered them by txn_id and
// to a burst by card: across workers, since worker 0 alone runs the
// detector and the bursts come from every worker's generators.
func distApplication(bin string) string {
	sc := strings.Replace(distScenario, "    generator: payments\n    rate: {profile: constant, rps: 600}",
		"    generator: payments\n    options: {fraud_rate: 0.01, fraud_burst: 4}\n    rate: {profile: constant, rps: 600}", 1)
	sc = strings.ReplaceAll(sc, "    partition_key: ", "    envelope: field\n    partition_key: ")
	// The detector's alerts take seconds on a loaded machine: a drain long
	// enough for every burst's alert (the single process ends it early
	// once none is missing; the workers wait it out).
	sc = strings.Replace(sc, "drain: 4s", "drain: 12s", 1)
	// Two readers of each payments shard, kbench's collector and the
	// detector, share its 5 reads a second: 2 each.
	sc = strings.Replace(sc, "poll_interval: 200ms", "poll_interval: 500ms", 1)
	return sc + `application:
  command: [` + bin + `, --in, "{{.Streams.source}}", --out, "{{.Streams.alerts}}", --poll, 500ms]
  ready: {log: "fraud-detector: started", timeout: 60s}
destinations:
  - name: alerts
    kind: kinesis
    stream: {shards: 2}
    expect: some
    correlate: {input: txn_id, output: txn_id, key: card, window: 10s}
`
}

// TestDistributedRunMerged runs one scenario with an application under test
// as four worker processes against one simulator and, beside them, as one
// process, then merges the workers: the totals and the record latency
// counts must be the same, per-shard counts too (entity and fixed keys),
// the destination's accounting and latency counts too, nothing lost or
// duplicated, and every key of the single process's summary must be in the
// merged one.
func TestDistributedRunMerged(t *testing.T) {
	url := startSim(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "dist.yaml")
	if err := os.WriteFile(file, []byte(distApplication(buildFraudDetector(t))), 0o644); err != nil {
		t.Fatal(err)
	}
	// The clock measurement takes about four seconds; a busy machine
	// starts processes slowly.
	startAt := time.Now().Add(10 * time.Second)
	var outs []string
	var procs []*workerProc
	for i := range 4 {
		out := filepath.Join(dir, fmt.Sprintf("w%d", i))
		outs = append(outs, out)
		procs = append(procs, startWorker(t, file, url, out, i, 4, startAt, "--worker-wait", "60s"))
	}
	single := filepath.Join(dir, "single")
	var wg sync.WaitGroup
	wg.Go(func() {
		if code, _, stderr := kbench(t, "run", file, "--endpoint", url, "--out", single, "--quiet", "--set", "stream.name=kbench-single"); code != exitOK {
			t.Errorf("single process: exit %d\n%s", code, stderr)
		}
	})
	for i, p := range procs {
		if err := p.cmd.Wait(); err != nil {
			t.Errorf("worker %d: %v\n%s", i, err, p.stderr.String())
		}
	}
	wg.Wait()
	if t.Failed() {
		for _, d := range []string{outs[0], single} {
			if b, err := os.ReadFile(filepath.Join(d, "application.log")); err == nil {
				t.Logf("%s/application.log:\n%s", d, b)
			}
		}
		t.FailNow()
	}
	if names := streamNames(t, simClient(t, url)); len(names) != 0 {
		t.Errorf("streams left after the run: %q; worker 0 deletes the stream once every worker is done", names)
	}
	merged := filepath.Join(dir, "merged")
	code, stdout, stderr := kbench(t, append(append([]string{"merge"}, outs...), "--out", merged)...)
	if code != exitOK {
		t.Fatalf("merge: exit %d\n%s\n%s", code, stdout, stderr)
	}
	one, all := readSummary(t, single), readSummary(t, merged)

	for _, k := range []string{"scheduled", "produced", "acked", "consumed", "failed", "unsent"} {
		if a, b := path(one, "totals."+k), path(all, "totals."+k); a != b {
			t.Errorf("totals.%s: one process %v, merged %v", k, a, b)
		}
	}
	if t.Failed() {
		for i, p := range procs {
			t.Logf("worker %d: unsent %v\n%s", i, path(readSummary(t, outs[i]), "totals.unsent_by_cause"), p.stderr.String())
		}
	}
	if path(all, "totals.acked") != 3200.0 {
		t.Errorf("merged totals.acked %v, want 3200 (800/s for 4 s)", path(all, "totals.acked"))
	}
	for _, k := range []string{"lost", "unread", "duplicates", "failed_delivered"} {
		if v := path(all, "totals."+k); v != 0.0 {
			t.Errorf("merged totals.%s = %v, want 0", k, v)
		}
	}
	// The one-key producer is split record by record: its key's records
	// come from four processes, and their interleaving is not disorder
	// (order is tracked within each worker's share). Tracked across the
	// workers, about half of its 800 records would count out of order.
	if a, b := path(one, "totals.out_of_order").(float64), path(all, "totals.out_of_order").(float64); b > a+100 {
		t.Errorf("totals.out_of_order: one process %v, merged %v", a, b)
	}
	// Record latencies count records: the same in both; put counts calls,
	// which four producers batch differently.
	for _, l := range []string{"e2e", "e2e_uncorrected", "lateness", "delivery", "send_to_arrival", "arrival_to_consumed"} {
		if a, b := path(one, "latency."+l+".count"), path(all, "latency."+l+".count"); a != b {
			t.Errorf("latency.%s.count: one process %v, merged %v", l, a, b)
		}
	}
	// The payments producer's instances run whole on their workers: its
	// bursts are one process's, and so are the detector's alerts.
	for _, k := range []string{"outputs", "expected", "missing", "unexpected", "unmeasured", "duplicates", "recall", "precision",
		"deadline.scheduled", "latency.e2e.count", "latency.application.count"} {
		if a, b := path(one, "destinations.0."+k), path(all, "destinations.0."+k); a != b || a == nil {
			t.Errorf("destinations[0].%s: one process %v, merged %v", k, a, b)
		}
	}
	if t.Failed() {
		for i, p := range procs {
			t.Logf("worker %d: destination %v\n%s", i, path(readSummary(t, outs[i]), "destinations.0"), p.stderr.String())
		}
		if b, err := os.ReadFile(filepath.Join(outs[0], "application.log")); err == nil {
			t.Logf("worker 0's application.log:\n%s", b)
		}
	}
	t.Logf("alerts: one process %v outputs, %v expected, %v missing, e2e p99 %v ms; merged %v, %v, %v, %v ms",
		path(one, "destinations.0.outputs"), path(one, "destinations.0.expected"), path(one, "destinations.0.missing"),
		path(one, "destinations.0.latency.e2e.p99_ms"), path(all, "destinations.0.outputs"), path(all, "destinations.0.expected"),
		path(all, "destinations.0.missing"), path(all, "destinations.0.latency.e2e.p99_ms"))
	if n, _ := path(all, "destinations.0.expected").(float64); n < 5 {
		t.Errorf("destinations[0].expected = %v bursts, want at least 5", n)
	}
	if path(all, "application.exit") != "stopped" {
		t.Errorf("merged application = %v, want worker 0's detector, stopped", path(all, "application"))
	}
	if _, err := os.Stat(filepath.Join(merged, "application.log")); err != nil {
		t.Error(err)
	}
	shardsOne, shardsAll := path(one, "per_shard").([]any), path(all, "per_shard").([]any)
	if len(shardsOne) != len(shardsAll) {
		t.Fatalf("per_shard: %d rows, merged %d", len(shardsOne), len(shardsAll))
	}
	for i := range shardsOne {
		a, b := shardsOne[i].(map[string]any), shardsAll[i].(map[string]any)
		ra, rb := a["records"].(float64), b["records"].(float64)
		// Entity and fixed keys: exactly one process's shards.
		if a["shard_id"] != b["shard_id"] || ra != rb {
			t.Errorf("per_shard[%d]: %v %v records, merged %v %v", i, a["shard_id"], ra, b["shard_id"], rb)
		}
		if b["consumed"].(float64) != rb {
			t.Errorf("merged per_shard[%d]: %v records, %v consumed", i, rb, b["consumed"])
		}
	}
	for _, k := range keyPaths("", one) {
		if k == "worker" || strings.HasPrefix(k, "worker.") {
			continue
		}
		if !hasPath(all, k) {
			t.Errorf("merged summary lacks %s", k)
		}
	}
	if e := path(all, "workers.clock_error_ms"); e == nil || e.(float64) <= 0 || e.(float64) > 100 {
		t.Errorf("workers.clock_error_ms = %v, want a few ms on one host", e)
	}
	if e := path(all, "latency.e2e.clock_error_ms"); e != path(all, "workers.clock_error_ms") {
		t.Errorf("latency.e2e.clock_error_ms = %v, want the worst-case clock error beside it", e)
	}
	f, err := os.Open(filepath.Join(merged, results.TimeseriesFile))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := results.ReadTimeseries(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var produced, consumed, outputs int64
	for _, r := range rows {
		produced, consumed = produced+r.Produced, consumed+r.Consumed
		if len(r.Destinations) == 1 {
			outputs += r.Destinations[0].Outputs
		}
	}
	if float64(outputs) != path(all, "destinations.0.outputs") {
		t.Errorf("merged timeseries.csv has %d alerts, the summary %v", outputs, path(all, "destinations.0.outputs"))
	}
	if float64(produced) != path(all, "totals.produced") || float64(consumed) != path(all, "totals.consumed") {
		t.Errorf("merged timeseries.csv adds up to %d produced, %d consumed; the totals say %v, %v",
			produced, consumed, path(all, "totals.produced"), path(all, "totals.consumed"))
	}
	if path(all, "workers.incomplete") != false {
		t.Error("a merge of every worker is marked incomplete")
	}
}

// TestDistributedWorkerKilled kills one of two workers mid-run: the merge
// names it and exits 2; --allow-partial merges the other, marked
// incomplete in the summary and the report.
func TestDistributedWorkerKilled(t *testing.T) {
	url := startSim(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "dist.yaml")
	if err := os.WriteFile(file, []byte(distScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	startAt := time.Now().Add(6 * time.Second)
	w0, w1 := filepath.Join(dir, "w0"), filepath.Join(dir, "w1")
	p0 := startWorker(t, file, url, w0, 0, 2, startAt, "--worker-wait", "1s")
	p1 := startWorker(t, file, url, w1, 1, 2, startAt)
	time.Sleep(time.Until(startAt.Add(2 * time.Second)))
	if err := p1.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = p1.cmd.Wait()
	if err := p0.cmd.Wait(); err != nil {
		t.Fatalf("worker 0: %v\n%s", err, p0.stderr.String())
	}
	if !strings.Contains(p0.stderr.String(), "did not finish") {
		t.Errorf("worker 0 did not say it left the stream for the missing worker:\n%s", p0.stderr.String())
	}
	if tags := streamTags(simClient(t, url), "kbench-dist"); tags["kbench:run-id"] != "0000000000000d15" {
		t.Errorf("stream tags %v: worker 0 must leave the stream of a worker that did not finish in place", tags)
	}
	merged := filepath.Join(dir, "merged")
	code, _, stderr := kbench(t, "merge", w0, w1, "--out", merged)
	if code != exitUsage || !strings.Contains(stderr, "worker 1 of 2 is missing") {
		t.Fatalf("merge without worker 1: exit %d, want 2 naming worker 1\n%s", code, stderr)
	}
	if exists(merged) {
		t.Error("a refused merge wrote its output")
	}
	code, _, stderr = kbench(t, "merge", w0, w1, "--out", merged, "--allow-partial")
	if code != exitOK {
		t.Fatalf("merge --allow-partial: exit %d\n%s", code, stderr)
	}
	s := readSummary(t, merged)
	if path(s, "workers.incomplete") != true || fmt.Sprint(path(s, "workers.missing")) != "[1]" {
		t.Errorf("workers = %v, want incomplete with worker 1 missing", path(s, "workers"))
	}
	if path(s, "totals.lost") != 0.0 {
		t.Errorf("totals.lost = %v: records on the missing worker's shards are unread, not lost", path(s, "totals.lost"))
	}
	for _, f := range []string{"report.md", "report.html"} {
		b, err := os.ReadFile(filepath.Join(merged, f))
		if err != nil || !strings.Contains(string(b), "INCOMPLETE") {
			t.Errorf("%s does not say the result is incomplete (%v)", f, err)
		}
	}
}

// TestDistributedReshard reshards the stream of a two-worker run from 2 to
// 4 shards: worker 0 reshards, worker 1 follows, each parent and child is
// read by one worker, and the merge finds nothing lost or duplicated.
func TestDistributedReshard(t *testing.T) {
	url := startSim(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "reshard.yaml")
	sc := strings.Replace(distScenario, "stream: {shards: 4}", "stream: {shards: 2}", 1) + "events:\n  - {at: 2s, update_shard_count: 4}\n"
	if err := os.WriteFile(file, []byte(sc), 0o644); err != nil {
		t.Fatal(err)
	}
	startAt := time.Now().Add(8 * time.Second)
	w0, w1 := filepath.Join(dir, "w0"), filepath.Join(dir, "w1")
	procs := []*workerProc{startWorker(t, file, url, w0, 0, 2, startAt, "--worker-wait", "60s"), startWorker(t, file, url, w1, 1, 2, startAt)}
	for i, p := range procs {
		if err := p.cmd.Wait(); err != nil {
			t.Fatalf("worker %d: %v\n%s", i, err, p.stderr.String())
		}
	}
	if !strings.Contains(procs[1].stderr.String(), "resharded by worker 0 to 4 shards") {
		t.Errorf("worker 1 did not follow the reshard:\n%s", procs[1].stderr.String())
	}
	merged := filepath.Join(dir, "merged")
	if code, _, stderr := kbench(t, "merge", w0, w1, "--out", merged); code != exitOK {
		t.Fatalf("merge: exit %d\n%s", code, stderr)
	}
	s := readSummary(t, merged)
	if path(s, "totals.acked") != 3200.0 || path(s, "totals.consumed") != 3200.0 {
		t.Errorf("acked %v, consumed %v; want 3200 each", path(s, "totals.acked"), path(s, "totals.consumed"))
	}
	for _, k := range []string{"lost", "unread", "duplicates"} {
		if v := path(s, "totals."+k); v != 0.0 {
			t.Errorf("totals.%s = %v, want 0", k, v)
		}
	}
	shards := path(s, "per_shard").([]any)
	if len(shards) != 6 {
		t.Errorf("%d shards in per_shard, want 2 parents and 4 children", len(shards))
	}
	for _, sh := range shards {
		sh := sh.(map[string]any)
		if sh["records"] != sh["consumed"] {
			t.Errorf("%v: %v records written, %v read", sh["shard_id"], sh["records"], sh["consumed"])
		}
	}
}

// simClient returns a Kinesis client of the simulator at url.
func simClient(t *testing.T, url string) *kinesis.Client {
	t.Helper()
	tgt, err := targets.Open(t.Context(), targets.Spec{Kind: targets.KindEndpoint, Endpoint: url})
	if err != nil {
		t.Fatal(err)
	}
	c, err := tgt.Client(t.Context(), targets.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// path returns the value at a dotted path of a decoded summary (array
// elements by index), nil when there is none.
func path(m any, p string) any {
	v, _ := lookupPath(m, p)
	return v
}

func hasPath(m any, p string) bool {
	_, ok := lookupPath(m, p)
	return ok
}

func lookupPath(m any, p string) (any, bool) {
	cur := m
	for _, k := range strings.Split(p, ".") {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[k]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			var i int
			if _, err := fmt.Sscan(k, &i); err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// keyPaths lists every key path of a decoded JSON tree.
func keyPaths(prefix string, v any) []string {
	var out []string
	join := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	switch c := v.(type) {
	case map[string]any:
		for k, e := range c {
			out = append(out, join(k))
			out = append(out, keyPaths(join(k), e)...)
		}
	case []any:
		for i, e := range c {
			out = append(out, keyPaths(join(fmt.Sprint(i)), e)...)
		}
	}
	return out
}
