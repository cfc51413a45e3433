package scenarios

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// TestExampleScenarios loads every example in the folder and checks that
// each is a short run whose load fits the simulator's default quotas
// (1,000 records/s per shard) at every moment, events included, except for
// shards-matrix, whose 1- and 2-shard cells are meant to throttle.
func TestExampleScenarios(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"default.yaml", "payments.yaml", "iot.yaml", "acoustic.yaml", "mixed.yaml", "shards-matrix.yaml", "reshard.yaml"} {
		if _, err := Load(name, nil); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The override reshard.yaml suggests: step the rate before resharding.
	if s, err := Load("reshard.yaml", []string{"events[0].at=30s"}); err != nil || s.ShardCountAt(29*time.Second) != 2 || s.Events[0].Kind != "rate" {
		t.Errorf("reshard.yaml --set events[0].at=30s: %v", err)
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			s, err := Load(f, nil)
			if err != nil {
				t.Fatal(err)
			}
			if s.Description == "" {
				t.Error("no description")
			}
			if s.Duration < 30*time.Second || s.Duration > 60*time.Second {
				t.Errorf("duration %s, want 30-60 s", s.Duration)
			}
			cells, err := s.Cells()
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cells {
				for i := range c.Producers {
					if c.Producers[i].SelfPaced() {
						if _, err := c.InstancePacer(i, 0); !errors.Is(err, ErrSelfPaced) {
							t.Errorf("self-paced producer's InstancePacer: %v", err)
						}
						continue
					}
					if _, err := c.Producers[i].Pacer(); err != nil {
						t.Error(err)
					}
					if _, err := c.InstancePacer(i, 0); err != nil {
						t.Error(err)
					}
				}
				for _, at := range phaseStarts(c) {
					perShard := peakRateAt(c, at) / float64(c.ShardCountAt(at))
					if perShard > 1000 && !overQuotaOnPurpose[s.Name] {
						t.Errorf("cell %q at %s: %.0f records/s per shard is over the quota", c.Cell, at, perShard)
					}
				}
				if len(c.Thresholds) == 0 {
					t.Error("no thresholds")
				}
			}
		})
	}
}

// phaseStarts returns 0 and the time of every event: the moments at which
// the load or the shard count can change.
func phaseStarts(s *Scenario) []time.Duration {
	out := []time.Duration{0}
	for _, ev := range s.Events {
		out = append(out, ev.At)
	}
	return out
}

// peakRateAt sums the producers' peak rates in effect at t.
func peakRateAt(s *Scenario, t time.Duration) float64 {
	total := 0.0
	for i, p := range s.Producers {
		rate := p.Rate
		for _, ev := range s.rateEvents(i) {
			if ev.at <= t {
				rate = ev.rate
			}
		}
		total += rate.Peak()
	}
	return total
}

func TestAnchorsAndMergeKeys(t *testing.T) {
	s, err := Load(filepath.Join("testdata", "every-profile.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	p := s.Producers[1]
	if p.Name != "poisson" || p.Rate.Profile != "poisson" || p.Seed != 42 || p.Concurrency != 3 || p.Keys.HotKeys != 50 {
		t.Errorf("merged producer = %+v", p)
	}
	if s.Producers[2].Seed != 3 {
		t.Errorf("default seed of producers[2] = %d, want 3", s.Producers[2].Seed)
	}
}

func ExampleParse() {
	src := []byte(`
name: quick
stream: {shards: 2}
producers:
  - generator: payments
    rate: {profile: constant, rps: 500}
thresholds: ["totals.lost == 0"]
`)
	s, err := Parse("quick.yaml", src, []string{"duration=20s"})
	if err != nil {
		fmt.Println(err)
		return
	}
	p := s.Producers[0]
	fmt.Println(s.Name, s.Duration, s.Stream.Name, s.Stream.Shards)
	fmt.Println(p.Name, p.PartitionKey, p.Batch.MaxRecords, p.InFlight)
	fmt.Println(s.Consumers[0].Name, s.Consumers[0].PollInterval)

	_, err = Parse("bad.yaml", []byte("name: bad\nstream: {shards: 0}\nproducers:\n  - generator: stocks\n"), nil)
	fmt.Println(err)
	// Output:
	// quick 20s kbench-quick 2
	// payments-0 entity 500 8
	// collector 250ms
	// bad.yaml:2:10: stream.shards: must be between 1 and 10000, got 0
	// bad.yaml:4:5: producers[0].generator: unknown generator "stocks"; want payments, iot, acoustic or replay
	// bad.yaml:4:5: producers[0].rate: is required, for example {profile: constant, rps: 100}
}

// overQuotaOnPurpose names the example scenarios some of whose cells send
// more than a shard's 1,000 records/s to show what happens: throttling
// (shards-matrix, ordering), or aggregation carrying it (iot-aggregation).
var overQuotaOnPurpose = map[string]bool{"shards-matrix": true, "ordering": true, "iot-aggregation": true}
