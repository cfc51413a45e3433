package scenarios

import (
	"math"
	"strings"
	"testing"
)

// recordedBase replays the example card transactions (1,000 over 203.6
// recorded seconds) at their own times, ten times as fast.
const recordedBase = "name: t\nduration: 20s\nproducers:\n  - name: cards\n    generator: replay\n    options:\n" +
	"      file: data/card-transactions.jsonl\n      pace: recorded\n      time_field: $.event_time\n      speed: 10\n"

func TestReplayRecordedPaceScenario(t *testing.T) {
	s, err := Parse("t.yaml", []byte(recordedBase), nil)
	if err != nil {
		t.Fatal(err)
	}
	p := s.Producers[0]
	if !p.SelfPaced() {
		t.Fatal("pace: recorded producer is not self-paced")
	}
	// 999 gaps over 203.572 s, at speed 10, for 20 s.
	if got, want := s.Offered(0), 999/20.3572*20; math.Abs(got-want) > 1 {
		t.Errorf("Offered = %g, want about %g (the checked lines' mean rate over the run)", got, want)
	}
	if got := s.PeakRate(); math.Abs(got-999/20.3572) > 0.1 {
		t.Errorf("PeakRate = %g", got)
	}
	pm := s.Resolved()["producers"].([]any)[0].(map[string]any)
	if _, ok := pm["rate"]; ok {
		t.Errorf("resolved producer has a rate: %v", pm["rate"])
	}
	if o := pm["options"].(map[string]any); o["pace"] != "recorded" || o["time_field"] != "$.event_time" || o["speed"] != 10.0 {
		t.Errorf("resolved options %v", o)
	}

	// Instances share the file: two of them offer what one does.
	two, err := Parse("t.yaml", []byte(recordedBase+"    concurrency: 2\n"), nil)
	if err != nil {
		t.Fatalf("pace: recorded with two instances: %v", err)
	}
	if got, want := two.Offered(0), s.Offered(0); got != want {
		t.Errorf("two instances offer %g records, one %g; want the same: they share the file", got, want)
	}

	checkOneProblem(t, []problemRow{
		{"a rate as well", recordedBase + "    rate: {profile: constant, rps: 5}\n", 11, "producers[0].rate", "is not used with pace: recorded"},
		{"a rate event", recordedBase + "events:\n  - {at: 5s, rate: {profile: constant, rps: 5}}\n", 12, "events[0].producer", `"cards" sends at its file's own times`},
		{"no time field", strings.Replace(recordedBase, "      time_field: $.event_time\n", "", 1), 6, "producers[0].options.time_field", "is required with pace: recorded"},
		{"a missing time field", strings.Replace(recordedBase, "$.event_time", "$.ts", 1), 7, "producers[0].options.file",
			"data/card-transactions.jsonl:1: no field $.ts (time_field)"},
		{"speed zero", strings.Replace(recordedBase, "speed: 10", "speed: 0", 1), 10, "producers[0].options.speed", "must be greater than 0"},
		{"pace rate needs a rate", strings.Replace(strings.Replace(recordedBase, "recorded", "rate", 1), "      time_field: $.event_time\n", "", 1), 4, "producers[0].rate", "is required"},
	})
}
