package latency

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadBuiltIns(t *testing.T) {
	for _, ref := range []string{"", "none"} {
		p, err := Load(ref)
		if err != nil || p.Name != NameNone || !p.IsZero() {
			t.Errorf("Load(%q) = %v, %v", ref, p, err)
		}
	}
	p, err := Load("aws")
	if err != nil || p.Name != NameAWS || p.IsZero() || len(p.Assumptions) == 0 {
		t.Fatalf("Load(aws) = %v, %v", p, err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
}

// TestAWS checks the aws profile against AWS's published averages: enhanced
// fan-out typically about 70 ms; about 200 ms with one polling consumer,
// of which half of a 200 ms poll interval is waiting for the poll.
func TestAWS(t *testing.T) {
	p := AWS()
	near(t, "fan-out mean", p.FanOut.Mean(), 70*ms, 0.02)
	near(t, "polling propagation mean + mean poll wait", p.Propagation.Mean()+100*ms, 200*ms, 0.02)
	for _, d := range []Dist{p.Put, p.Propagation, p.FanOut} {
		if d.Kind() != KindLogNormal || d.Quantile(0.99) < 2*d.Quantile(0.5) {
			t.Errorf("%v: want a log-normal with a tail", d)
		}
	}
	p.Assumptions[0] = "changed"
	if AWS().Assumptions[0] == "changed" {
		t.Error("AWS() shares its assumptions between calls")
	}
}

func TestDecodeFile(t *testing.T) {
	src := `# calibrated
name: eu-west-1
assumptions: ["put measured from one client host"]
put: {kind: lognormal, median: 30ms, p99: 120ms}
propagation:
  kind: fixed
  value: 80ms
fan_out:
  kind: table
  quantiles: {0.5: 60ms, 0: 20ms, 0.99: 190ms, 1: 400ms}
`
	path := filepath.Join(t.TempDir(), "prof.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "eu-west-1" || p.Source != path || len(p.Assumptions) != 1 {
		t.Errorf("name %q source %q assumptions %q", p.Name, p.Source, p.Assumptions)
	}
	if p.Put.Quantile(0.99).Round(ms) != 120*ms || p.Propagation.Quantile(0.7) != 80*ms || p.FanOut.Quantile(0.5) != 60*ms || p.FanOut.Quantile(0) != 20*ms {
		t.Errorf("decoded %v", p)
	}
	// Encode → Decode gives the same distributions back.
	again, err := Decode("again.yaml", Encode(p, "written by a test\nsecond line"))
	if err != nil {
		t.Fatalf("%v\n%s", err, Encode(p, ""))
	}
	if again.String() != p.String() || strings.Join(again.Assumptions, "|") != strings.Join(p.Assumptions, "|") {
		t.Errorf("round trip: %v, want %v", again, p)
	}
	aws := AWS()
	if back, err := Decode("aws.yaml", Encode(aws, "")); err != nil || back.String() != aws.String() {
		t.Errorf("aws round trip: %v, %v", back, err)
	}
}

func TestDecodeNameDefaultsToFile(t *testing.T) {
	p, err := Decode("dir/my-account.yaml", []byte("put: {kind: fixed, value: 5ms}\n"))
	if err != nil || p.Name != "my-account" || p.Put.Quantile(0.5) != 5*time.Millisecond || !p.FanOut.IsZero() {
		t.Errorf("%v, %v", p, err)
	}
}

func TestDecodeProblems(t *testing.T) {
	for _, c := range []struct {
		src  string
		want []string // every line must appear
	}{
		{"put: {kind: lognormal, median: 30ms}\n", []string{"f.yaml:1:6: put.p99: missing"}},
		{"putt: {kind: fixed, value: 1ms}\n", []string{"f.yaml:1:1: putt: unknown field"}},
		{"put: {kind: gauss}\n", []string{`f.yaml:1:13: put.kind: unknown kind "gauss"`}},
		{"put: {kind: fixed, value: 3}\n", []string{`f.yaml:1:27: put.value: want a duration such as 30ms, got "3"`}},
		{"put: {kind: fixed, value: 1ms, median: 2ms}\n", []string{"f.yaml:1:32: put.median: unknown field for kind fixed"}},
		{"put:\n  kind: lognormal\n  median: 50ms\n  p99: 10ms\n", []string{"f.yaml:2:3: put: p99 10ms is below the median 50ms"}},
		{"fan_out:\n  kind: table\n  quantiles: {0.5: 20ms, 1.5: 30ms}\n", []string{"f.yaml:3:26: fan_out.quantiles.1.5: want a quantile"}},
		{"fan_out: {kind: table, quantiles: {0: 20ms, 1: 10ms}}\n", []string{"fan_out: quantile 1: value 10ms is below"}},
		{"propagation: 80ms\n", []string{"f.yaml:1:14: propagation: want a mapping"}},
		{"put: {value: 1ms}\n", []string{"put.kind: missing"}},
		{"name: a\nname: b\n", []string{"f.yaml:2:1: name: set twice"}},
		{"put: {kind: fixed, value: -1ms}\npropagation: {kind: x}\n", []string{"f.yaml:1:27: put.value: -1ms is negative", "f.yaml:2:21: propagation.kind"}},
		{"- a\n", []string{"f.yaml:1:1: want a mapping"}},
		{"", []string{"want one YAML document"}},
		{"put: {kind: [\n", []string{"f.yaml: "}},
	} {
		_, err := Decode("f.yaml", []byte(c.src))
		if err == nil {
			t.Errorf("%q: accepted", c.src)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q: error\n%v\nwant it to contain %q", c.src, err, w)
			}
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte("put: {kind: lognormal, median: 30ms, p99: 120ms}\n"))
	f.Add([]byte("fan_out: {kind: table, quantiles: {0: 1ms, 1: 2ms}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Decode("fuzz.yaml", data)
		if err != nil {
			return
		}
		back, err := Decode("back.yaml", Encode(p, ""))
		if err != nil || back.String() != p.String() {
			t.Fatalf("round trip of %q: %v, %v", data, back, err)
		}
	})
}
