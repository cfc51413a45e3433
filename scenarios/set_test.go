package scenarios

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kbench/kbench/generators"
)

const setBase = `name: t
stream:
  shards: 2
producers:
  - generator: payments
    rate: {profile: constant, rps: 10}
  - generator: iot
    rate: {profile: constant, rps: 20}
`

func TestSet(t *testing.T) {
	tests := []struct {
		name  string
		sets  []string
		check func(*Scenario) any // returns the value under test
		want  any
	}{
		{"top-level duration", []string{"duration=20s"}, func(s *Scenario) any { return s.Duration }, 20 * time.Second},
		{"existing nested key", []string{"stream.shards=8"}, func(s *Scenario) any { return s.Stream.Shards }, 8},
		{"missing key created", []string{"stream.mode=on-demand"}, func(s *Scenario) any { return s.Stream.Mode }, "on-demand"},
		{"missing mapping created", []string{"target.sim.quotas=off"}, func(s *Scenario) any { return s.Target.Sim.Quotas }, "off"},
		{"bracket index", []string{"producers[1].rate.rps=55.5"}, func(s *Scenario) any { return s.Producers[1].Rate.Options.(*generators.ConstantRate).RPS }, 55.5},
		{"dot index", []string{"producers.0.rate.rps=7"}, func(s *Scenario) any { return s.Producers[0].Rate.Options.(*generators.ConstantRate).RPS }, 7.0},
		{"option created", []string{"producers[0].options.fraud_rate=0.1"}, func(s *Scenario) any {
			return s.Producers[0].Options.(*generators.PaymentsOptions).FraudRate
		}, 0.1},
		{"flow value", []string{"producers[0].rate={profile: ramp, from: 1, to: 9, over: 5s}"}, func(s *Scenario) any { return s.Producers[0].Rate },
			Rate{Profile: "ramp", Options: &generators.RampRate{From: 1, To: 9, Over: 5 * time.Second}}},
		{"flow list", []string{"thresholds=[totals.lost == 0]"}, func(s *Scenario) any { return s.Thresholds }, []string{"totals.lost == 0"}},
		{"later set wins", []string{"duration=20s", "duration=40s"}, func(s *Scenario) any { return s.Duration }, 40 * time.Second},
		{"empty value means the default", []string{"stream.shards="}, func(s *Scenario) any { return s.Stream.Shards }, 1},
		{"value with equals sign", []string{"description=a=b"}, func(s *Scenario) any { return s.Description }, "a=b"},
		{"replace list item", []string{"producers[1]={generator: acoustic, rate: {profile: constant, rps: 4}}"}, func(s *Scenario) any { return s.Producers[1].Name }, "acoustic-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("t.yaml", []byte(setBase), tt.sets)
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.check(s); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestSetProblems(t *testing.T) {
	tests := []struct {
		name  string
		set   string
		field string
		msg   string
	}{
		{"no equals", "duration", "", `"duration" is not path=value`},
		{"empty path", "=5", "", "empty path"},
		{"empty part", "stream..shards=1", "", "has an empty part"},
		{"bad bracket", "producers[x].seed=1", "", "bad index"},
		{"leading index", "[0].seed=1", "", "starts with an index"},
		{"bad name", "stream.sh@rds=1", "", `bad name "sh@rds"`},
		{"unparsable value", "stream.shards=[1", "stream.shards", `cannot parse value "[1"`},
		{"wrong type", "stream.shards=abc", "stream.shards", `must be an integer, got "abc" (--set stream.shards=abc)`},
		{"invalid value", "stream.shards=0", "stream.shards", "must be between 1 and 10000, got 0 (--set stream.shards=0)"},
		{"unknown key", "stream.shardz=4", "stream.shardz", `unknown field "shardz"; known fields: name, shards, mode, existing (--set stream.shardz=4)`},
		{"unknown option", "producers[0].options.fraud=1", "producers[0].options.fraud", `unknown field "fraud"`},
		{"index past end", "producers[2].seed=1", "producers[2].seed", "index 2 is past the end of producers (2 items) (--set producers[2].seed=1)"},
		{"index into missing list", "consumers[0].kind=fanout", "consumers[0].kind", "index 0 is past the end of consumers (no items)"},
		{"index into mapping", "stream[0]=1", "stream[0]", "stream is not a list"},
		{"key into scalar", "name.x=1", "name.x", "name is not a mapping"},
		{"created key of the wrong kind", "duration.x=1", "duration", "must be a duration such as 30s, 1m30s or 250ms, got a mapping (--set duration.x=1)"},
		{"key into list", "producers.rate=1", "producers.rate", "producers is not a mapping"},
		{"profile mismatch", "producers[0].rate.from=5", "producers[0].rate.from", "is not used by profile constant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := mustProblems(t, setBase, tt.set)
			if len(ps) != 1 {
				t.Fatalf("got %d problems, want 1:\n%v", len(ps), ps)
			}
			p := ps[0]
			if p.File != "--set" || p.Line != 0 || p.Field != tt.field || !strings.Contains(p.Message, tt.msg) {
				t.Errorf("got %s:%d field %q message %q\nwant --set field %q message containing %q", p.File, p.Line, p.Field, p.Message, tt.field, tt.msg)
			}
		})
	}
}

func TestParsePath(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"duration", "duration"},
		{"producers[0].rate.rps", "producers[0].rate.rps"},
		{"producers.0.rate.rps", "producers[0].rate.rps"},
		{"producers[0].rate.steps[1].for", "producers[0].rate.steps[1].for"},
		{"a[1][2]", "a[1][2]"},
		{"target.sim.put_delay", "target.sim.put_delay"},
	}
	for _, tt := range tests {
		segs, err := parsePath(tt.in)
		if err != nil {
			t.Errorf("parsePath(%q): %v", tt.in, err)
			continue
		}
		if got := pathString(segs); got != tt.want {
			t.Errorf("parsePath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{"", ".", "a.", "a[", "a[]", "a[1", "a[1]x", "a]", "0.a", "a b", "a[-1]"} {
		if _, err := parsePath(bad); err == nil {
			t.Errorf("parsePath(%q) succeeded, want an error", bad)
		}
	}
}
