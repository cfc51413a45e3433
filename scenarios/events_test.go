package scenarios

import (
	"fmt"
	"github.com/kbench/kbench/generators"
	"reflect"
	"strings"
	"testing"
	"time"
)

// evBase is a scenario with one producer "pay" on 2 shards for 40 s, ending
// at line 7; events start at line 9.
const evBase = "name: t\nstream: {shards: 2}\nduration: 40s\nproducers:\n  - name: pay\n    generator: payments\n    rate: {profile: constant, rps: 10}\n"

// twoProducers adds a second producer "iot" (lines 8-10).
const twoProducers = evBase + "  - name: iot\n    generator: iot\n    rate: {profile: constant, rps: 20}\n"

// consBase ends with "consumers:" on line 5; the consumer is on line 6.
const consBase = "name: t\nproducers:\n  - generator: payments\n    rate: {profile: constant, rps: 10}\nconsumers:\n"

// problemRow is a source with exactly one problem, at line and field.
type problemRow struct {
	name  string
	src   string
	line  int
	field string
	msg   string
}

func checkOneProblem(t *testing.T, rows []problemRow) {
	t.Helper()
	for _, tt := range rows {
		t.Run(tt.name, func(t *testing.T) {
			ps := mustProblems(t, tt.src)
			if len(ps) != 1 {
				t.Fatalf("got %d problems, want 1:\n%v", len(ps), ps)
			}
			p := ps[0]
			if p.File != "t.yaml" || p.Line != tt.line || p.Field != tt.field || !strings.Contains(p.Message, tt.msg) {
				t.Errorf("got %s:%d:%d field %q message %q\nwant t.yaml:%d field %q message containing %q",
					p.File, p.Line, p.Column, p.Field, p.Message, tt.line, tt.field, tt.msg)
			}
		})
	}
}

// reshards returns n update_shard_count events alternating 4 and 2, one a
// second from 1 s.
func reshards(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "  - {at: %ds, update_shard_count: %d}\n", i+1, 4-2*(i%2))
	}
	return b.String()
}

// reshardAt is an update_shard_count event.
func reshardAt(at time.Duration, shards int) Event {
	return Event{At: at, Kind: "update_shard_count", Action: &ReshardEvent{Shards: shards}}
}

// eventRPS is the rps of a rate event's constant profile.
func eventRPS(ev Event) float64 {
	return ev.Action.(*RateEvent).Rate.Options.(*generators.ConstantRate).RPS
}

func TestEventProblems(t *testing.T) {
	ev := evBase + "events:\n"
	checkOneProblem(t, []problemRow{
		{"events not a list", evBase + "events: {at: 1s}\n", 8, "events", "must be a list, got a mapping"},
		{"event not a mapping", ev + "  - 20s\n", 9, "events[0]", "must be a mapping"},
		{"unknown field", ev + "  - {at: 1s, update_shard_count: 4, shards: 4}\n", 9, "events[0].shards", `unknown field "shards"; known fields: at, update_shard_count, rate, producer, restart, consumer`},
		{"at missing", ev + "  - {update_shard_count: 4}\n", 9, "events[0].at", "is required"},
		{"at zero", ev + "  - {at: 0, update_shard_count: 4}\n", 9, "events[0].at", "must be after the start and before the end of the run (duration 40s), got 0s"},
		{"at negative", ev + "  - {at: -1s, update_shard_count: 4}\n", 9, "events[0].at", "got -1s"},
		{"at the end", ev + "  - {at: 40s, update_shard_count: 4}\n", 9, "events[0].at", "before the end of the run (duration 40s), got 40s"},
		{"at unitless", ev + "  - {at: 20, update_shard_count: 4}\n", 9, "events[0].at", "a number needs a unit"},
		{"no action", ev + "  - {at: 1s}\n", 9, "events[0]", "needs an action: update_shard_count"},
		{"two actions", ev + "  - {at: 1s, update_shard_count: 4, rate: {profile: constant, rps: 5}}\n", 9, "events[0]", "update_shard_count, rate or restart, not more"},
		{"restart and rate", ev + "  - {at: 1s, restart: {after: 1s}, rate: {profile: constant, rps: 5}}\n", 9, "events[0]", "does one thing"},
		{"restart unknown consumer", ev + "  - {at: 1s, consumer: nope, restart: {after: 1s}}\n", 9, "events[0].consumer", `unknown consumer "nope"`},
		{"restart no pause", ev + "  - {at: 1s, restart: {after: 0s}}\n", 9, "events[0].restart.after", "must be positive"},
		{"consumer on a reshard", ev + "  - {at: 1s, consumer: x, update_shard_count: 4}\n", 9, "events[0].consumer", "is only for restart events"},
		{"shard count type", ev + "  - {at: 1s, update_shard_count: four}\n", 9, "events[0].update_shard_count", `must be an integer, got "four"`},
		{"shard count zero", ev + "  - {at: 1s, update_shard_count: 0}\n", 9, "events[0].update_shard_count", "must be between 1 and 10000, got 0"},
		{"shard count unchanged", ev + "  - {at: 1s, update_shard_count: 2}\n", 9, "events[0].update_shard_count", "is already the shard count in effect (2)"},
		{"more than double", ev + "  - {at: 1s, update_shard_count: 5}\n", 9, "events[0].update_shard_count",
			"must be between half and double the shard count in effect (2), that is 1 to 4, got 5"},
		{"less than half", strings.Replace(ev, "shards: 2", "shards: 5", 1) + "  - {at: 1s, update_shard_count: 2}\n", 9, "events[0].update_shard_count",
			"in effect (5), that is 3 to 10, got 2"},
		{"in effect after an earlier event", ev + "  - {at: 1s, update_shard_count: 4}\n  - {at: 2s, update_shard_count: 9}\n", 10, "events[1].update_shard_count",
			"in effect (4), that is 2 to 8, got 9"},
		{"in effect in time order, not file order", ev + "  - {at: 2s, update_shard_count: 4}\n  - {at: 1s, update_shard_count: 8}\n", 10, "events[1].update_shard_count",
			"in effect (2), that is 1 to 4, got 8"},
		{"on-demand", strings.Replace(ev, "shards: 2", "shards: 2, mode: on-demand", 1) + "  - {at: 1s, update_shard_count: 4}\n", 9, "events[0].update_shard_count",
			"only for provisioned streams, not on-demand"},
		{"existing stream", strings.Replace(ev, "shards: 2", "shards: 2, name: s, existing: true", 1) + "  - {at: 1s, update_shard_count: 4}\n", 9, "events[0].update_shard_count",
			"cannot change an existing stream"},
		{"eleven reshards", ev + reshards(11), 19, "events[10].update_shard_count", "at most 10 shard-count updates per run"},
		{"producer on a reshard", ev + "  - {at: 1s, update_shard_count: 4, producer: pay}\n", 9, "events[0].producer", "is only for rate events"},
		{"unknown producer", ev + "  - {at: 1s, producer: nope, rate: {profile: constant, rps: 5}}\n", 9, "events[0].producer", `unknown producer "nope"; producers: pay`},
		{"producer needed", twoProducers + "events:\n  - {at: 1s, rate: {profile: constant, rps: 5}}\n", 12, "events[0].producer",
			"is required with more than one producer (pay, iot)"},
		{"rate not a mapping", ev + "  - {at: 1s, rate: 5}\n", 9, "events[0].rate", "must be a mapping"},
		{"rate unknown alias", ev + "  - {at: 1s, rate: *none}\n", 9, "events[0].rate", `unknown alias "none"`},
		{"rate profile missing", ev + "  - {at: 1s, rate: {rps: 5}}\n", 9, "events[0].rate.profile", "is required: constant, ramp"},
		{"rate rps missing", ev + "  - at: 1s\n    rate: {profile: constant}\n", 10, "events[0].rate.rps", "is required by profile constant"},
		{"rate foreign field", ev + "  - {at: 1s, rate: {profile: constant, rps: 5, over: 1s}}\n", 9, "events[0].rate.over", "is not used by profile constant (it uses rps)"},
		{"rate step", ev + "  - at: 1s\n    rate:\n      profile: steps\n      steps:\n        - {rps: -1, for: 1s}\n        - {rps: 5, for: 1s}\n", 13, "events[0].rate.steps[0].rps", "must be between 0 and"},
	})
}

func TestProcessingProblems(t *testing.T) {
	c := consBase
	checkOneProblem(t, []problemRow{
		{"fixed negative", c + "  - processing: -2ms\n", 6, "consumers[0].processing", "must not be negative, got -2ms"},
		{"fixed negative in a mapping", c + "  - processing: {fixed: -1ms}\n", 6, "consumers[0].processing.fixed", "must not be negative, got -1ms"},
		{"median negative", c + "  - processing: {median: -1ms, p99: 5ms}\n", 6, "consumers[0].processing.median", "must not be negative"},
		{"p99 below median", c + "  - processing:\n      median: 5ms\n      p99: 2ms\n", 8, "consumers[0].processing.p99", "must be at least median (5ms), got 2ms"},
		{"median without p99", c + "  - processing: {median: 5ms}\n", 6, "consumers[0].processing.p99", "is required with median (5ms)"},
		{"p99 without median", c + "  - processing: {p99: 5ms}\n", 6, "consumers[0].processing.median", "is required with p99 (5ms)"},
		{"fixed and log-normal", c + "  - processing: {fixed: 1ms, median: 2ms, p99: 3ms}\n", 6, "consumers[0].processing.fixed", "either fixed or log-normal"},
		{"unitless", c + "  - processing: 5\n", 6, "consumers[0].processing", "must be a duration such as 2ms (fixed) or a mapping such as {median: 2ms, p99: 20ms} (log-normal), got \"5\" (a number needs a unit)"},
		{"not a duration", c + "  - processing: slow\n", 6, "consumers[0].processing", `got "slow"`},
		{"a list", c + "  - processing: [1ms]\n", 6, "consumers[0].processing", "got a list"},
		{"unknown field", c + "  - processing: {mean: 2ms}\n", 6, "consumers[0].processing.mean", `unknown field "mean"; known fields: fixed, median, p99`},
		{"field not a duration", c + "  - processing: {median: 2, p99: 3ms}\n", 6, "consumers[0].processing.median", "a number needs a unit"},
		{"concurrency negative", c + "  - concurrency: -1\n", 6, "consumers[0].concurrency", "must not be negative (0 means no limit), got -1"},
		{"concurrency type", c + "  - concurrency: all\n", 6, "consumers[0].concurrency", "must be an integer"},
		{"checkpoint negative", c + "  - checkpoint_interval: -1s\n", 6, "consumers[0].checkpoint_interval", "must not be negative (0 means after every batch), got -1s"},
		{"checkpoint unitless", c + "  - checkpoint_interval: 5\n", 6, "consumers[0].checkpoint_interval", "a number needs a unit"},
		{"producer deadline negative", "name: t\nproducers:\n  - generator: payments\n    rate: {profile: constant, rps: 10}\n    deadline: -1ms\n", 5, "producers[0].deadline", "must not be negative, got -1ms"},
	})
}

// TestEventProblemsAtOnce checks that every event problem comes back
// together, each at its own line.
func TestEventProblemsAtOnce(t *testing.T) {
	src := evBase + "events:\n  - {at: 50s, update_shard_count: 9}\n  - {at: 1s}\n  - {at: 2s, producer: x, rate: {profile: constant}}\n"
	ps := mustProblems(t, src)
	want := []string{
		"t.yaml:9:6: events[0].at: must be after the start and before the end of the run (duration 40s), got 50s",
		"t.yaml:9:15: events[0].update_shard_count: must be between half and double the shard count in effect (2), that is 1 to 4, got 9",
		"t.yaml:10:5: events[1]: needs an action",
		"t.yaml:11:14: events[2].producer: unknown producer \"x\"",
		"t.yaml:11:27: events[2].rate.rps: is required by profile constant",
	}
	wantProblemLines(t, ps, want)
}

func TestNewFieldsDecode(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name  string
		src   string
		sets  []string
		check func(*Scenario) any
		want  any
	}{
		{"processing default", consBase + "  - {}\n", nil, func(s *Scenario) any { return s.Consumers[0].Processing }, Processing{}},
		{"processing scalar", consBase + "  - processing: 2ms\n", nil, func(s *Scenario) any { return s.Consumers[0].Processing }, Processing{Fixed: 2 * ms}},
		{"processing zero", consBase + "  - processing: 0\n", nil, func(s *Scenario) any { return s.Consumers[0].Processing }, Processing{}},
		{"processing log-normal", consBase + "  - processing: {median: 2ms, p99: 20ms}\n", nil, func(s *Scenario) any { return s.Consumers[0].Processing },
			Processing{Median: 2 * ms, P99: 20 * ms}},
		{"processing fixed mapping", consBase + "  - processing: {fixed: 3ms}\n", nil, func(s *Scenario) any { return s.Consumers[0].Processing }, Processing{Fixed: 3 * ms}},
		{"processing median = p99", consBase + "  - processing: {median: 2ms, p99: 2ms}\n", nil, func(s *Scenario) any { return s.Consumers[0].Processing },
			Processing{Median: 2 * ms, P99: 2 * ms}},
		{"processing --set scalar", consBase + "  - processing: {median: 2ms, p99: 20ms}\n", []string{"consumers[0].processing=5ms"},
			func(s *Scenario) any { return s.Consumers[0].Processing }, Processing{Fixed: 5 * ms}},
		{"processing --set mapping", consBase + "  - {}\n", []string{"consumers[0].processing={median: 1ms, p99: 9ms}"},
			func(s *Scenario) any { return s.Consumers[0].Processing }, Processing{Median: ms, P99: 9 * ms}},
		{"processing --set one field", consBase + "  - processing: {median: 2ms, p99: 20ms}\n", []string{"consumers[0].processing.p99=50ms"},
			func(s *Scenario) any { return s.Consumers[0].Processing }, Processing{Median: 2 * ms, P99: 50 * ms}},
		{"consumer defaults", consBase + "  - {}\n", nil, func(s *Scenario) any { return [2]any{s.Consumers[0].Concurrency, s.Consumers[0].CheckpointInterval} },
			[2]any{0, time.Duration(0)}},
		{"default consumer", evBase, nil, func(s *Scenario) any { return [2]any{s.Consumers[0].Processing, s.Consumers[0].Concurrency} }, [2]any{Processing{}, 0}},
		{"consumer concurrency and checkpoints", consBase + "  - {concurrency: 4, checkpoint_interval: 5s}\n", nil,
			func(s *Scenario) any { return [2]any{s.Consumers[0].Concurrency, s.Consumers[0].CheckpointInterval} }, [2]any{4, 5 * time.Second}},
		{"consumer --set", consBase + "  - {}\n", []string{"consumers[0].concurrency=2", "consumers[0].checkpoint_interval=1s"},
			func(s *Scenario) any { return [2]any{s.Consumers[0].Concurrency, s.Consumers[0].CheckpointInterval} }, [2]any{2, time.Second}},
		{"producer deadline inherited", "deadline: 500ms\n" + twoProducers + "    deadline: 2s\n", nil,
			func(s *Scenario) any {
				return []time.Duration{s.Producers[0].Deadline, s.ProducerDeadline(0), s.ProducerDeadline(1)}
			},
			[]time.Duration{500 * ms, 500 * ms, 2 * time.Second}},
		{"producer deadline without a scenario deadline", twoProducers + "    deadline: 2s\n", nil,
			func(s *Scenario) any { return []time.Duration{s.ProducerDeadline(0), s.ProducerDeadline(1)} }, []time.Duration{0, 2 * time.Second}},
		{"producer deadline --set", evBase, []string{"producers[0].deadline=250ms"}, func(s *Scenario) any { return s.ProducerDeadline(0) }, 250 * ms},
		{"no events", evBase, nil, func(s *Scenario) any { return s.Events }, []Event(nil)},
		{"events sorted stably, producer filled in", evBase + "events:\n  - {at: 30s, rate: {profile: constant, rps: 30}}\n  - {at: 10s, update_shard_count: 4}\n  - {at: 30s, update_shard_count: 8}\n", nil,
			func(s *Scenario) any { return s.Events }, []Event{
				reshardAt(10*time.Second, 4),
				{At: 30 * time.Second, Kind: "rate", Action: &RateEvent{Producer: "pay", Rate: &Rate{Profile: "constant", Options: &generators.ConstantRate{RPS: 30}}}},
				reshardAt(30*time.Second, 8),
			}},
		{"rate event for one of two producers", twoProducers + "events:\n  - {at: 5s, producer: iot, rate: {profile: ramp, from: 20, to: 40, over: 5s}}\n", nil,
			func(s *Scenario) any { return s.Events[0] }, Event{At: 5 * time.Second, Kind: "rate", Action: &RateEvent{Producer: "iot", Rate: &Rate{Profile: "ramp", Options: &generators.RampRate{From: 20, To: 40, Over: 5 * time.Second}}}}},
		{"events --set re-sorts", evBase + "events:\n  - {at: 10s, update_shard_count: 4}\n  - {at: 20s, rate: {profile: constant, rps: 30}}\n", []string{"events[0].at=30s"},
			func(s *Scenario) any { return []time.Duration{s.Events[0].At, s.Events[1].At} }, []time.Duration{20 * time.Second, 30 * time.Second}},
		{"events --set rate field", evBase + "events:\n  - {at: 20s, rate: {profile: constant, rps: 30}}\n", []string{"events[0].rate.rps=99"},
			func(s *Scenario) any { return eventRPS(s.Events[0]) }, 99.0},
		{"events --set whole list", evBase, []string{"events=[{at: 5s, update_shard_count: 3}]"},
			func(s *Scenario) any { return s.Events }, []Event{reshardAt(5*time.Second, 3)}},
		{"ten reshards", evBase + "events:\n" + reshards(10), nil, func(s *Scenario) any { return len(s.Events) }, 10},
		{"halving rounds up", strings.Replace(evBase, "shards: 2", "shards: 5", 1) + "events:\n  - {at: 1s, update_shard_count: 3}\n", nil,
			func(s *Scenario) any { return s.ShardCountAt(time.Second) }, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("t.yaml", []byte(tt.src), tt.sets)
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.check(s); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestSetProblemsNewFields(t *testing.T) {
	tests := []struct{ src, set, field, msg string }{
		{consBase + "  - {}\n", "consumers[0].processing=-1ms", "consumers[0].processing", "must not be negative, got -1ms (--set consumers[0].processing=-1ms)"},
		{consBase + "  - {}\n", "consumers[0].processing.mean=1ms", "consumers[0].processing.mean", `unknown field "mean"`},
		{evBase + "events:\n  - {at: 10s, update_shard_count: 4}\n", "events[0].update_shard_count=5", "events[0].update_shard_count", "that is 1 to 4, got 5 (--set events[0].update_shard_count=5)"},
		{evBase, "events[0].at=1s", "events[0].at", "index 0 is past the end of events (no items)"},
	}
	for _, tt := range tests {
		ps := mustProblems(t, tt.src, tt.set)
		if len(ps) != 1 || ps[0].File != "--set" || ps[0].Field != tt.field || !strings.Contains(ps[0].Message, tt.msg) {
			t.Errorf("--set %s: got %v\nwant --set field %q message containing %q", tt.set, ps, tt.field, tt.msg)
		}
	}
}

func TestShardCountAt(t *testing.T) {
	s, err := Parse("t.yaml", []byte(evBase+"events:\n  - {at: 35s, update_shard_count: 8}\n  - {at: 30s, rate: {profile: constant, rps: 5}}\n  - {at: 20s, update_shard_count: 4}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		at   time.Duration
		want int
	}{{0, 2}, {20*time.Second - 1, 2}, {20 * time.Second, 4}, {34 * time.Second, 4}, {35 * time.Second, 8}, {time.Hour, 8}} {
		if got := s.ShardCountAt(tt.at); got != tt.want {
			t.Errorf("ShardCountAt(%s) = %d, want %d", tt.at, got, tt.want)
		}
	}
	// A scenario built by hand need not be sorted.
	hand := &Scenario{Stream: Stream{Shards: 2}, Events: []Event{reshardAt(2*time.Second, 8), reshardAt(time.Second, 4)}}
	if got := hand.ShardCountAt(90 * time.Second); got != 8 {
		t.Errorf("unsorted ShardCountAt = %d, want 8", got)
	}
	// ProblemAt follows the events to their sorted places.
	if p := s.ProblemAt("events[0].update_shard_count", "x"); p.Line != 11 {
		t.Errorf("ProblemAt(events[0]) = %v, want line 11 (the event at 20s)", p)
	}
}

func TestEventsInMatrix(t *testing.T) {
	src := evBase + "events:\n  - {at: 10s, update_shard_count: 4}\n  - {at: 20s, rate: {profile: constant, rps: 30}}\n" +
		"consumers:\n  - {name: c}\n" +
		"matrix:\n  stream.shards: [2, 3]\n  events[1].rate.rps: [30, 60]\n  consumers[0].processing: [1ms, 5ms]\n  consumers: [[{processing: 1ms}]]\n"
	_, err := Parse("t.yaml", []byte(src), nil)
	if err == nil || !strings.Contains(err.Error(), "values must be scalars") {
		t.Fatalf("a list as a matrix value: got %v", err)
	}
	src = strings.Replace(src, "  consumers: [[{processing: 1ms}]]\n", "", 1)
	s, err := Parse("t.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	cells, err := s.Cells()
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) != 8 {
		t.Fatalf("got %d cells, want 8", len(cells))
	}
	last := cells[7]
	if last.Stream.Shards != 3 || eventRPS(last.Events[1]) != 60 || last.Consumers[0].Processing.Fixed != 5*time.Millisecond {
		t.Errorf("last cell %q: shards %d, rate %g, processing %v", last.Cell, last.Stream.Shards, eventRPS(last.Events[1]), last.Consumers[0].Processing)
	}
	// A cell whose shard count makes an event invalid is reported as such.
	bad := strings.Replace(src, "stream.shards: [2, 3]", "stream.shards: [1, 2]", 1)
	ps := mustProblems(t, bad)
	if len(ps) != 1 || ps[0].Field != "events[0].update_shard_count" || !strings.Contains(ps[0].Message, "in matrix cell stream.shards=1") {
		t.Errorf("got %v, want one problem with events[0].update_shard_count in cell stream.shards=1", ps)
	}
}

func TestResolvedEvents(t *testing.T) {
	s, err := Parse("t.yaml", []byte(evBase+`consumers:
  - {processing: 2ms, concurrency: 3}
events:
  - {at: 30s, rate: {profile: constant, rps: 30}}
  - {at: 10s, update_shard_count: 4}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := s.Resolved()
	events := m["events"].([]any)
	want := []any{
		map[string]any{"at": "10s", "update_shard_count": 4},
		map[string]any{"at": "30s", "producer": "pay", "rate": map[string]any{"profile": "constant", "rps": 30.0}},
	}
	if !reflect.DeepEqual(events, want) {
		t.Errorf("events = %#v\nwant %#v", events, want)
	}
	c := m["consumers"].([]any)[0].(map[string]any)
	if !reflect.DeepEqual(c["processing"], map[string]any{"fixed": "2ms", "median": "0s", "p99": "0s"}) || c["concurrency"] != 3 || c["checkpoint_interval"] != "0s" {
		t.Errorf("consumer = %v", c)
	}
	if p := m["producers"].([]any)[0].(map[string]any); p["deadline"] != "0s" {
		t.Errorf("producer deadline = %v, want 0s", p["deadline"])
	}
	if _, ok := (&Scenario{}).Resolved()["events"]; ok {
		t.Error("events shown without events")
	}
}

func TestOrderingProblem(t *testing.T) {
	checkOneProblem(t, []problemRow{
		{"unknown ordering", evBase + "    ordering: strict\n", 8, "producers[0].ordering", `unknown ordering "strict"; want none, per_key, per_key_chain`},
	})
}
