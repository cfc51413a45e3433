package runner

import (
	"strings"
	"testing"
	"time"

	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/scenarios"
	"github.com/kbench/kbench/sim"
	"github.com/kbench/kbench/targets"
)

func TestBottleneckVerdict(t *testing.T) {
	for _, tc := range []struct {
		name string
		e    evidence
		want string
	}{
		{"idle", evidence{cpuRatio: 0.1, inFlightRatio: 0.05, ackedRPS: 1000}, results.BottleneckNone},
		{"cpu saturated", evidence{cpuRatio: 0.95, inFlightRatio: 1, throttleRatio: 0.5}, results.BottleneckGenerator},
		{"behind, slots free", evidence{lag: 3 * time.Second, inFlightRatio: 0.2, inFlightBehind: 0.2}, results.BottleneckGenerator},
		{"behind, slots full", evidence{lag: 3 * time.Second, inFlightRatio: 0.97, inFlightBehind: 0.97}, results.BottleneckTarget},
		// A target that froze half-way: slots free before, full while behind.
		{"behind only once the target froze", evidence{lag: 3 * time.Second, inFlightRatio: 0.6, inFlightBehind: 1}, results.BottleneckTarget},
		// With ordering per_key a hot shard's lane holds the schedule back
		// while the other lanes, and so most slots, sit idle.
		{"behind, waiting on a shard's lane", evidence{lag: 3 * time.Second, inFlightRatio: 0.25, inFlightBehind: 0.25,
			waitRatio: 0.9, waitBehind: 0.97, perKey: true}, results.BottleneckTarget},
		{"keeping up, waiting on shard lanes", evidence{inFlightRatio: 0.5, inFlightBehind: 0.5, waitRatio: 0.95, waitBehind: 0.95, perKey: true},
			results.BottleneckTarget},
		{"behind, waiting on busy senders", evidence{lag: 3 * time.Second, inFlightRatio: 0.8, inFlightBehind: 0.85, waitRatio: 0.7, waitBehind: 0.7},
			results.BottleneckTarget},
		{"behind, per_key lanes free", evidence{lag: 3 * time.Second, inFlightRatio: 0.1, inFlightBehind: 0.1, waitRatio: 0.05, waitBehind: 0.05,
			perKey: true}, results.BottleneckGenerator},
		{"throttled", evidence{inFlightRatio: 0.3, throttleRatio: 0.2}, results.BottleneckTarget},
		{"put latency rising", evidence{putFrom: 30, putTo: 250}, results.BottleneckTarget},
		{"put latency jitter", evidence{putFrom: 3, putTo: 11}, results.BottleneckNone},
		{"backlog growing", evidence{backlogGrowth: 200, ackedRPS: 1000}, results.BottleneckConsumer},
		{"backlog growing, kbench reads nothing", evidence{backlogGrowth: 1000, ackedRPS: 1000, noReaders: true}, results.BottleneckNone},
		{"backlog growing, reads throttled", evidence{backlogGrowth: 200, ackedRPS: 1000, getThrottled: 0.3}, results.BottleneckNone},
		{"backlog within noise", evidence{backlogGrowth: 20, ackedRPS: 1000}, results.BottleneckNone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, why := tc.e.verdict(2)
			if got != tc.want || why == "" {
				t.Errorf("verdict %q (%s), want %q", got, why, tc.want)
			}
			if lanes := strings.Contains(why, "per-shard ordering rule"); lanes != (tc.e.perKey && got == results.BottleneckTarget) {
				t.Errorf("reason %q: names the per-shard ordering rule %v, want %v", why, lanes, !lanes)
			}
		})
	}
}

// TestGeneratorBottleneck runs against the in-process simulator with a
// producer that can generate only about 5,000 records/s (200 µs of busy work
// each) asked for 20,000/s: the target answers at once and the in-flight
// slots stay mostly free, so the verdict must be generator, and it must say
// that the simulator's CPU is kbench's too.
func TestGeneratorBottleneck(t *testing.T) {
	sc, err := scenarios.Parse("gen.yaml", []byte(`name: gen
stream: {name: kbench-gen, shards: 4}
duration: 3s
drain: 2s
producers:
  - generator: payments
    rate: {profile: constant, rps: 20000}
    in_flight: 16
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	tgt, err := targets.Open(t.Context(), targets.Spec{Kind: targets.KindSim})
	if err != nil {
		t.Fatal(err)
	}
	defer tgt.Close()
	var log strings.Builder
	sum, err := Run(t.Context(), Options{Scenario: sc, Target: tgt, OutDir: t.TempDir(), Log: &log,
		generateCost: 200 * time.Microsecond})
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, log.String())
	}
	b := sum.Bottleneck
	t.Logf("bottleneck %+v", b)
	if b == nil || b.Kind != results.BottleneckGenerator {
		t.Fatalf("bottleneck %+v, want generator\n%s", b, log.String())
	}
	if !b.InProcessTarget || !strings.Contains(b.Reason, "kbench sim") {
		t.Errorf("reason %q: must say the in-process simulator's CPU is kbench's and suggest kbench sim", b.Reason)
	}
	if b.ScheduleLagMS < 1000 && b.CPURatio <= cpuLimit {
		t.Errorf("evidence %+v: neither lag nor CPU shows it", b)
	}
	if !strings.Contains(log.String(), "warning: bottleneck generator") {
		t.Errorf("the live lines do not warn:\n%s", log.String())
	}
}

// TestPerKeyLanesBottleneck runs ordering per_key against the in-process
// simulator with every record on one key, so on one shard, and a put delay
// of 20 ms: the shard's lane sends one record per call (a batch holds a key
// once) and one call at a time, about 50 records/s of the 400/s asked. The
// schedule waits on that lane while the other slots sit idle, so the
// verdict must name the per-shard ordering rule, not kbench.
func TestPerKeyLanesBottleneck(t *testing.T) {
	sc, err := scenarios.Parse("lanes.yaml", []byte(`name: lanes
stream: {name: kbench-lanes, shards: 2}
duration: 4s
max_overrun: 1s
drain: 1s
consumers: []
producers:
  - generator: payments
    rate: {profile: constant, rps: 400}
    partition_key: fixed
    ordering: per_key
    in_flight: 8
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	tgt, err := targets.Open(t.Context(), targets.Spec{Kind: targets.KindSim, Sim: perKeySim()})
	if err != nil {
		t.Fatal(err)
	}
	defer tgt.Close()
	var log strings.Builder
	sum, err := Run(t.Context(), Options{Scenario: sc, Target: tgt, OutDir: t.TempDir(), Log: &log})
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, log.String())
	}
	b := sum.Bottleneck
	t.Logf("bottleneck %+v", b)
	if b == nil || b.Kind != results.BottleneckTarget || !strings.Contains(b.Reason, "per-shard ordering rule") {
		t.Fatalf("bottleneck %+v, want target naming the per-shard ordering rule\n%s", b, log.String())
	}
	if b.SendWaitRatio < waitLimit || b.ScheduleLagMS < 1000 {
		t.Errorf("evidence %+v: the producer must have waited on its lane most of the time, and fallen behind", b)
	}
	if b.InFlightRatio > 0.75 {
		t.Errorf("in_flight_ratio %v: one lane of two was busy, want about 0.5", b.InFlightRatio)
	}
	if !strings.Contains(log.String(), "warning: bottleneck target") || strings.Contains(log.String(), "bottleneck generator") {
		t.Errorf("the live lines must warn of the target (the per-shard ordering rule), never of kbench:\n%s", log.String())
	}
}

// perKeySim is the simulator with a 20 ms put delay.
func perKeySim() sim.Config {
	c := sim.DefaultConfig()
	c.PutDelay = 20 * time.Millisecond
	return c
}

// TestLiveWarningSeesThrottledReads: the live warning judges a second whose
// backlog grew by that second's share of throttled reads, as the verdict
// does; it said "reads were not throttled" while a fifth of them were.
func TestLiveWarningSeesThrottledReads(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		getCalls, getThrottle int64
		warn                  bool
	}{
		{"reads throttled", 15, 3, false},
		{"reads free", 15, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &run{sc: &scenarios.Scenario{Duration: time.Minute}, apps: []*metrics.App{{}}}
			s := &sampler{r: r}
			for i, backlog := range []int64{0, 1000, 2000} {
				s.pulses = append(s.pulses, pulse{at: int64(i) * int64(time.Second), backlog: backlog})
			}
			s.rows = []results.Row{{Acked: 1000, GetThrottled: tc.getThrottle}}
			s.getCalls = tc.getCalls
			first := s.warning(2 * time.Second)
			second := s.warning(3 * time.Second)
			if got := first + second; (got != "") != tc.warn {
				t.Fatalf("warning %q, want one: %v", got, tc.warn)
			}
			if strings.Contains(first+second, "not throttled") && tc.getThrottle > 0 {
				t.Errorf("warning %q with %d of %d reads throttled", first+second, tc.getThrottle, tc.getCalls)
			}
		})
	}
}
