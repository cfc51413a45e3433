package scenarios

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLatencyProblems(t *testing.T) {
	base := "name: t\nproducers:\n  - generator: payments\n    rate: {profile: constant, rps: 10}\n"
	checkOneProblem(t, []problemRow{
		{"profile with put_delay", base + "target:\n  sim:\n    put_delay: 5ms\n    latency: aws\n", 8, "target.sim.latency", "profile aws cannot be combined with put_delay or propagation_delay"},
		{"missing file", base + "target: {sim: {latency: nope.yaml}}\n", 5, "target.sim.latency", "nope.yaml"},
	})
}

// TestLatencyFileRelativeToScenario checks that a profile file named in a
// scenario is found beside the scenario, whatever the working directory.
func TestLatencyFileRelativeToScenario(t *testing.T) {
	dir := t.TempDir()
	sc := filepath.Join(dir, "s.yaml")
	src := "name: t\ntarget: {sim: {latency: p.yaml}}\nproducers:\n  - generator: payments\n    rate: {profile: constant, rps: 10}\n"
	if err := os.WriteFile(sc, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "p.yaml"), []byte("put: {kind: fixed, value: 5ms}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Load(sc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Target.Sim.Latency, filepath.Join(dir, "p.yaml"); got != want {
		t.Errorf("target.sim.latency = %q, want %q", got, want)
	}
}
