package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// freeAddr returns a loopback address no one listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestDistributedMetrics runs two worker processes with --metrics-addr and
// scrapes both during the run: each carries its worker label and the one
// run id, and once both have ended the sums over workers, which the Grafana
// dashboard shows, equal the merged summary's totals.
func TestDistributedMetrics(t *testing.T) {
	t.Parallel()
	url := startSim(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "dist.yaml")
	if err := os.WriteFile(file, []byte(distScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	startAt := time.Now().Add(10 * time.Second)
	var outs, urls []string
	var procs []*workerProc
	for i := range 2 {
		out := filepath.Join(dir, fmt.Sprintf("w%d", i))
		addr := freeAddr(t)
		outs, urls = append(outs, out), append(urls, "http://"+addr+"/metrics")
		procs = append(procs, startWorker(t, file, url, out, i, 2, startAt, "--worker-wait", "60s",
			"--metrics-addr", addr, "--metrics-linger", "2m"))
	}
	// Scrape until both workers' results are in place (they then linger).
	final := make([]families, 2)
	sawRunning := false
	for end := time.Now().Add(3 * time.Minute); final[0] == nil || final[1] == nil; {
		if time.Now().After(end) {
			t.Fatalf("the workers did not finish in 3 minutes:\n%s\n%s", procs[0].stderr.String(), procs[1].stderr.String())
		}
		for i := range 2 {
			_, statErr := os.Stat(filepath.Join(outs[i], "summary.json"))
			f, err := scrape(urls[i], false)
			if err != nil {
				continue // not serving yet
			}
			if f.value("kbench_run_ended") == 0 && f.value("kbench_records_sent_total") > 0 {
				sawRunning = true
			}
			if statErr == nil && final[i] == nil {
				final[i] = f
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	for i, p := range procs {
		_ = p.cmd.Process.Signal(os.Interrupt) // cuts the linger short
		if err := p.wait(); err != nil {
			t.Errorf("worker %d: %v\n%s", i, err, p.stderr.String())
		}
	}
	if !sawRunning {
		t.Error("no scrape saw a worker running")
	}
	merged := filepath.Join(dir, "merged")
	if code, stdout, stderr := kbench(t, append(append([]string{"merge"}, outs...), "--out", merged)...); code != exitOK {
		t.Fatalf("merge: exit %d\n%s\n%s", code, stdout, stderr)
	}
	all := readSummary(t, merged)
	runID := path(all, "run_id").(string)
	sum := func(metric string, kv ...string) float64 {
		var s float64
		for i, f := range final {
			if v := f.value(metric, append([]string{"worker", fmt.Sprint(i), "run_id", runID}, kv...)...); v > 0 {
				s += v
			}
		}
		return s
	}
	for name, c := range map[string]struct{ got, want any }{
		"sent":     {sum("kbench_records_sent_total"), path(all, "totals.produced")},
		"acked":    {sum("kbench_records_acked_total"), path(all, "totals.acked")},
		"consumed": {sum("kbench_records_consumed_total", "consumer", "collector"), path(all, "totals.consumed")},
		"e2e":      {sum("kbench_e2e_latency_seconds", "consumer", "collector"), path(all, "latency.e2e.count")},
		"lateness": {sum("kbench_lateness_seconds"), path(all, "latency.lateness.count")},
		"workers":  {sum("kbench_run_ended"), 2.0},
	} {
		if c.got != c.want {
			t.Errorf("%s: summed over workers %v, merged summary %v", name, c.got, c.want)
		}
	}
	for _, sh := range path(all, "per_shard").([]any) {
		sh := sh.(map[string]any)
		id := sh["shard_id"].(string)
		if got := sum("kbench_shard_records_acked_total", "shard", id); got != sh["records"] {
			t.Errorf("shard %s: %v acked over workers, merged %v", id, got, sh["records"])
		}
	}
}
