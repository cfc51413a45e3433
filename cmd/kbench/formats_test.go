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
