package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/kbench/kbench/gate"
	"github.com/kbench/kbench/internal/outdir"
	"github.com/kbench/kbench/reports"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/sim"
	"github.com/kbench/kbench/targets"
)

// quickRun is a 2-second run of the default scenario on the simulator; it
// returns the exit code and standard error.
func quickRun(t *testing.T, out string, extra ...string) (int, string) {
	t.Helper()
	args := append([]string{"run", "../../scenarios/default.yaml", "--out", out, "--quiet",
		"--set", "duration=2s", "--set", "warmup=0s", "--set", "drain=2s", "--set", "thresholds=[]"}, extra...)
	code, _, stderr := kbench(t, args...)
	return code, stderr
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestOutReplacedWhole: reusing --out replaces the earlier result whole, a
// failed run (exit 3) included, so runs are never mixed; a run refused as
// bad input (exit 2) leaves the earlier result alone.
func TestOutReplacedWhole(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "out")
	if code, stderr := quickRun(t, out); code != exitOK {
		t.Fatalf("first run: exit %d\n%s", code, stderr)
	}
	if !exists(filepath.Join(out, outdir.Marker)) {
		t.Errorf("no %s marker in the results", outdir.Marker)
	}
	// A repeat run into the same directory: no stale top-level summary.json
	// beside the repeats, so compare and report read only the new runs.
	if code, stderr := quickRun(t, out, "--repeat", "2"); code != exitOK {
		t.Fatalf("repeat run: exit %d\n%s", code, stderr)
	}
	if exists(filepath.Join(out, results.SummaryFile)) || exists(filepath.Join(out, reports.HTMLFile)) {
		t.Error("the first run's summary.json or report.html is still beside the repeats")
	}
	if set, err := results.LoadRunSet(out); err != nil || len(set.Runs) != 2 {
		t.Fatalf("LoadRunSet: %v, want the 2 new repeats", err)
	}
	// A run that fails (every put refused: exit 3) still replaces them with
	// what it measured.
	if code, stderr := quickRun(t, out, "--set", "target.sim.error_rate=1"); code != exitRunFailed {
		t.Fatalf("failing run: exit %d, want 3\n%s", code, stderr)
	}
	if exists(filepath.Join(out, results.RepeatPrefix+"1")) {
		t.Error("the repeats are still beside the failed run's results")
	}
	s := readSummary(t, out)
	if errs, _ := s["errors"].([]any); len(errs) == 0 || get(t, s, "verdict") != "fail" {
		t.Errorf("the failed run's summary: errors %v, verdict %v", s["errors"], s["verdict"])
	}
	before, err := os.ReadFile(filepath.Join(out, results.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	// Bad input writes nothing and leaves the results as they were.
	if code, stderr := quickRun(t, out, "--set", "stream.shards=0"); code != exitUsage {
		t.Fatalf("bad input: exit %d, want 2\n%s", code, stderr)
	}
	after, _ := os.ReadFile(filepath.Join(out, results.SummaryFile))
	if string(before) != string(after) {
		t.Error("a run refused as bad input changed the earlier results")
	}
	if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 1 {
		t.Errorf("left beside the results: %v", entries)
	}
}

// TestOutRefusesForeignDir: a non-empty directory that holds no kbench
// results is refused before anything starts, unless --force.
func TestOutRefusesForeignDir(t *testing.T) {
	home := t.TempDir()
	precious := filepath.Join(home, "thesis.tex")
	if err := os.WriteFile(precious, []byte("years of work"), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	code, stderr := quickRun(t, home)
	if code != exitUsage || !strings.Contains(stderr, "holds no kbench results") || !strings.Contains(stderr, "--force") {
		t.Fatalf("exit %d, want 2 naming --force\n%s", code, stderr)
	}
	if time.Since(start) > 2*time.Second || !exists(precious) {
		t.Errorf("refusal took %v; thesis kept: %v", time.Since(start), exists(precious))
	}
	if code, stderr := quickRun(t, home, "--force"); code != exitOK {
		t.Fatalf("--force: exit %d\n%s", code, stderr)
	}
	if exists(precious) || !exists(filepath.Join(home, results.SummaryFile)) {
		t.Error("--force did not replace the directory with the results")
	}
}

// TestBadSettingsFoundFirst: an unwritable --out and a malformed --endpoint
// are exit 2 at once, before the target is asked for anything.
func TestBadSettingsFoundFirst(t *testing.T) {
	url := startSim(t)
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unwritable --out", []string{"--endpoint", url, "--out", filepath.Join(file, "out")}, "--out"},
		{"--out is a file", []string{"--endpoint", url, "--out", file}, "is a file"},
		{"--endpoint not a URL", []string{"--endpoint", "not-a-url", "--out", filepath.Join(t.TempDir(), "o")}, `--endpoint "not-a-url" must be an http:// or https:// URL`},
		{"--region", []string{"--region", "US East", "--out", filepath.Join(t.TempDir(), "o")}, `--region "US East" is not a region name`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			code, _, stderr := kbench(t, append([]string{"run", "../../scenarios/default.yaml"}, c.args...)...)
			if code != exitUsage || !strings.Contains(stderr, c.want) {
				t.Fatalf("exit %d, want 2 naming %q\n%s", code, c.want, stderr)
			}
			if took := time.Since(start); took > time.Second {
				t.Errorf("took %v to refuse", took)
			}
		})
	}
	tgt, err := targets.Open(t.Context(), targets.Spec{Kind: targets.KindEndpoint, Endpoint: url})
	if err != nil {
		t.Fatal(err)
	}
	c, err := tgt.Client(t.Context(), targets.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if names := streamNamesOf(t, c); len(names) != 0 {
		t.Errorf("a refused run created streams %v", names)
	}
	code, _, stderr := kbench(t, "cleanup", "--target", "sim", "--endpoint", "not-a-url")
	if code != exitUsage || !strings.Contains(stderr, "must be an http://") {
		t.Errorf("cleanup --endpoint not-a-url: exit %d\n%s", code, stderr)
	}
}

func streamNamesOf(t *testing.T, c *kinesis.Client) []string {
	t.Helper()
	out, err := c.ListStreams(t.Context(), &kinesis.ListStreamsInput{})
	if err != nil {
		t.Fatal(err)
	}
	return out.StreamNames
}

// childArgs, in the environment, makes the test binary run kbench with
// these arguments (a JSON list) instead of the tests; childFileSize limits
// the size of the files it may write.
const (
	childArgs     = "KBENCH_TEST_CHILD_ARGS"
	childFileSize = "KBENCH_TEST_CHILD_FSIZE"
)

func TestMain(m *testing.M) {
	if args := os.Getenv(childArgs); args != "" {
		if n, err := strconv.ParseUint(os.Getenv(childFileSize), 10, 64); err == nil {
			lim := syscall.Rlimit{Cur: n, Max: n}
			if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
				fmt.Fprintln(os.Stderr, "setrlimit:", err)
				os.Exit(99)
			}
		}
		var list []string
		if err := json.Unmarshal([]byte(args), &list); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(99)
		}
		os.Exit(run(list, os.Stdout, os.Stderr))
	}
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		flag.Set("test.parallel", strconv.Itoa(parallelTests))
	}
	os.Exit(m.Run())
}

// parallelTests is how many of the tests marked t.Parallel run at once
// unless -test.parallel says otherwise (its default is the number of
// cores). They run scenarios in real time and spend most of it waiting:
// run one after another, the package's tests kept under a fifth of one
// core busy (docs/performance.md#test-time). Tests that measure latency,
// throughput, run time or the bottleneck verdict, send the process a
// signal, or change its environment or package variables do not call
// t.Parallel: Go runs them one at a time, before the parallel ones start.
const parallelTests = 4

// workerProc is kbench running in a child process (the test binary, which
// TestMain turns into kbench): a worker of a distributed run, or a run the
// test interrupts, whose signal then reaches that process alone. A
// goroutine waits for it from the start: wait for its end with wait or
// exitCode, never cmd.Wait.
type workerProc struct {
	cmd            *exec.Cmd
	stdout, stderr syncBuffer
	done           chan struct{} // closed once the child has ended
	err            error         // cmd.Wait's, once done is closed
}

// startKbench starts kbench with args in a child process; the test's
// cleanup kills it if it is still running.
func startKbench(t *testing.T, args ...string) *workerProc {
	t.Helper()
	return startKbenchEnv(t, nil, args...)
}

// startKbenchEnv is startKbench with env (KEY=value) added to the child's
// environment.
func startKbenchEnv(t *testing.T, env []string, args ...string) *workerProc {
	t.Helper()
	list, _ := json.Marshal(args)
	p := &workerProc{cmd: exec.Command(os.Args[0], "-test.run=^$"), done: make(chan struct{})}
	p.cmd.Env = append(append(os.Environ(), env...), childArgs+"="+string(list))
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// wait waits for the child to end and returns cmd.Wait's error.
func (p *workerProc) wait() error {
	<-p.done
	return p.err
}

// exitCode waits for the child to end and returns its exit code (-1 if a
// signal ended it).
func (p *workerProc) exitCode() int {
	<-p.done
	return p.cmd.ProcessState.ExitCode()
}

// waitFor waits up to a minute for want in the child's standard error.
func (p *workerProc) waitFor(t *testing.T, want string) {
	t.Helper()
	for end := time.Now().Add(time.Minute); !strings.Contains(p.stderr.String(), want); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("no %q from kbench in a minute:\n%s", want, p.stderr.String())
		}
	}
}

// interrupt sends the child SIGINT, as Ctrl-C would, and returns its exit
// code once it has ended.
func (p *workerProc) interrupt(t *testing.T) int {
	t.Helper()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	return p.exitCode()
}

// kbenchLimited runs kbench in a child process that cannot write a file
// past n bytes (EFBIG): a writer that fails, without filling a disk. Go
// ignores the SIGXFSZ that comes with it.
func kbenchLimited(t *testing.T, n uint64, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	list, _ := json.Marshal(args)
	cmd.Env = append(os.Environ(), childArgs+"="+string(list), childFileSize+"="+strconv.FormatUint(n, 10))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), stderr.String()
}

// TestOutputWriteFailureExits3: results that cannot all be written fail the
// command with exit 3, even when the run itself passed. Files over 32 KiB
// fail to write: summary.json fits, report.html and the plots do not.
func TestOutputWriteFailureExits3(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	if code, stderr := quickRun(t, out); code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	base := filepath.Join(dir, "base")
	if code, stderr := quickRun(t, base); code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	t.Run("run", func(t *testing.T) {
		out := filepath.Join(dir, "limited")
		code, stderr := kbenchLimited(t, 32<<10, "run", "../../scenarios/default.yaml", "--out", out, "--quiet",
			"--set", "duration=2s", "--set", "warmup=0s", "--set", "drain=2s", "--set", "thresholds=[]")
		if code != exitRunFailed || !strings.Contains(stderr, "writing the results failed") {
			t.Fatalf("exit %d, want 3 naming the write failure\n%s", code, stderr)
		}
		if !exists(filepath.Join(out, results.SummaryFile)) {
			t.Error("the summary that could be written was not kept")
		}
	})
	t.Run("report", func(t *testing.T) {
		code, stderr := kbenchLimited(t, 32<<10, "report", out)
		if code != exitRunFailed {
			t.Fatalf("exit %d, want 3\n%s", code, stderr)
		}
		code, stderr = kbenchLimited(t, 32<<10, "report", out, base, "--out", filepath.Join(dir, "cmp"))
		if code != exitRunFailed || exists(filepath.Join(dir, "cmp")) {
			t.Fatalf("comparison: exit %d, want 3 and no half-written directory\n%s", code, stderr)
		}
	})
	t.Run("compare", func(t *testing.T) {
		junit := filepath.Join(dir, "gate.junit.xml")
		if err := os.MkdirAll(filepath.Join(junit, "x"), 0o755); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := kbench(t, "compare", base, out, "--junit", junit)
		if code != exitRunFailed {
			t.Fatalf("exit %d, want 3\n%s", code, stderr)
		}
	})
}

// TestCompareOutReplaced: compare --out into a directory of its own
// replaces an earlier gate there whole, and refuses someone else's.
func TestCompareOutReplaced(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, d := range []string{a, b} {
		if code, stderr := quickRun(t, d); code != exitOK {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
	}
	gdir := filepath.Join(dir, "gate")
	if err := os.MkdirAll(gdir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(gdir, "notes.txt"), []byte("mine"), 0o644)
	if code, _, stderr := kbench(t, "compare", a, b, "--out", gdir, "--fail-on", "totals.lost > 0"); code != exitUsage {
		t.Fatalf("foreign --out: exit %d, want 2\n%s", code, stderr)
	}
	os.Remove(filepath.Join(gdir, "notes.txt"))
	for range 2 {
		if code, _, stderr := kbench(t, "compare", a, b, "--out", gdir, "--fail-on", "totals.lost > 0"); code != exitOK {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
	}
	entries, _ := os.ReadDir(gdir)
	if len(entries) != 3 || !exists(filepath.Join(gdir, gate.JUnitFile)) || !exists(filepath.Join(gdir, outdir.Marker)) {
		t.Errorf("gate directory holds %v", entries)
	}
	if code, _, stderr := kbench(t, "report", a, b, "--out", a); code != exitUsage {
		t.Errorf("report --out onto its own input: exit %d, want 2\n%s", code, stderr)
	}
}

// TestCleanupAuthFailure: against a simulator that requires credentials,
// refused credentials are named as an authentication problem at once, not
// as an unreachable endpoint after the readiness timeout; the log line
// naming a running endpoint reads as a sentence.
func TestCleanupAuthFailure(t *testing.T) {
	url, _ := authSim(t, testAccessKey)
	start := time.Now()
	code, _, stderr := kbench(t, "cleanup", "--target", "sim", "--endpoint", url, "--yes")
	if code != exitRunFailed || !strings.Contains(stderr, "authentication failed") || strings.Contains(stderr, "unreachable") ||
		!strings.Contains(stderr, "--require-auth") {
		t.Errorf("exit %d, want 3 naming an authentication failure and what to do\n%s", code, stderr)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("took %v: the answer was waited out as if nothing answered", took)
	}
	code, _, stderr = kbench(t, "cleanup", "--target", "sim", "--endpoint", startSim(t), "--yes")
	if code != exitOK || !strings.Contains(stderr, "endpoint at http://") || strings.Contains(stderr, "endpoint endpoint") {
		t.Errorf("exit %d; want the log line \"endpoint at URL answers\"\n%s", code, stderr)
	}
}

// startSim starts a simulator without authentication and returns its URL.
func startSim(t *testing.T) string {
	t.Helper()
	url, stop, err := sim.Start(context.Background(), sim.DefaultConfig(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return url
}
