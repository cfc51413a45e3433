package plan

import (
	"slices"
	"testing"

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
