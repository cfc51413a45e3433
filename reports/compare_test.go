package reports

import (
	"slices"
	"strings"
	"testing"

	"github.com/kbench/kbench/results"
)

func TestRecommend(t *testing.T) {
	cfg := func(label, verdict string, shards int, thr, cost float64, withCost bool) *configuration {
		s := &results.Summary{Verdict: verdict, ThrottleRatio: thr, Config: results.RunInfo{Shards: shards},
			Throughput: results.Throughput{ConsumedRPS: 1000}, Latency: map[string]results.LatencyStats{"e2e": {P99: 100}}}
		if withCost {
			s.Cost = &results.CostStats{USDPerHour: cost}
		}
		return &configuration{set: &results.RunSet{Runs: []*results.Summary{s}}, label: label}
	}
	for _, tt := range []struct {
		name string
		cfgs []*configuration
		want string // the label, "" for none
		text string // in the sentence
	}{
		{"cheapest passing", []*configuration{
			cfg("a", results.VerdictFail, 1, 0.5, 0.1, true), cfg("b", results.VerdictPass, 4, 0, 0.3, true), cfg("c", results.VerdictPass, 8, 0, 0.4, true),
		}, "b", "$0.300/h"},
		{"throttled passes are not recommended", []*configuration{
			cfg("a", results.VerdictPass, 2, 0.02, 0.1, true), cfg("b", results.VerdictPass, 4, 0.009, 0.3, true),
		}, "b", "cheapest"},
		{"none", []*configuration{cfg("a", results.VerdictFail, 1, 0, 0.1, true), cfg("b", results.VerdictPass, 2, 0.5, 0.2, true)}, "", "None of the configurations"},
		{"fewest shards without cost", []*configuration{
			cfg("a", results.VerdictPass, 8, 0, 0, false), cfg("b", results.VerdictPass, 4, 0, 0, false),
		}, "b", "fewest shards"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			text, got := recommend(tt.cfgs)
			if got != tt.want || !strings.Contains(text, tt.text) {
				t.Errorf("recommend = %q, %q; want %q in a sentence with %q", got, text, tt.want, tt.text)
			}
		})
	}
}

func TestHotShards(t *testing.T) {
	for _, tt := range []struct {
		name   string
		shards []results.ShardStats
		want   []bool
	}{
		{"even, no throttles", []results.ShardStats{{Records: 100}, {Records: 100}}, []bool{false, false}},
		{"most throttled", []results.ShardStats{{Records: 100, Throttled: 5}, {Records: 100, Throttled: 9}}, []bool{false, true}},
		{"all throttled alike", []results.ShardStats{{Records: 100, Throttled: 97}, {Records: 100, Throttled: 100}}, []bool{true, true}},
		{"over 1.5x the mean records", []results.ShardStats{{Records: 100}, {Records: 100}, {Records: 400}}, []bool{false, false, true}},
		{"one shard, throttled", []results.ShardStats{{Records: 100, Throttled: 1}}, []bool{true}},
		{"none", nil, []bool{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := hotShards(tt.shards); !slices.Equal(got, tt.want) {
				t.Errorf("hotShards = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestShortLabels(t *testing.T) {
	for _, tt := range []struct {
		in, want []string
		axis     string
	}{
		{[]string{"stream.shards=1", "stream.shards=2", "stream.shards=16"}, []string{"1", "2", "16"}, "stream.shards"},
		{[]string{"a=1,b=2", "a=1,b=3"}, []string{"2", "3"}, "a=1,b"},
		{[]string{"base", "candidate"}, []string{"base", "candidate"}, "configuration"},
		{[]string{"x=1"}, []string{"x=1"}, "configuration"},
	} {
		got, axis := shortLabels(tt.in)
		if !slices.Equal(got, tt.want) || axis != tt.axis {
			t.Errorf("shortLabels(%q) = %q, %q; want %q, %q", tt.in, got, axis, tt.want, tt.axis)
		}
	}
}

func TestFormats(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{fmtLatency(2133.852), "2,133.9"}, {fmtLatency(287.048), "287.0"}, {fmtLatency(4.899), "4.90"},
		{fmtRatio(0.8987), "89.87%"}, {fmtRatio(0), "0.00%"}, {fmtUSD(0.2119), "$0.212"}, {fmtUSD(12.345), "$12.35"},
		{percentileLabel(1000), "99.9%"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	var labels []string
	for _, tk := range (percentileTicks{}).Ticks(1, 2e5) {
		labels = append(labels, tk.Label)
	}
	if want := []string{"50%", "90%", "99%", "99.9%", "99.99%", "99.999%"}; !slices.Equal(labels, want) {
		t.Errorf("percentile ticks %q, want %q", labels, want)
	}
}
