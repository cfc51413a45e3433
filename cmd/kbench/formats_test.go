package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFormatsOnSim runs one producer per record format on the simulator:
// the collectors find every record's envelope, so nothing is lost or
// counted as foreign.
func TestFormatsOnSim(t *testing.T) {
	dir := t.TempDir()
	scenario := filepath.Join(dir, "formats.yaml")
	src := `name: formats
stream: {shards: 2}
duration: 3s
drain: 10s
producers:
  - {generator: payments, options: {format: json}, rate: {profile: constant, rps: 150}}
  - {generator: iot, options: {format: avro}, rate: {profile: constant, rps: 150}}
  - {generator: payments, options: {format: protobuf}, rate: {profile: constant, rps: 150}}
  - {generator: iot, options: {format: csv}, rate: {profile: constant, rps: 150}}
  - {generator: payments, rate: {profile: constant, rps: 150}}
`
	if err := os.WriteFile(scenario, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	code, stdout, stderr := kbench(t, "run", scenario, "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	s := checkAccounting(t, out)
	if f := num(t, s, "totals.foreign"); f != 0 {
		t.Errorf("totals.foreign = %v; want 0: the collectors found every format's envelope", f)
	}
}

// TestReplayOnSim replays the example's exported transactions: looping at
// the scenario's rate, and once through, where the producer stops at the
// file's end with every line sent.
func TestReplayOnSim(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := kbench(t, "run", "../../scenarios/replay.yaml", "--out", dir,
		"--set", "duration=3s", "--set", "warmup=0s", "--set", "thresholds=[]")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	s := checkAccounting(t, dir)
	if p := num(t, s, "totals.produced"); p < 1100 {
		t.Errorf("looping replay produced %v records in 3 s at 400/s; want more than the file's 1,000", p)
	}

	once := filepath.Join(dir, "once")
	code, stdout, stderr = kbench(t, "run", "../../scenarios/replay.yaml", "--out", once,
		"--set", "duration=5s", "--set", "warmup=0s", "--set", "thresholds=[]",
		"--set", "producers[0].options.loop=false", "--set", "producers[0].rate.rps=1000")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	s = checkAccounting(t, once)
	if p := num(t, s, "totals.produced"); p != 1000 {
		t.Errorf("replay once produced %v records; want the file's 1,000", p)
	}
}
