package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbench/kbench/latency"
	"github.com/kbench/kbench/model"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/scenarios"
)

// The model validation suite runs each scenario on the simulator (real
// HTTP, the real SDK) and on the model target with the same settings and
// the put latency the simulator run measured, and
// holds the model to what the simulator measured (issue 11): acked rate
// within 5% (relative), throttle ratio within 0.05 (absolute), e2e p50
// and p99 within 15%. make test runs the short cases; `go test -tags long`
// (make test-long) runs every case with longer durations. With
// KBENCH_VALIDATION_TABLE set to a file, the table is appended to it in
// Markdown (docs/model.md holds one).

// A case outside its bounds runs on the simulator a second time before it
// fails: the simulator's latencies include the machine's own noise (on a
// loaded 2-core machine, about 10 ms at p50 and up to 50 ms at p99), which
// the model does not predict.

// validationCase is one scenario of the suite.
type validationCase struct {
	name string
	file string
	sets []string
	long bool // only in the long suite
	// apps says several polling applications share each shard's read
	// quota. Which of them the throttling starves varies from run to run,
	// on the simulator as on the model, so the case compares the slowest
	// application's e2e (what kbench plan reports), not the first's.
	apps bool
	// chaotic, when set, says why the case's e2e is logged but not judged:
	// the simulator does not reproduce its own figures within the bound.
	chaotic string
}

var validationCases = []validationCase{
	// Short runs of the most throttled cell (one shard) put the model's
	// e2e p50 about 10% under the simulator's (both settle within 1% at
	// 40 s): it runs in the long suite only.
	{name: "shards=1", file: "shards.yaml", sets: []string{"stream.shards=1"}, long: true},
	{name: "shards=2", file: "shards.yaml", sets: []string{"stream.shards=2"}},
	{name: "shards=4", file: "shards.yaml", sets: []string{"stream.shards=4"}},
	{name: "shards=8", file: "shards.yaml", sets: []string{"stream.shards=8"}, long: true},
	{name: "hot key", file: "hotkey.yaml"},
	{name: "reshard", file: "reshard.yaml"},
	{name: "ramp", file: "ramp.yaml"},
	{name: "fan-out", file: "fanout.yaml", long: true},
	{name: "slow processing", file: "slow.yaml", long: true},
	// KPL aggregation: 3,000 IoT readings/s through one shard in about 15
	// Kinesis records/s, nothing throttled.
	{name: "aggregation", file: "aggregation.yaml"},
	// 6,000 readings/s: 1.5 MiB/s before compression, past the shard's
	// byte quota; zstd brings it to about a third of it.
	{name: "aggregation+zstd", file: "aggregation.yaml", sets: []string{"producers[0].rate.rps=6000", "producers[0].compression.codec=zstd"}},
	// The same without compression: the byte quota binds and throttles.
	{name: "aggregation bytes-bound", file: "aggregation.yaml", sets: []string{"producers[0].rate.rps=6000"}, long: true},
	// Polling applications contending for a shard's 5 GetRecords calls/s:
	// 2 polling every 300 ms on 2 shards (6.7 calls/s a shard), 3 every
	// 500 ms on 1 shard (6/s). Without the throttled one the others call
	// at most 4 times a second, so a throttled reader backs off a second
	// and finds the token they left: its e2e p99 is that second, its p50
	// how often it happens.
	{name: "2 apps contend", file: "contend.yaml", apps: true,
		sets: []string{"stream.shards=2", "consumers[0].count=2", "consumers[0].poll_interval=300ms"}},
	{name: "3 apps contend", file: "contend.yaml", apps: true, long: true,
		sets: []string{"stream.shards=1", "producers[0].rate.rps=500", "consumers[0].poll_interval=500ms"}},
	// Five applications over 5 calls/s cannot contend mildly: without one
	// the others call over 4 times a second (5 every 800 ms on 4 shards,
	// 6.25/s), the throttled reader often finds no token and backs off
	// again. So do 3 applications every 250 ms on a shard (12 calls/s):
	// which application starves, and for how long, is chance.
	{name: "5 apps contend", file: "contend.yaml", apps: true, long: true,
		sets:    []string{"stream.shards=4", "producers[0].rate.rps=2000", "consumers[0].count=5", "consumers[0].poll_interval=800ms"},
		chaotic: "two 40 s simulator runs put the slowest application's e2e p50 at 538 and 1,755 ms, p99 at 13,640 and 25,032 ms"},
	{name: "3 apps × 250 ms", file: "contend.yaml", apps: true, long: true,
		sets:    []string{"stream.shards=1", "producers[0].rate.rps=500"},
		chaotic: "three 12 s simulator runs put the slowest application's e2e p50 at 3,804, 3,838 and 859 ms, p99 at 8,217, 8,250 and 3,869 ms"},
	// 3 applications polling every second a shard written at 0.9 MiB/s:
	// the shard's 2 MiB/s of reads bind, and the reader that finds them
	// spent backs off.
	{name: "read bytes bind", file: "contend-bytes.yaml", apps: true, long: true,
		chaotic: "two 12 s simulator runs put the slowest application's e2e p50 at 1,945 and 6,648 ms, p99 at 8,531 and 11,056 ms"},
	// Many shards, where the model takes a step of 10 ms (64 shards) to
	// 50 ms (256) and records each cohort at fewer points: 6,400 and
	// 12,800 records/s polled once a second, 3,200 and 12,800 pushed by
	// fan-out. On 256 shards the in-process simulator needs a quiet
	// machine (see docs/model.md).
	{name: "shards=64", file: "many.yaml", sets: []string{"stream.shards=64", "producers[0].rate.rps=6400"}},
	{name: "shards=256", file: "many.yaml", sets: []string{"stream.shards=256", "producers[0].rate.rps=12800"}, long: true},
	{name: "fan-out shards=64", file: "many-fanout.yaml", sets: []string{"stream.shards=64", "producers[0].rate.rps=3200"}, long: true},
	{name: "fan-out shards=256", file: "many-fanout.yaml", sets: []string{"stream.shards=256", "producers[0].rate.rps=12800"}, long: true},
}

// Bounds of the model against the simulator.
const (
	boundAcked    = 0.05
	boundThrottle = 0.05
	boundE2E      = 0.15
)

func TestModelValidation(t *testing.T) {
	var table []string
	for _, c := range validationCases {
		if c.long && !longSuite {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			sim := runValidation(t, c)
			mod := runModelLike(t, c, sim)
			row, problems := compareRuns(c, sim, mod)
			if len(problems) > 0 {
				// The simulator's run is a measurement on a shared machine:
				// its latency tail moves with the machine's load (the
				// model's does not). Measure once more before judging.
				t.Logf("%s, first sim run: %s: %s; running the sim again", c.name, row, strings.Join(problems, "; "))
				sim = runValidation(t, c)
				mod = runModelLike(t, c, sim)
				row, problems = compareRuns(c, sim, mod)
			}
			if why := disturbed(sim, mod); why != "" && len(problems) > 0 {
				t.Skipf("%s: %s; not judged: %s", c.name, row, why)
			}
			table = append(table, fmt.Sprintf("| %s | %s |", c.name, row))
			t.Logf("%s: %s", c.name, row)
			if c.chaotic != "" {
				t.Logf("%s: e2e not judged: %s", c.name, c.chaotic)
			}
			if b := sim.Bottleneck; b != nil {
				t.Logf("sim: bottleneck %s (%s), cpu %.2f, schedule lag %.0f ms, put p99 %.1f ms, lateness p99 %.1f ms",
					b.Kind, b.Reason, b.CPURatio, b.ScheduleLagMS, sim.Latency["put"].P99, sim.Latency["lateness"].P99)
			}
			for _, p := range problems {
				t.Error(p)
			}
		})
	}
	if path := os.Getenv("KBENCH_VALIDATION_TABLE"); path != "" && len(table) > 0 {
		head := "| scenario | acked/s sim | model | throttle sim | model | e2e p50 sim | model | e2e p99 sim | model | read throttle sim | model |\n" +
			"|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
		if err := os.WriteFile(path, []byte(head+strings.Join(table, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// disturbedPut is how far above its configured delay the simulator's put
// latency p99 may go before the run counts as disturbed by the machine: on
// a quiet machine it stays within a few tens of milliseconds.
const disturbedPut = 50.0

// disturbedLate is how much later than the model's (which is the batching
// alone) the simulator's producer may send its records at p99, when
// nothing throttles it, before the run counts as disturbed: on a quiet
// machine its timers are late by a millisecond or two.
const disturbedLate = 10.0

// disturbed says why a simulator run is no measurement to hold the model
// to — the machine starved it: kbench itself was the bottleneck, its
// in-process endpoint answered PutRecords far slower than configured, or
// (unthrottled) its producer sent records well after their batches were
// due — or "" when it is one.
func disturbed(sim, mod *results.Summary) string {
	if b := sim.Bottleneck; b != nil && b.Kind == results.BottleneckGenerator {
		return "kbench itself was the bottleneck of the simulator run: " + b.Reason
	}
	if sl, ml := sim.Latency["lateness"].P99, mod.Latency["lateness"].P99; sim.ThrottleRatio == 0 && sl > ml+disturbedLate {
		return fmt.Sprintf("the machine delayed the simulator run's sends: lateness p99 %.0f ms where the batching alone gives %.0f ms", sl, ml)
	}
	delay := 0.0
	if d, ok := sim.Scenario["target"].(map[string]any); ok {
		if simCfg, ok := d["sim"].(map[string]any); ok {
			if v, ok := simCfg["put_delay"].(string); ok {
				if d, err := time.ParseDuration(v); err == nil {
					delay = float64(d) / 1e6
				}
			}
		}
	}
	if p99 := sim.Latency["put"].P99; p99 > delay+disturbedPut {
		return fmt.Sprintf("the machine slowed the simulator: its PutRecords p99 was %.0f ms with %.0f ms configured", p99, delay)
	}
	return ""
}

// caseSets are the --set overrides of case c.
func caseSets(c validationCase) []string {
	sets := append([]string(nil), c.sets...)
	if longSuite {
		sets = append(sets, "duration=40s", "warmup=5s")
	}
	return sets
}

func casePath(c validationCase) string { return filepath.Join("testdata", "validation", c.file) }

// runValidation runs case c on the simulator, through the CLI as a user
// would, and returns its summary.
func runValidation(t *testing.T, c validationCase) *results.Summary {
	t.Helper()
	dir := t.TempDir()
	args := []string{"run", casePath(c), "--target", "sim", "--out", dir, "--quiet"}
	for _, s := range caseSets(c) {
		args = append(args, "--set", s)
	}
	code, stdout, stderr := kbench(t, args...)
	if code != exitOK && code != exitFailed {
		t.Fatalf("%s on the sim: exit %d\nstdout:\n%s\nstderr:\n%s", c.name, code, stdout, stderr)
	}
	s, err := results.ReadSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// runModelLike runs case c on the model with the latency the simulator
// run had: its PutRecords calls as it measured them (on a shared machine
// they take longer than the profile's put: the HTTP round trip, the SDK,
// the machine's load), and the scenario's propagation (its latency
// profile's, or the fixed propagation_delay).
func runModelLike(t *testing.T, c validationCase, sim *results.Summary) *results.Summary {
	t.Helper()
	sc, err := scenarios.Load(casePath(c), append(caseSets(c), "target.kind=model"))
	if err != nil {
		t.Fatal(err)
	}
	put := sim.Latency["put"]
	ms := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	points := []latency.Point{{Q: 0, Value: 0}, {Q: 0.5, Value: ms(put.P50)}, {Q: 0.9, Value: ms(put.P90)},
		{Q: 0.99, Value: ms(put.P99)}, {Q: 0.999, Value: ms(put.P999)}, {Q: 1, Value: ms(put.Max)}}
	for i := 1; i < len(points); i++ { // a histogram's percentiles may repeat
		points[i].Value = max(points[i].Value, points[i-1].Value)
	}
	putDist, err := latency.Table(points)
	if err != nil {
		t.Fatal(err)
	}
	// The rest is the scenario's: its profile, or its fixed propagation.
	prof := &latency.Profile{Name: "measured put"}
	if ref := sc.Target.Sim.Latency; ref != "" {
		named, err := latency.Load(ref)
		if err != nil {
			t.Fatal(err)
		}
		prof.Name += " + " + named.Name
		prof.Propagation, prof.FanOut = named.Propagation, named.FanOut
	} else if prof.Propagation, err = latency.Fixed(sc.Target.Sim.PropagationDelay); err != nil {
		t.Fatal(err)
	} else {
		prof.FanOut = prof.Propagation
	}
	prof.Put = putDist
	res, err := model.Run(context.Background(), sc, model.Options{Profile: prof, NoIntervals: true})
	if err != nil {
		t.Fatal(err)
	}
	return res.Summary
}

// compareRuns returns the table row of the simulator's and the model's
// figures and a problem for each outside its bound.
func compareRuns(c validationCase, sim, mod *results.Summary) (string, []string) {
	var probs []string
	rel := func(what string, want, got, bound float64) {
		if want == 0 && got == 0 {
			return
		}
		if d := math.Abs(got-want) / math.Max(math.Abs(want), 1e-9); d > bound {
			probs = append(probs, fmt.Sprintf("%s: model %.4g, sim %.4g: %.1f%% apart, bound %.0f%%", what, got, want, 100*d, 100*bound))
		}
	}
	abs := func(what string, want, got, bound float64) {
		if d := math.Abs(want - got); d > bound {
			probs = append(probs, fmt.Sprintf("%s: model %.3f, sim %.3f: %.3f apart, bound %.2f", what, got, want, d, bound))
		}
	}
	rel("acked rate", sim.Throughput.AckedRPS, mod.Throughput.AckedRPS, boundAcked)
	abs("throttle ratio", sim.ThrottleRatio, mod.ThrottleRatio, boundThrottle)
	sr, mr := readThrottleRatio(sim), readThrottleRatio(mod)
	abs("read throttle ratio", sr, mr, boundThrottle)
	se, me := sim.Latency["e2e"], mod.Latency["e2e"]
	what := "e2e"
	if c.apps {
		se, me = slowestApp(sim), slowestApp(mod)
		what = "slowest application's e2e"
	}
	if c.chaotic == "" {
		rel(what+" p50", se.P50, me.P50, boundE2E)
		rel(what+" p99", se.P99, me.P99, boundE2E)
	}
	row := fmt.Sprintf("%.0f | %.0f | %.3f | %.3f | %.0f | %.0f | %.0f | %.0f | %.3f | %.3f",
		sim.Throughput.AckedRPS, mod.Throughput.AckedRPS, sim.ThrottleRatio, mod.ThrottleRatio, se.P50, me.P50, se.P99, me.P99, sr, mr)
	return row, probs
}

// readThrottleRatio is the share of GetRecords calls throttled, over every
// application.
func readThrottleRatio(s *results.Summary) float64 {
	if s.Totals.GetRecordsCalls == 0 {
		return 0
	}
	return float64(s.Totals.GetThrottled) / float64(s.Totals.GetRecordsCalls)
}

// slowestApp is the highest e2e p50 and p99 of any consumer application
// (each from its own application), as kbench plan reports them.
func slowestApp(s *results.Summary) results.LatencyStats {
	var out results.LatencyStats
	for _, c := range s.Consumers {
		e := c.Latency["e2e"]
		out.P50, out.P99 = max(out.P50, e.P50), max(out.P99, e.P99)
	}
	return out
}
