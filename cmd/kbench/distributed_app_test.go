package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/kbench/kbench/results"
)

// TestDistributedEchoDestinations runs the echo application (one output per
// input) as two workers: worker 0 starts it, so every output reaches worker
// 0's HTTP listener and standard output, while the inputs come from both
// workers. The merge matches the web destination by the envelope the outputs
// carry (combined from the workers' own matching) and the log destination by
// txn_id (replayed against both workers' inputs): every acknowledged input
// has its one output, none is missing, unexpected or duplicated, and the
// time series agrees.
func TestDistributedEchoDestinations(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two workers and an application")
	}
	t.Parallel()
	url := startSim(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "echoapp")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/echoapp").CombinedOutput(); err != nil {
		t.Fatalf("go build echoapp: %v\n%s", err, out)
	}
	file, err := filepath.Abs("testdata/echo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sets := []string{"--set", "application.command=[" + bin + "]", "--set", "duration=4s", "--set", "producers[0].envelope=field",
		"--set", "destinations[0].correlate={}", "--worker-wait", "60s"}
	startAt := time.Now().Add(8 * time.Second)
	var outs []string
	var procs []*workerProc
	for i := range 2 {
		out := filepath.Join(dir, fmt.Sprintf("w%d", i))
		outs = append(outs, out)
		procs = append(procs, startWorker(t, file, url, out, i, 2, startAt, sets...))
	}
	for i, p := range procs {
		if err := p.cmd.Wait(); err != nil {
			t.Fatalf("worker %d: %v\n%s", i, err, p.stderr.String())
		}
	}
	merged := filepath.Join(dir, "merged")
	if code, stdout, stderr := kbench(t, append(append([]string{"merge"}, outs...), "--out", merged)...); code != exitOK {
		t.Fatalf("merge: exit %d\n%s\n%s", code, stdout, stderr)
	}
	s := readSummary(t, merged)
	acked := path(s, "totals.acked")
	if acked != 400.0 {
		t.Errorf("totals.acked %v, want 400 (100/s for 4 s)", acked)
	}
	for i, want := range []string{"envelope", "field:txn_id=source.txn_id"} {
		d := path(s, fmt.Sprintf("destinations.%d", i)).(map[string]any)
		if d["correlation"] != want {
			t.Errorf("destinations[%d] matched by %v, want %s", i, d["correlation"], want)
		}
		if d["outputs"] != acked || d["expected"] != acked || d["missing"] != 0.0 || d["unexpected"] != 0.0 || d["duplicates"] != 0.0 {
			t.Errorf("%v: %v outputs, %v expected, %v missing, %v unexpected, %v duplicates; want %v, none missing or extra",
				d["name"], d["outputs"], d["expected"], d["missing"], d["unexpected"], d["duplicates"], acked)
		}
		if n := path(d, "latency.e2e.count"); n != path(d, "deadline.measured") || n.(float64) < 200 {
			t.Errorf("%v: e2e count %v, deadline.measured %v: want the measured outputs, at least 200", d["name"], n, path(d, "deadline.measured"))
		}
		if _, err := os.Stat(filepath.Join(merged, "destination-"+d["name"].(string)+"-e2e.hlog")); err != nil {
			t.Error(err)
		}
	}
	f, err := os.Open(filepath.Join(merged, results.TimeseriesFile))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := results.ReadTimeseries(f)
	f.Close()
	if err != nil || len(rows) == 0 {
		t.Fatalf("merged timeseries.csv: %d rows, %v", len(rows), err)
	}
	for i := range 2 {
		var outputs int64
		for _, r := range rows {
			outputs += r.Destinations[i].Outputs
		}
		last := rows[len(rows)-1].Destinations[i]
		if float64(outputs) != acked || last.Missing != 0 {
			t.Errorf("timeseries destination %s: %d outputs, %d missing at the end; want %v, 0", last.Name, outputs, last.Missing, acked)
		}
	}
}
