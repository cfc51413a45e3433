package main

// Regression tests of issue 15's run-time items: cleanup when interrupted
// early, the run-time bound, and the bottleneck verdict.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kbench/kbench/sim"
)

// TestInterruptWhileCreatingDeletesStream: Ctrl-C while the stream is still
// CREATING (the simulator keeps it so for 6 s and, as AWS does, refuses to
// delete it meanwhile) must still leave no stream behind: kbench waits,
// bounded, for ACTIVE and then deletes it.
func TestInterruptWhileCreatingDeletesStream(t *testing.T) {
	t.Parallel()
	cfg := sim.DefaultConfig()
	cfg.CreateDelay = 6 * time.Second
	url, stop, err := sim.Start(context.Background(), cfg, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	c := simClient(t, url)
	p := startKbench(t, "run", "../../scenarios/payments.yaml", "--endpoint", url, "--out", t.TempDir(),
		"--set", "duration=60s", "--set", "warmup=0s")
	for end := time.Now().Add(time.Minute); len(streamNames(t, c)) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("no stream created in a minute:\n%s", p.stderr.String())
		}
	}
	began := time.Now()
	if code := p.interrupt(t); code != exitRunFailed {
		t.Fatalf("exit %d, want 3 (interrupted)\nstdout:\n%s\nstderr:\n%s", code, p.stdout.String(), p.stderr.String())
	}
	if took := time.Since(began); took > 20*time.Second {
		t.Errorf("took %v after the interrupt", took)
	}
	if names := streamNames(t, c); len(names) != 0 {
		t.Errorf("streams left after Ctrl-C during CREATING: %v\nstderr:\n%s", names, p.stderr.String())
	}
}

// TestOverloadedRunEndsOnTime: a 10 s run offering 20 times what its one
// shard accepts (AWS quotas: 1,000 records/s) must end within 20 s, the
// duration bounding it whatever the target does, with every record of the
// schedule accounted for and the target named as the bottleneck.
func TestOverloadedRunEndsOnTime(t *testing.T) {
	dir := t.TempDir()
	began := time.Now()
	code, stdout, stderr := kbench(t, "run", "../../scenarios/payments.yaml", "--out", dir,
		"--set", "target.sim.quotas=aws", "--set", "stream.shards=1", "--set", "producers[0].rate.rps=20000",
		"--set", "duration=10s", "--set", "warmup=0s", "--set", "drain=3s", "--set", "thresholds=[]")
	took := time.Since(began)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if took > 20*time.Second {
		t.Errorf("a 10 s run took %v", took)
	}
	s := readSummary(t, dir)
	tot := func(k string) float64 { return num(t, s, "totals."+k) }
	causes, _ := get(t, s, "totals.unsent_by_cause").(map[string]any)
	notGen, _ := causes["not_generated"].(float64)
	t.Logf("%v: scheduled %v = acked %v + failed %v + unsent %v %v; consumed %v, lost %v, unread %v",
		took, tot("scheduled"), tot("acked"), tot("failed"), tot("unsent"), causes, tot("consumed"), tot("lost"), tot("unread"))
	if tot("scheduled") != 200000 {
		t.Errorf("scheduled %v, want 200,000 (20,000/s for 10 s)", tot("scheduled"))
	}
	if tot("acked")+tot("failed")+tot("unsent") != tot("scheduled") || tot("produced")+notGen != tot("scheduled") {
		t.Error("records of the schedule are not accounted for")
	}
	if tot("unsent") == 0 || tot("late") < tot("unsent") {
		t.Errorf("unsent %v, late %v: what the stop cut off must be unsent and late", tot("unsent"), tot("late"))
	}
	if got := tot("acked") - tot("lost") - tot("unread") + tot("failed_delivered"); got != tot("consumed") {
		t.Errorf("acked - lost - unread + failed_delivered = %v, consumed %v", got, tot("consumed"))
	}
	if num(t, s, "target.memory_budget") < 64<<20 {
		t.Error("the in-process simulator's memory budget is not in the summary")
	}
	if k := get(t, s, "bottleneck.kind"); k != "target" {
		t.Errorf("bottleneck.kind = %v, want target (%v)", k, get(t, s, "bottleneck.reason"))
	}
	if !strings.Contains(stderr, "warning: bottleneck target") {
		t.Errorf("the live lines do not warn of the bottleneck:\n%s", stderr)
	}
	if !strings.Contains(stdout, "were never sent") {
		t.Errorf("the summary does not say what was not sent:\n%s", stdout)
	}
}

// TestAmbiguousWritesAreNamed: PutRecords calls held by the simulator for
// longer than the producer's call timeout are counted failed (transport),
// yet the simulator stores their records once the client gives up: the
// summary must count them as failed_delivered, say so, and still reconcile
// consumed = acked - lost - unread + failed_delivered.
func TestAmbiguousWritesAreNamed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, stdout, stderr := kbench(t, "run", "../../scenarios/payments.yaml", "--out", dir,
		"--set", "duration=4s", "--set", "warmup=0s", "--set", "drain=5s", "--set", "thresholds=[]",
		"--set", "producers[0].rate.rps=200", "--set", "producers[0].timeout=200ms",
		"--set", "producers[0].retry.max_attempts=1",
		"--set", "target.sim.stall_after=1500ms", "--set", "target.sim.stall_for=1s")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	s := readSummary(t, dir)
	tot := func(k string) float64 { return num(t, s, "totals."+k) }
	t.Logf("acked %v, failed %v, unsent %v, consumed %v, lost %v, unread %v, failed_delivered %v",
		tot("acked"), tot("failed"), tot("unsent"), tot("consumed"), tot("lost"), tot("unread"), tot("failed_delivered"))
	if num(t, s, "totals.failed_by_reason.transport") == 0 {
		t.Fatal("no call timed out: the test does not test anything")
	}
	if tot("failed_delivered") == 0 || tot("failed_delivered") > tot("failed")+tot("unsent") {
		t.Errorf("failed_delivered %v, want 1..%v", tot("failed_delivered"), tot("failed")+tot("unsent"))
	}
	if got := tot("acked") - tot("lost") - tot("unread") + tot("failed_delivered"); got != tot("consumed") {
		t.Errorf("acked - lost - unread + failed_delivered = %v, consumed %v", got, tot("consumed"))
	}
	if !strings.Contains(stdout, "failed_delivered") {
		t.Errorf("the notes do not name the ambiguous writes:\n%s", stdout)
	}
}

// TestInterruptCountsUnreadNotLost: records acknowledged but not yet read
// when Ctrl-C stops a run are unread, not lost: lost stays 0.
func TestInterruptCountsUnreadNotLost(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// Reads lag 2 s behind writes, so the interrupt finds records unread.
	p := startKbench(t, "run", "../../scenarios/payments.yaml", "--out", dir,
		"--set", "duration=60s", "--set", "warmup=0s", "--set", "target.sim.propagation_delay=2s")
	p.waitFor(t, "producer instance(s)")
	time.Sleep(2 * time.Second)
	if code := p.interrupt(t); code != exitRunFailed {
		t.Fatalf("exit %d, want 3\nstdout:\n%s\nstderr:\n%s", code, p.stdout.String(), p.stderr.String())
	}
	s := readSummary(t, dir)
	tot := func(k string) float64 { return num(t, s, "totals."+k) }
	if tot("lost") != 0 || tot("unread") == 0 {
		t.Errorf("lost %v, unread %v: records not read by the interrupt are unread, not lost", tot("lost"), tot("unread"))
	}
	if got := tot("acked") - tot("lost") - tot("unread") + tot("failed_delivered"); got != tot("consumed") {
		t.Errorf("acked - lost - unread + failed_delivered = %v, consumed %v", got, tot("consumed"))
	}
}

// TestDrainEndsWhileReadingCountsUnread: when the drain ends while the
// consumer is still reading (records reach it 2.5 s after they are
// acknowledged, the drain is 1 s), what it has not read yet is unread, not
// lost.
func TestDrainEndsWhileReadingCountsUnread(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, stdout, stderr := kbench(t, "run", "../../scenarios/payments.yaml", "--out", dir,
		"--set", "duration=3s", "--set", "warmup=0s", "--set", "drain=1s", "--set", "thresholds=[]",
		"--set", "target.sim.propagation_delay=2500ms")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	s := readSummary(t, dir)
	tot := func(k string) float64 { return num(t, s, "totals."+k) }
	if tot("lost") != 0 || tot("unread") == 0 {
		t.Errorf("lost %v, unread %v: records the consumer had not reached yet are unread, not lost", tot("lost"), tot("unread"))
	}
	if got := tot("acked") - tot("lost") - tot("unread") + tot("failed_delivered"); got != tot("consumed") {
		t.Errorf("acked - lost - unread + failed_delivered = %v, consumed %v", got, tot("consumed"))
	}
}

// TestFrozenTargetEndsOnTime: a target that stops answering two seconds
// into a 5 s run (every data-plane request held for a minute) must not hold
// the run: it ends within duration + drain + a few seconds, names the target
// as the bottleneck, and counts what was acknowledged but never read as
// unread (the consumer's reads were frozen too), not lost.
func TestFrozenTargetEndsOnTime(t *testing.T) {
	dir := t.TempDir()
	began := time.Now()
	code, stdout, stderr := kbench(t, "run", "../../scenarios/payments.yaml", "--out", dir,
		"--set", "duration=5s", "--set", "warmup=0s", "--set", "drain=2s", "--set", "thresholds=[]",
		"--set", "target.sim.stall_after=2s", "--set", "target.sim.stall_for=60s")
	took := time.Since(began)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if took > 15*time.Second {
		t.Errorf("a 5 s run against a frozen target took %v", took)
	}
	s := readSummary(t, dir)
	tot := func(k string) float64 { return num(t, s, "totals."+k) }
	if k := get(t, s, "bottleneck.kind"); k != "target" {
		t.Errorf("bottleneck.kind = %v, want target (%v)", k, get(t, s, "bottleneck.reason"))
	}
	if tot("lost") != 0 {
		t.Errorf("lost %v, unread %v: the consumer never read past those records", tot("lost"), tot("unread"))
	}
	if tot("acked")+tot("failed")+tot("unsent") != tot("scheduled") || tot("scheduled") != 5000 {
		t.Errorf("scheduled %v != acked %v + failed %v + unsent %v", tot("scheduled"), tot("acked"), tot("failed"), tot("unsent"))
	}
}

// TestTrimmedRecordsAreLost: records the consumer reads past are still lost.
// One shard keeps 1 MiB of 12.8 KB frames arriving at 2 MiB/s while the
// consumer polls every 3 s: most are trimmed before it reads them.
func TestTrimmedRecordsAreLost(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, stdout, stderr := kbench(t, "run", "../../scenarios/acoustic.yaml", "--out", dir,
		"--set", "duration=5s", "--set", "warmup=0s", "--set", "drain=5s", "--set", "thresholds=[]",
		"--set", "stream.shards=1", "--set", "target.sim.quotas=off", "--set", "producers[0].rate.rps=160",
		"--set", "target.sim.shard_max_bytes=1048576",
		"--set", "consumers=[{name: slow, kind: polling, poll_interval: 3s}]")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	s := readSummary(t, dir)
	tot := func(k string) float64 { return num(t, s, "totals."+k) }
	if tot("lost") == 0 || tot("unread") != 0 || tot("lost") != tot("acked")-tot("consumed") {
		t.Errorf("acked %v, consumed %v, lost %v, unread %v: trimmed records were read past, so lost",
			tot("acked"), tot("consumed"), tot("lost"), tot("unread"))
	}
}
