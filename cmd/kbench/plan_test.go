package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/scenarios"
)

// TestPlanFlags checks that every bad workload flag is refused with exit 2
// naming the flag, and that good ones build the scenario they describe.
func TestPlanFlags(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"nothing", nil, "want a scenario file, or a workload on flags"},
		{"both", []string{"scenarios/payments.yaml", "--rate", "100"}, "not both"},
		{"two files", []string{"a.yaml", "b.yaml"}, "want one scenario file"},
		{"zero rate", []string{"--rate", "0"}, "--rate 0"},
		{"negative rate", []string{"--rate", "-5"}, "--rate -5"},
		{"size unit", []string{"--rate", "10", "--record-size", "1XB"}, "--record-size 1XB"},
		{"size under the envelope", []string{"--rate", "10", "--record-size", "10"}, "--record-size 10"},
		{"size over 1 MiB", []string{"--rate", "10", "--record-size", "2MiB"}, "--record-size 2MiB"},
		{"keys kind", []string{"--rate", "10", "--keys", "hashed"}, "--keys hashed"},
		{"zipf skew", []string{"--rate", "10", "--keys", "zipf:0.5"}, "--keys zipf:0.5"},
		{"zipf keys", []string{"--rate", "10", "--keys", "zipf:1.1:0"}, "--keys zipf:1.1:0"},
		{"consumers", []string{"--rate", "10", "--consumers", "21"}, "--consumers 21"},
		{"deadline", []string{"--rate", "10", "--deadline", "-1s"}, "--deadline -1s"},
		{"shards", []string{"--rate", "10", "--shards", "4,0"}, "--shards 4,0"},
		{"headroom", []string{"--rate", "10", "--headroom", "1.5"}, "--headroom 1.5"},
		{"parallel", []string{"--rate", "10", "--parallel", "-1"}, "--parallel -1"},
		{"latency profile", []string{"--rate", "10", "--latency-profile", "no-such-profile.yaml"}, "--latency-profile"},
		{"unknown flag", []string{"--rate", "10", "--bogus"}, "bogus"},
		{"bad set", []string{"--rate", "10", "--set", "stream.shards=x"}, "stream.shards"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "plan")
			code, _, stderr := kbench(t, append(append([]string{"plan"}, tt.args...), "--out", out)...)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitUsage, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr does not name %q:\n%s", tt.want, stderr)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s was written on bad input", out)
			}
		})
	}

	for _, tt := range []struct {
		name      string
		opts      planOpts
		key       string
		bytes     int
		skew      float64
		hot       int
		consumers int
	}{
		{"uniform 1KiB", planOpts{rate: 250000, recordSize: "1KiB", keys: "uniform", consumers: 2}, "random", 1024 - 40, 0, 0, 2},
		{"zipf", planOpts{rate: 10, recordSize: "1KB", keys: "zipf:1.1", consumers: 1}, "zipf", 960, 1.1, 1000, 1},
		{"zipf with keys", planOpts{rate: 10, recordSize: "200B", keys: "zipf:1.5:5000"}, "zipf", 160, 1.5, 5000, 0},
		{"fixed", planOpts{rate: 10, recordSize: "1MB", keys: "fixed"}, "fixed", 1_000_000 - 40, 0, 0, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sc, _, source, err := loadPlan("", &tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			p := sc.Producers[0]
			if source != "flags" || p.PartitionKey != tt.key || p.Rate.Peak() != tt.opts.rate {
				t.Errorf("source %q, key %q, rate %g; want flags, %q, %g", source, p.PartitionKey, p.Rate.Peak(), tt.key, tt.opts.rate)
			}
			if got := p.Options.(interface{ Generator() string }).Generator(); got != "blob" {
				t.Errorf("generator %s, want blob", got)
			}
			if b := sc.Resolved()["producers"].([]any)[0].(map[string]any)["options"].(map[string]any)["bytes"]; b != float64(tt.bytes) && b != tt.bytes {
				t.Errorf("payload bytes %v, want %d", b, tt.bytes)
			}
			if tt.skew > 0 && (p.Keys.Skew != tt.skew || p.Keys.HotKeys != tt.hot) {
				t.Errorf("zipf skew %g over %d keys, want %g over %d", p.Keys.Skew, p.Keys.HotKeys, tt.skew, tt.hot)
			}
			apps, _ := sc.ConsumerApps()
			if apps != tt.consumers {
				t.Errorf("%d consumer applications, want %d", apps, tt.consumers)
			}
		})
	}
}

// planDir runs kbench plan with args into a fresh directory and returns
// the plan it wrote.
func planDir(t *testing.T, args ...string) (*results.Plan, string, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "plan")
	code, stdout, stderr := kbench(t, append(append([]string{"plan"}, args...), "--out", out, "--no-on-demand")...)
	if code != exitOK {
		t.Fatalf("kbench plan exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	p, err := results.ReadPlan(filepath.Join(out, results.PlanFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"plan.md", "plan.html", "plan.png"} {
		if fi, err := os.Stat(filepath.Join(out, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if !strings.Contains(stdout, p.Recommendation) {
		t.Errorf("stdout does not print the recommendation %q:\n%s", p.Recommendation, stdout)
	}
	return p, out, stdout
}

// TestPlanKnownAnswer plans workloads whose answer the quotas give:
// 3,000 records/s of 1 KB under uniform keys need 3 shards on average, and
// the plan recommends 4 because 3 run the hottest shard at its quota; a
// zipf(1.1) key space needs more than the average says; one fixed key
// fits no shard count.
func TestPlanKnownAnswer(t *testing.T) {
	t.Run("uniform", func(t *testing.T) {
		p, _, _ := planDir(t, "--rate", "3000", "--record-size", "1KB", "--consumers", "1", "--deadline", "1s", "--window", "4s")
		if w := p.Workload; w.MinShards != 3 || w.MinShardsRecords != 3 || w.HotUseAtMin <= 0.9 {
			t.Errorf("minimum %d shards (%d for records), hottest at %.3f; want 3, 3 and over 0.9", w.MinShards, w.MinShardsRecords, w.HotUseAtMin)
		}
		if p.Recommended < 0 {
			t.Fatalf("no recommendation: %s", p.Reason)
		}
		rec := p.Layouts[p.Recommended]
		if rec.Shards != 4 || rec.Consumers != "polling" || !rec.Meets || rec.ThrottleRatio >= 0.01 {
			t.Errorf("recommended %+v, want 4 shards, polling, meeting the needs", rec)
		}
		if !strings.Contains(p.Reason, "3 shards would do on average") || !strings.Contains(p.Reason, "hottest shard") {
			t.Errorf("the reason does not say why 3 shards are not enough: %s", p.Reason)
		}
		// The plan's own command runs the recommended layout from the
		// scenario it wrote beside plan.json.
		args := strings.Fields(p.Verify)
		if len(args) < 3 || args[0] != "kbench" || !strings.Contains(p.Verify, "--set stream.shards=4") {
			t.Fatalf("verify command %q", p.Verify)
		}
		out := filepath.Join(t.TempDir(), "run")
		if code, stdout, stderr := kbench(t, append(args[1:], "--out", out)...); code != exitOK {
			t.Errorf("%s: exit %d\n%s\n%s", p.Verify, code, stdout, stderr)
		}
		for _, l := range p.Layouts {
			if l.Shards == 3 && l.Meets {
				t.Errorf("3 shards meet the needs: %+v", l)
			}
			if l.USDPerHour <= 0 || l.USDPerMonth != l.USDPerHour*results.HoursPerMonth || len(l.Cost) == 0 {
				t.Errorf("%s: cost %g/h, %g/month, %d lines", l.Name, l.USDPerHour, l.USDPerMonth, len(l.Cost))
			}
		}
	})
	t.Run("zipf", func(t *testing.T) {
		p, _, _ := planDir(t, "--rate", "3000", "--record-size", "1KB", "--keys", "zipf:1.1", "--consumers", "1", "--window", "4s")
		if p.Recommended < 0 {
			t.Fatalf("no recommendation: %s", p.Reason)
		}
		rec := p.Layouts[p.Recommended]
		if p.Workload.MinShards != 3 || p.Workload.HotUseAtMin <= 1 || rec.Shards <= 4 || rec.HotUse > 0.9 {
			t.Errorf("minimum %d shards with the hottest at %.2f, recommended %d at %.2f; want 3 over 1, and over 4 at most 0.9",
				p.Workload.MinShards, p.Workload.HotUseAtMin, rec.Shards, rec.HotUse)
		}
		if !strings.Contains(p.Reason, "zipf(1.1)") {
			t.Errorf("the reason does not name the key distribution: %s", p.Reason)
		}
	})
	t.Run("producers fitted", func(t *testing.T) {
		// One call of 10 records in flight cannot send 20,000 records/s:
		// the plan adds instances, unless told to keep the fleet.
		slow := []string{"../../scenarios/payments.yaml", "--set", "producers[0].rate.rps=20000", "--set", "producers[0].in_flight=1",
			"--set", "producers[0].batch.max_records=10", "--window", "3s", "--shards", "24"}
		p, _, _ := planDir(t, slow...)
		if len(p.Notes) == 0 || !strings.Contains(strings.Join(p.Notes, " "), "times as many instances") {
			t.Errorf("no note of the producers fitted: %q", p.Notes)
		}
		if p.Recommended < 0 || p.Layouts[p.Recommended].AckedRPS < 0.99*20000 {
			t.Errorf("recommended %d: %s", p.Recommended, p.Reason)
		}
		kept, _, _ := planDir(t, append(slow, "--keep-producers")...)
		if kept.Recommended >= 0 || !strings.Contains(kept.Layouts[0].Miss, "records/s acknowledged") {
			t.Errorf("with the scenario's producers: recommended %d, first layout misses %q", kept.Recommended, kept.Layouts[0].Miss)
		}
	})
	t.Run("fixed key", func(t *testing.T) {
		p, _, _ := planDir(t, "--rate", "3000", "--record-size", "1KB", "--keys", "fixed", "--consumers", "0", "--window", "3s")
		if p.Recommended >= 0 || p.Workload.HotMinShards != 0 {
			t.Errorf("recommended %d, hot minimum %d; want none for one key at 3× a shard's quota", p.Recommended, p.Workload.HotMinShards)
		}
		if !strings.Contains(p.Reason, "one partition key") {
			t.Errorf("the reason does not blame the key: %s", p.Reason)
		}
	})
}

// TestPlanScenarioExits checks the exit codes of kbench plan on scenario
// files: a plan is 0, bad input and what the model refuses are 2.
func TestPlanScenarioExits(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.yaml", `name: small
stream: {shards: 2}
duration: 5s
producers:
  - {generator: iot, rate: {profile: constant, rps: 500}, partition_key: random}
consumers:
  - {name: reader, kind: polling}
thresholds: ["totals.lost == 0"]
`)
	bad := write("bad.yaml", "name: bad\nstream: {shards: 0}\nproducers: []\n")
	refused := write("refused.yaml", strings.Replace(string(must(os.ReadFile(good))), "partition_key: random}", "partition_key: random, ordering: per_key}", 1))
	for _, tt := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"plan", []string{good, "--set", "producers[0].rate.rps=800"}, exitOK, "kbench plan small"},
		{"bad scenario", []string{bad}, exitUsage, "bad.yaml"},
		{"missing file", []string{filepath.Join(dir, "none.yaml")}, exitUsage, "none.yaml"},
		{"refused by the model", []string{refused}, exitUsage, "ordering"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "plan")
			code, stdout, stderr := kbench(t, append([]string{"plan", "--out", out, "--window", "2s"}, tt.args...)...)
			if code != tt.code || !strings.Contains(stdout+stderr, tt.want) {
				t.Fatalf("exit %d (want %d), output without %q:\n%s\n%s", code, tt.code, tt.want, stdout, stderr)
			}
			_, err := os.Stat(out)
			if wrote := err == nil; wrote != (tt.code == exitOK) {
				t.Errorf("exit %d, and %s written: %v", code, out, wrote)
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// FuzzPlanWorkloadFlags checks that any --record-size and --keys either are
// refused or build a scenario that decodes.
func FuzzPlanWorkloadFlags(f *testing.F) {
	for _, s := range [][2]string{{"1KiB", "uniform"}, {"1000", "zipf:1.1"}, {"2MB", "zipf:1.5:10"}, {"40B", "fixed"}, {"1 KB", "zipf:"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, size, keys string) {
		o := planOpts{rate: 100, recordSize: size, keys: keys, consumers: 1}
		data, err := workloadYAML(&o)
		if err != nil {
			return
		}
		if _, err := scenarios.Parse("flags", data, nil); err != nil {
			t.Fatalf("--record-size %q --keys %q built a scenario that does not decode: %v\n%s", size, keys, err, data)
		}
	})
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"stream.shards=4":             "stream.shards=4",
		"producers[0].rate.rps=500":   "'producers[0].rate.rps=500'",
		"name=it's":                   `'name=it'\''s'`,
		"":                            "''",
		"/tmp/plan dir/scenario.yaml": "'/tmp/plan dir/scenario.yaml'",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
