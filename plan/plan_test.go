package plan

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/scenarios"
)

func TestCandidates(t *testing.T) {
	for _, tt := range []struct {
		min, hot, room int
		want           []int
	}{
		{3, 4, 4, []int{3, 4, 5, 6}},
		{3, 0, 0, []int{3, 6, 8, 9}},
		{1, 1, 1, []int{1, 2}},
		{500, 652, 751, []int{500, 652, 751, 939, 1127}},
		{9000, 9000, 9500, []int{9000, 9500}},
	} {
		if got := Candidates(tt.min, tt.hot, tt.room); !slices.Equal(got, tt.want) {
			t.Errorf("Candidates(%d, %d, %d) = %v, want %v", tt.min, tt.hot, tt.room, got, tt.want)
		}
	}
}

func TestVariants(t *testing.T) {
	consumer := func(name, kind string, count int) scenarios.Consumer {
		return scenarios.Consumer{Name: name, Kind: kind, Count: count}
	}
	for _, tt := range []struct {
		name      string
		consumers []scenarios.Consumer
		want      []string
		noted     bool
	}{
		{"none", nil, []string{"no consumers"}, false},
		{"one", []scenarios.Consumer{consumer("a", "polling", 1)}, []string{"polling", "fan-out"}, false},
		{"two", []scenarios.Consumer{consumer("a", "polling", 1), consumer("b", "fanout", 1)},
			[]string{"polling", "a fan-out, b polling", "a polling, b fan-out", "fan-out"}, false},
		{"three mixed", []scenarios.Consumer{consumer("a", "polling", 1), consumer("b", "fanout", 1), consumer("c", "polling", 1)},
			[]string{"polling", "fan-out", "as scenario"}, false},
		{"too many to fan out", []scenarios.Consumer{consumer("a", "polling", 15), consumer("b", "polling", 10)},
			[]string{"polling", "a fan-out, b polling", "a polling, b fan-out"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var notes []string
			var got []string
			for _, v := range variants(&scenarios.Scenario{Consumers: tt.consumers}, &notes) {
				got = append(got, v.label)
				if len(v.kinds) != len(tt.consumers) {
					t.Errorf("%s: %d kinds for %d consumers", v.label, len(v.kinds), len(tt.consumers))
				}
			}
			if !slices.Equal(got, tt.want) || (len(notes) > 0) != tt.noted {
				t.Errorf("variants %q with notes %q, want %q (a note: %v)", got, notes, tt.want, tt.noted)
			}
		})
	}
}

func TestPrepare(t *testing.T) {
	sc, err := scenarios.Load("../scenarios/reshard.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Events) == 0 {
		t.Fatal("reshard.yaml has no events")
	}
	base, notes := prepare(sc, 0)
	for _, ev := range base.Events {
		if reshards(sc, ev) {
			t.Errorf("a shard-count event at %s is left in", ev.At)
		}
	}
	if base.PeakShards() != sc.Stream.Shards || len(notes) == 0 {
		t.Errorf("peak %d shards (stream %d), notes %q: want the events out, with a note", base.PeakShards(), sc.Stream.Shards, notes)
	}
	if len(sc.Events) == 0 || sc.PeakShards() == sc.Stream.Shards {
		t.Error("prepare changed the scenario it was given")
	}
}

func TestRecommend(t *testing.T) {
	layout := func(shards int, consumers string, usd float64, miss string) results.PlanLayout {
		return results.PlanLayout{Name: fmt.Sprintf("%d shards, %s", shards, consumers), Mode: modeProvisioned, Shards: shards,
			Consumers: consumers, USDPerHour: usd, Meets: miss == "", Miss: miss, HotUse: 3.0 / float64(shards)}
	}
	for _, tt := range []struct {
		name    string
		hotUse  float64
		layouts []results.PlanLayout
		want    int
		reason  []string
	}{
		{"hot shard", 1.12, []results.PlanLayout{layout(3, "polling", 1, "too hot"), layout(4, "polling", 1.2, ""), layout(4, "fan-out", 2, "")},
			1, []string{"3 shards would do on average", "112.0% of its quota", "Cheaper layouts miss: 3 shards, polling ($1.00/h): too hot"}},
		{"latency", 0.5, []results.PlanLayout{layout(3, "polling", 1, "late"), layout(3, "fan-out", 1.5, ""), layout(6, "polling", 1.4, "late")},
			1, []string{"The quotas allow 3 shards on average", "3 shards, fan-out keeps", "6 shards, polling ($1.40/h): late"}},
		{"a tie goes to fewer shards", 0.5, []results.PlanLayout{layout(4, "polling", 1, ""), layout(3, "polling", 1, "")},
			1, []string{"2.9 MiB/s over 1 MiB/s); 3 shards, polling keeps"}},
		{"none", 1.5, []results.PlanLayout{layout(3, "polling", 1, "too hot"), layout(6, "polling", 2, "late")},
			-1, []string{"every layout tried misses: 3 shards, polling: too hot; 6 shards, polling: late"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := &results.Plan{Headroom: 0.1, Layouts: tt.layouts, Workload: results.PlanWorkload{
				PeakRPS: 3000, PeakBytesPerS: 3e6, MinShards: 3, HotMinShards: 4, HotUseAtMin: tt.hotUse, Keys: "zipf(1.1)"}}
			recommend(p)
			if p.Recommended != tt.want {
				t.Errorf("recommended %d, want %d: %s", p.Recommended, tt.want, p.Reason)
			}
			for _, w := range tt.reason {
				if !strings.Contains(p.Reason, w) {
					t.Errorf("the reason lacks %q:\n%s", w, p.Reason)
				}
			}
		})
	}
}

// TestPlanAggregated: a fleet aggregating 20,000 readings/s into about 100
// Kinesis records/s is sized by its bytes as sent, not by its user records
// (20 shards), and the plan names the hottest shard's binding quota.
func TestPlanAggregated(t *testing.T) {
	sets := []string{"matrix=", "producers[0].rate.rps=20000", "producers[0].aggregation.max_records=1000"}
	for _, codec := range []string{"none", "zstd"} {
		sc, err := scenarios.Load("../scenarios/iot-aggregation.yaml", append(sets, "producers[0].compression.codec="+codec))
		if err != nil {
			t.Fatal(err)
		}
		p, err := Make(t.Context(), sc, Options{NoOnDemand: true})
		if err != nil {
			t.Fatal(err)
		}
		w := p.Workload
		if w.PeakKinesisRPS > w.PeakRPS/100 || w.MinShardsRecords != 1 || w.MinShards >= 20 {
			t.Errorf("%s: %.0f user records/s in %.0f Kinesis records/s, min shards %d (records %d, bytes %d): want about 100 Kinesis records/s, sized by bytes",
				codec, w.PeakRPS, w.PeakKinesisRPS, w.MinShards, w.MinShardsRecords, w.MinShardsBytes)
		}
		if codec == "zstd" && w.PeakSentBytesPerS > w.PeakBytesPerS/2 {
			t.Errorf("zstd: %.0f bytes/s sent of %.0f: compression not counted", w.PeakSentBytesPerS, w.PeakBytesPerS)
		}
		if p.Recommended < 0 {
			t.Fatalf("%s: no recommendation: %s", codec, p.Reason)
		}
		h := p.Layouts[p.Recommended].HotShard
		if h == nil || h.Binding != "bytes" || h.KinesisRecordsPerS > h.RecordsPerS/100 {
			t.Errorf("%s: hottest shard %+v, want bytes binding and about 200 user records per Kinesis record", codec, h)
		}
		if !strings.Contains(p.Reason, "Kinesis records/s") {
			t.Errorf("%s: the reason does not say user against Kinesis records: %s", codec, p.Reason)
		}
	}
}

// TestPlanOnDemandWarm: the plan tries on-demand cold and warm. At 20,000
// records/s a new stream (4,000 records/s at first) throttles through the
// window; a warm one, whose previous peak was the workload's, takes it all,
// at the same cost.
func TestPlanOnDemandWarm(t *testing.T) {
	sc, err := scenarios.Parse("od.yaml", []byte(`
name: od
stream: {mode: on-demand}
duration: 12s
warmup: 2s
producers:
  - name: payments
    generator: payments
    rate: {profile: constant, rps: 20000}
    concurrency: 4
    partition_key: random
consumers:
  - {name: reader, kind: polling, poll_interval: 1s}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Make(t.Context(), sc, Options{Shards: []int{30}, Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	find := func(name string) results.PlanLayout {
		t.Helper()
		i := slices.IndexFunc(p.Layouts, func(l results.PlanLayout) bool { return l.Name == name })
		if i < 0 {
			t.Fatalf("no layout %q", name)
		}
		return p.Layouts[i]
	}
	cold, warm := find("on-demand (cold), polling"), find("on-demand (warm), polling")
	if cold.Meets || cold.ThrottleRatio < maxThrottle {
		t.Errorf("cold: meets %v, throttle ratio %.3f; a new stream throttles 20,000 records/s", cold.Meets, cold.ThrottleRatio)
	}
	if !warm.Meets || warm.ThrottleRatio != 0 {
		t.Errorf("warm: meets %v (%s), throttle ratio %.3f", warm.Meets, warm.Miss, warm.ThrottleRatio)
	}
	if cold.USDPerHour != warm.USDPerHour || warm.USDPerHour <= 0 {
		t.Errorf("cost: cold $%.4f/h, warm $%.4f/h: on-demand bills the same either way", cold.USDPerHour, warm.USDPerHour)
	}
	if !slices.Contains(warm.Sets, "target.sim.on_demand_peak_records=20000") || slices.ContainsFunc(cold.Sets, func(s string) bool {
		return strings.Contains(s, "on_demand_peak") && !strings.HasSuffix(s, "=0")
	}) {
		t.Errorf("sets: cold %q, warm %q", cold.Sets, warm.Sets)
	}
	if !slices.ContainsFunc(p.Notes, func(n string) bool { return strings.Contains(n, "over 40 shards") }) {
		t.Errorf("no note says how the warm stream starts: %q", p.Notes)
	}
}
