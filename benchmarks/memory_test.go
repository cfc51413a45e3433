package benchmarks

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kbench/kbench/targets"
)

// The simulator's memory workload: 20,000 records/s of 200-byte records in
// 500-record calls on 4 shards, into a `kbench sim` process with a memory
// budget of memMaxMemory (records of all shards held to a third of it) and
// at most memShardMaxBytes of records per shard.
const (
	memRate          = 20000
	memRecords       = 500
	memSize          = 200
	memShards        = 4
	memShardMaxBytes = 16 << 20
	memMaxMemory     = 128 << 20
	memSample        = 10 * time.Second // VmRSS sampling period
	memLong          = 10 * time.Minute
	memShortDefault  = time.Minute
)

// Environment switches: the memory benchmarks are too long for a default
// `make bench`, so they only run when asked.
const (
	envLong       = "KBENCH_LONG"           // "1": run both memory benchmarks
	envMemSeconds = "KBENCH_MEMORY_SECONDS" // run the short one for this many seconds
	envBin        = "KBENCH_BIN"            // a built kbench binary to use instead of building one
)

// memRan makes each memory benchmark measure once per process, however
// many -count rounds ask for it.
var memRan sync.Map

// BenchmarkSimMemory loads a separate `kbench sim --quotas off
// --shard-max-bytes 16MiB --max-memory 128MiB` process at 20,000 records/s of
// 200-byte records on 4 shards for 10 minutes and reports its resident size
// (VmRSS, sampled every 10 s, and the kernel's peak VmHWM) next to the
// configured budget and the records it lets the shards keep. It runs only with KBENCH_LONG=1, and once
// per process.
func BenchmarkSimMemory(b *testing.B) {
	if os.Getenv(envLong) != "1" {
		b.Skipf("takes %v: set %s=1", memLong, envLong)
	}
	benchMemory(b, memLong)
}

// BenchmarkSimMemoryShort is BenchmarkSimMemory for KBENCH_MEMORY_SECONDS
// seconds (default 60). It runs only with KBENCH_LONG=1 or
// KBENCH_MEMORY_SECONDS set.
func BenchmarkSimMemoryShort(b *testing.B) {
	secs := os.Getenv(envMemSeconds)
	if secs == "" && os.Getenv(envLong) != "1" {
		b.Skipf("set %s=N (seconds) or %s=1", envMemSeconds, envLong)
	}
	d := memShortDefault
	if secs != "" {
		n, err := strconv.Atoi(secs)
		if err != nil || n < 1 {
			b.Fatalf("%s=%q: want a positive number of seconds", envMemSeconds, secs)
		}
		d = time.Duration(n) * time.Second
	}
	benchMemory(b, d)
}

func benchMemory(b *testing.B, d time.Duration) {
	if _, done := memRan.LoadOrStore(b.Name(), true); done {
		b.Skip("measured once already in this process")
	}
	bin := kbenchBinary(b)
	proc, url := startSim(b, bin)
	ctx := context.Background()
	openCtx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	// A standalone sim is opened as an already-running endpoint.
	tgt, err := targets.Open(openCtx, targets.Spec{Kind: targets.KindKinesisMock, Endpoint: url})
	if err != nil {
		b.Fatal(err)
	}
	defer tgt.Close()
	c, err := tgt.Client(openCtx, targets.ClientOptions{MaxAttempts: 1, MaxConns: clientConns})
	if err != nil {
		b.Fatal(err)
	}
	stream := newStream(b, c, memShards)

	var samples []float64 // VmRSS in MiB, one per memSample
	sample := func() {
		rss, err := procStatusMiB(proc.Process.Pid, "VmRSS")
		if err != nil {
			b.Fatal(err)
		}
		samples = append(samples, rss)
	}
	sample()
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	type outcome struct {
		r   offerResult
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		o := offer{entries: batch(0, memRecords, memSize, memShards), callsPerSec: memRate / memRecords, workers: 4, measure: d}
		r, err := o.run(loadCtx, c, stream)
		done <- outcome{r, err}
	}()
	tick := time.NewTicker(memSample)
	defer tick.Stop()
	b.ResetTimer()
	var res outcome
wait:
	for {
		select {
		case <-tick.C:
			sample()
		case res = <-done:
			break wait
		}
	}
	b.StopTimer()
	if res.err != nil {
		b.Fatal(res.err)
	}
	sample()
	peak, err := procStatusMiB(proc.Process.Pid, "VmHWM")
	if err != nil {
		b.Fatal(err)
	}
	maxRSS := 0.0
	for _, s := range samples {
		maxRSS = max(maxRSS, s)
	}
	capMiB := float64(memShards*min(memShardMaxBytes, memMaxMemory/3/memShards)) / (1 << 20)
	budgetMiB := float64(memMaxMemory) / (1 << 20)
	b.ReportMetric(maxRSS, "max-RSS-MiB")
	b.ReportMetric(samples[len(samples)-1], "end-RSS-MiB")
	b.ReportMetric(peak, "peak-RSS-MiB")
	b.ReportMetric(capMiB, "cap-MiB")
	b.ReportMetric(budgetMiB, "budget-MiB")
	b.ReportMetric(float64(res.r.accepted)/res.r.seconds, "records/s")
	b.Logf("VmRSS every %v (MiB): %s", memSample, fmtSamples(samples))
	b.Logf("%d records accepted in %v (%d calls late); memory budget %.0f MiB, records kept capped at %.1f MiB", res.r.accepted, d, res.r.late, budgetMiB, capMiB)
	if peak > budgetMiB {
		b.Errorf("peak resident size %.1f MiB is over the %.0f MiB budget", peak, budgetMiB)
	}
}

// kbenchBinary returns $KBENCH_BIN, or builds cmd/kbench into a temporary
// directory.
func kbenchBinary(b *testing.B) string {
	if p := os.Getenv(envBin); p != "" {
		return p
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		b.Fatalf("no go tool to build kbench (or set %s): %v", envBin, err)
	}
	bin := filepath.Join(b.TempDir(), "kbench")
	cmd := exec.Command(goTool, "build", "-o", bin, "github.com/kbench/kbench/cmd/kbench")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build kbench: %v\n%s", err, out)
	}
	return bin
}

// startSim starts `kbench sim` on a free loopback port and stops it
// (SIGINT, then SIGKILL) when the benchmark ends.
func startSim(b *testing.B, bin string) (*exec.Cmd, string) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "sim", "--addr", addr, "--quotas", "off",
		"--shard-max-bytes", strconv.Itoa(memShardMaxBytes), "--max-memory", strconv.Itoa(memMaxMemory))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	b.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-waited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-waited
			b.Logf("kbench sim ignored SIGINT; killed. Output:\n%s", out.String())
		}
	})
	return cmd, "http://" + addr
}

// procStatusMiB reads a "kB" field (VmRSS, VmHWM) of /proc/PID/status, in MiB.
func procStatusMiB(pid int, field string) (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/status %s: %w", pid, field, err)
		}
		return kb / 1024, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("/proc/" + strconv.Itoa(pid) + "/status has no " + field)
}

// fmtSamples formats MiB samples as "12 34 56".
func fmtSamples(s []float64) string {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strings.Join(parts, " ")
}
