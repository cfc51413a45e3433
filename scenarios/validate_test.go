package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mustProblems parses src and returns its problems, failing if it loads.
func mustProblems(t *testing.T, src string, sets ...string) Problems {
	t.Helper()
	s, err := Parse("t.yaml", []byte(src), sets)
	if err == nil {
		t.Fatalf("Parse succeeded, want problems; got %+v", s)
	}
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("error %v (%T) is not Problems", err, err)
	}
	return ps
}

// TestProblems has one row per validation error: each source has exactly
// one problem, and the row names its line, field and message.
func TestProblems(t *testing.T) {
	const prod = "producers:\n  - generator: payments\n    rate: {profile: constant, rps: 10}\n"
	tests := []struct {
		name  string
		src   string
		line  int
		field string
		msg   string
	}{
		{"syntax error", "name: t\nstream: {shards: 1\n" + prod, 3, "", "YAML syntax error"},
		{"empty file", "# nothing\n", 1, "", "the scenario is empty"},
		{"two documents", "name: t\n" + prod + "---\nname: u\n", 6, "", "one YAML document, found 2"},
		{"not a mapping", "- a\n- b\n", 1, "", "must be a mapping of fields"},
		{"unknown top-level key", "name: t\nshards: 4\n" + prod, 2, "shards", `unknown field "shards"; known fields: name, description`},
		{"duplicate key", "name: t\nduration: 10s\nduration: 20s\n" + prod, 3, "duration", `duplicate key "duration" (first set on line 2)`},
		{"name missing", prod, 1, "name", "is required"},
		{"name bad", "name: Payments_1\n" + prod, 1, "name", `"Payments_1" must be 1 to 64 lower-case`},
		{"name too long", "name: " + strings.Repeat("a", 65) + "\n" + prod, 1, "name", "must be 1 to 64"},
		{"name wrong type", "name: [a]\n" + prod, 1, "name", "must be a string, got a list"},
		{"target kind", "name: t\ntarget: {kind: kafka}\n" + prod, 2, "target.kind", `unknown target "kafka"`},
		{"target endpoint", "name: t\ntarget: {endpoint: 'ftp://x'}\n" + prod, 2, "target.endpoint", "must be an http:// or https:// URL"},
		{"target endpoint unparsable", "name: t\ntarget: {endpoint: 'http://[::1'}\n" + prod, 2, "target.endpoint", "is not a URL"},
		{"target region", "name: t\ntarget: {region: 'US East'}\n" + prod, 2, "target.region", "is not a region name"},
		{"sim with aws", "name: t\ntarget:\n  kind: aws\n  sim: {quotas: off}\n" + prod, 4, "target.sim", "only allowed with target kind sim, not aws"},
		{"sim unknown key", "name: t\ntarget:\n  sim: {quota: off}\n" + prod, 3, "target.sim.quota", `unknown field "quota"`},
		{"sim quotas", "name: t\ntarget:\n  sim: {quotas: some}\n" + prod, 3, "target.sim.quotas", `unknown quota mode "some"`},
		{"sim negative delay", "name: t\ntarget:\n  sim:\n    put_delay: -1ms\n" + prod, 4, "target.sim.put_delay", "must not be negative, got -1ms"},
		{"sim error rate", "name: t\ntarget:\n  sim:\n    error_rate: 1.5\n" + prod, 4, "target.sim.error_rate", "must be between 0 and 1, got 1.5"},
		{"sim retention", "name: t\ntarget:\n  sim:\n    retention: 0\n" + prod, 4, "target.sim.retention", "must be positive"},
		{"sim shard bytes", "name: t\ntarget:\n  sim:\n    shard_max_bytes: 10\n" + prod, 4, "target.sim.shard_max_bytes", "at least one maximal record"},
		{"sim max memory", "name: t\ntarget:\n  sim:\n    max_memory: 1048576\n" + prod, 4, "target.sim.max_memory", "at least 64 MiB"},
		{"workers", "name: t\nworkers: 47\n" + prod, 2, "workers", "must be between 0 and 46, got 47"},
		{"stream name", "name: t\nstream: {name: 'a b'}\n" + prod, 2, "stream.name", `"a b" must be 1 to 128`},
		{"stream shards zero", "name: t\nstream:\n  shards: 0\n" + prod, 3, "stream.shards", "must be between 1 and 10000, got 0"},
		{"stream shards type", "name: t\nstream:\n  shards: four\n" + prod, 3, "stream.shards", `must be an integer, got "four"`},
		{"stream shards float", "name: t\nstream:\n  shards: 1.5\n" + prod, 3, "stream.shards", `must be an integer, got "1.5"`},
		{"stream shards overflow", "name: t\nstream:\n  shards: 10000000000000000000\n" + prod, 3, "stream.shards", "integer 10000000000000000000 is out of range"},
		{"stream mode", "name: t\nstream: {mode: burst}\n" + prod, 2, "stream.mode", `unknown mode "burst"`},
		{"existing without name", "name: t\nstream:\n  existing: true\n" + prod, 3, "stream.existing", "an existing stream needs stream.name"},
		{"existing type", "name: t\nstream:\n  existing: yes please\n" + prod, 3, "stream.existing", "must be true or false"},
		{"duration unitless", "name: t\nduration: 30\n" + prod, 2, "duration", `must be a duration such as 30s, 1m30s or 250ms, got "30" (a number needs a unit)`},
		{"duration bad", "name: t\nduration: soon\n" + prod, 2, "duration", `got "soon"`},
		{"duration mapping", "name: t\nduration: {s: 1}\n" + prod, 2, "duration", "got a mapping"},
		{"duration zero", "name: t\nduration: 0\n" + prod, 2, "duration", "must be positive, got 0s"},
		{"warmup negative", "name: t\nwarmup: -1s\n" + prod, 2, "warmup", "must not be negative"},
		{"warmup too long", "name: t\nduration: 10s\nwarmup: 10s\n" + prod, 3, "warmup", "must be shorter than duration (10s), got 10s"},
		{"drain negative", "name: t\ndrain: -1s\n" + prod, 2, "drain", "must not be negative"},
		{"deadline negative", "name: t\ndeadline: -5ms\n" + prod, 2, "deadline", "must not be negative"},
		{"no producers", "name: t\n", 1, "producers", "at least one producer is required"},
		{"producers not a list", "name: t\nproducers: {generator: iot}\n", 2, "producers", "must be a list, got a mapping"},
		{"generator missing", "name: t\nproducers:\n  - rate: {profile: constant, rps: 10}\n", 3, "producers[0].generator", "is required"},
		{"generator unknown", "name: t\nproducers:\n  - generator: stocks\n    rate: {profile: constant, rps: 10}\n", 3, "producers[0].generator", `unknown generator "stocks"`},
		{"producer unknown key", prod + "    rates: 1\nname: t\n", 4, "producers[0].rates", `unknown field "rates"; known fields: name, generator, rate`},
		{"option unknown key", "name: t\n" + prod + "    options:\n      fraud: 0.1\n", 6, "producers[0].options.fraud", `unknown field "fraud"; known fields: cards`},
		{"option wrong type", "name: t\n" + prod + "    options:\n      cards: many\n", 6, "producers[0].options.cards", "must be an integer"},
		{"option invalid", "name: t\n" + prod + "    options:\n      fraud_rate: 2\n", 6, "producers[0].options.fraud_rate", "must be between 0 and 1"},
		{"option invalid absent key", "name: t\nproducers:\n  - generator: iot\n    rate: {profile: constant, rps: 10}\n    options:\n      period_min: 10s\n", 5, "producers[0].options.period_max", "must not be less than period_min"},
		{"options not a mapping", "name: t\n" + prod + "    options: 3\n", 5, "producers[0].options", "must be a mapping"},
		{"producer name bad", "name: t\n" + prod + "    name: 'a b'\n", 5, "producers[0].name", `"a b" must be 1 to 64`},
		{"producer name duplicate", "name: t\n" + prod + "    name: a\n" + prod[len("producers:\n"):] + "    name: a\n", 8, "producers[1].name", `"a" is already the name of producers[0]`},
		{"rate missing", "name: t\nproducers:\n  - generator: payments\n", 3, "producers[0].rate", "is required"},
		{"rate profile missing", "name: t\nproducers:\n  - generator: payments\n    rate: {rps: 10}\n", 4, "producers[0].rate.profile", "is required: constant, ramp"},
		{"rate profile unknown", "name: t\nproducers:\n  - generator: payments\n    rate: {profile: square, rps: 10}\n", 4, "producers[0].rate.profile", `unknown profile "square"`},
		{"rate unknown key", "name: t\nproducers:\n  - generator: payments\n    rate: {profile: constant, rps: 10, burst: 2}\n", 4, "producers[0].rate.burst", `unknown field "burst"`},
		{"rate foreign field", "name: t\nproducers:\n  - generator: payments\n    rate: {profile: constant, rps: 10, from: 1}\n", 4, "producers[0].rate.from", "is not used by profile constant (it uses rps)"},
		{"constant rps missing", "name: t\nproducers:\n  - generator: payments\n    rate: {profile: constant}\n", 4, "producers[0].rate.rps", "is required by profile constant"},
		{"constant rps zero", "name: t\nproducers:\n  - generator: payments\n    rate:\n      profile: constant\n      rps: 0\n", 6, "producers[0].rate.rps", "must be greater than 0"},
		{"poisson rps too high", "name: t\nproducers:\n  - generator: payments\n    rate: {profile: poisson, rps: 1e9}\n", 4, "producers[0].rate.rps", "at most 10000000"},
		{"ramp over missing", "name: t\nproducers:\n  - generator: payments\n    rate: {profile: ramp, from: 1, to: 10}\n", 4, "producers[0].rate.over", "is required by profile ramp"},
		{"ramp from missing", "name: t\nproducers:\n  - generator: payments\n    rate: {profile: ramp, to: 10, over: 5s}\n", 4, "producers[0].rate.from", "is required by profile ramp"},
		{"ramp negative", "name: t\nproducers:\n  - generator: payments\n    rate: {profile: ramp, from: -1, to: 10, over: 5s}\n", 4, "producers[0].rate.from", "must be between 0 and"},
		{"ramp both zero", "name: t\nproducers:\n  - generator: payments\n    rate: {profile: ramp, from: 0, to: 0, over: 5s}\n", 4, "producers[0].rate.to", "from or to must be greater than 0"},
		{"ramp over zero", "name: t\nproducers:\n  - generator: payments\n    rate: {profile: ramp, from: 0, to: 5, over: 0}\n", 4, "producers[0].rate.over", "must be positive"},
		{"steps empty", "name: t\nproducers:\n  - generator: payments\n    rate: {profile: steps, steps: []}\n", 4, "producers[0].rate.steps", "needs at least one step"},
		{"steps for zero", "name: t\nproducers:\n  - generator: payments\n    rate:\n      profile: steps\n      steps:\n        - {rps: 5, for: 0}\n", 7, "producers[0].rate.steps[0].for", "must be positive"},
		{"steps negative rps", "name: t\nproducers:\n  - generator: payments\n    rate:\n      profile: steps\n      steps:\n        - {rps: 5, for: 1s}\n        - {rps: -5, for: 1s}\n", 8, "producers[0].rate.steps[1].rps", "must be between 0 and"},
		{"steps all zero", "name: t\nproducers:\n  - generator: payments\n    rate:\n      profile: steps\n      steps:\n        - {rps: 0, for: 1s}\n", 6, "producers[0].rate.steps", "at least one step needs an rps greater than 0"},
		{"step unknown key", "name: t\nproducers:\n  - generator: payments\n    rate:\n      profile: steps\n      steps:\n        - {rps: 1, for: 1s, until: 2s}\n", 7, "producers[0].rate.steps[0].until", `unknown field "until"`},
		{"sine base missing", "name: t\nproducers:\n  - generator: payments\n    rate: {profile: sine, period: 10s}\n", 4, "producers[0].rate.base", "is required by profile sine"},
		{"sine amplitude above base", "name: t\nproducers:\n  - generator: payments\n    rate: {profile: sine, base: 10, amplitude: 20, period: 10s}\n", 4, "producers[0].rate.amplitude", "must be between 0 and base (10), got 20"},
		{"sine period missing", "name: t\nproducers:\n  - generator: payments\n    rate: {profile: sine, base: 10}\n", 4, "producers[0].rate.period", "is required by profile sine"},
		{"partition key", "name: t\n" + prod + "    partition_key: hash\n", 5, "producers[0].partition_key", `unknown strategy "hash"`},
		{"hot keys", "name: t\n" + prod + "    keys: {hot_keys: 0}\n", 5, "producers[0].keys.hot_keys", "must be between 1 and"},
		{"skew", "name: t\n" + prod + "    keys: {skew: 1}\n", 5, "producers[0].keys.skew", "greater than 1, got 1"},
		{"fixed key empty", "name: t\n" + prod + "    keys: {fixed: ''}\n", 5, "producers[0].keys.fixed", "1 to 256 characters, got 0"},
		{"batch records", "name: t\n" + prod + "    batch: {max_records: 501}\n", 5, "producers[0].batch.max_records", "must be between 1 and 500, got 501"},
		{"batch bytes", "name: t\n" + prod + "    batch: {max_bytes: 6000000}\n", 5, "producers[0].batch.max_bytes", "must be between 1 and 5242880"},
		{"batch linger", "name: t\n" + prod + "    batch: {linger: 11s}\n", 5, "producers[0].batch.linger", "must be between 0s and 10s, got 11s"},
		{"in flight", "name: t\n" + prod + "    in_flight: 0\n", 5, "producers[0].in_flight", "must be between 1 and 256, got 0"},
		{"concurrency", "name: t\n" + prod + "    concurrency: 2000\n", 5, "producers[0].concurrency", "must be between 1 and 1024"},
		{"seed type", "name: t\n" + prod + "    seed: x\n", 5, "producers[0].seed", "must be an integer"},
		{"retry attempts", "name: t\n" + prod + "    retry: {max_attempts: 0}\n", 5, "producers[0].retry.max_attempts", "must be between 1 and 100"},
		{"retry base", "name: t\n" + prod + "    retry: {base: 0, cap: 0}\n", 5, "producers[0].retry.base", "must be positive"},
		{"retry cap", "name: t\n" + prod + "    retry: {base: 1s, cap: 500ms}\n", 5, "producers[0].retry.cap", "must be at least retry.base (1s), got 500ms"},
		{"consumer kind", "name: t\n" + prod + "consumers:\n  - kind: push\n", 6, "consumers[0].kind", `unknown consumer kind "push"`},
		{"consumer poll zero", "name: t\n" + prod + "consumers:\n  - poll_interval: 0\n", 6, "consumers[0].poll_interval", "must be positive"},
		{"fanout poll", "name: t\n" + prod + "consumers:\n  - {kind: fanout, poll_interval: 1s}\n", 6, "consumers[0].poll_interval", "only for kind polling"},
		{"consumer count", "name: t\n" + prod + "consumers:\n  - {count: 0}\n", 6, "consumers[0].count", "must be between 1 and 20"},
		{"fanout total", "name: t\n" + prod + "consumers:\n  - {kind: fanout, count: 15}\n  - {kind: fanout, count: 15}\n", 5, "consumers", "30 fan-out consumers in all"},
		{"destinations without application", "name: t\n" + prod + "destinations:\n  - {name: out, kind: http}\n", 5, "destinations", "are written by an application"},
		{"destination kind", "name: t\n" + prod + "application: {external: true}\ndestinations:\n  - {name: out, kind: kafka}\n", 7, "destinations[0].kind", `unknown destination kind "kafka"; want kinesis, http or stdout`},
		{"stdout of external", "name: t\n" + prod + "application: {external: true}\ndestinations:\n  - {name: out, kind: stdout}\n", 7, "destinations[0].kind", "stdout is read from an application kbench starts"},
		{"expect some needs key", "name: t\n" + prod + "application: {external: true}\ndestinations:\n  - {name: out, kind: http, expect: some}\n", 7, "destinations[0].correlate.key", "is required with expect some"},
		{"correlate pair", "name: t\n" + prod + "application: {external: true}\ndestinations:\n  - {name: out, kind: http, correlate: {input: txn_id}}\n", 7, "destinations[0].correlate", "input and output go together"},
		{"stream of http", "name: t\n" + prod + "application: {external: true}\ndestinations:\n  - {name: out, kind: http, stream: {shards: 2}}\n", 7, "destinations[0].stream", "is only for kind kinesis"},
		{"application command and external", "name: t\n" + prod + "application: {external: true, command: [x]}\n", 5, "application.command", "an external application is not started"},
		{"application template", "name: t\n" + prod + "application: {command: [x, '{{.Streams.nope}}']}\n", 5, "application.command[1]", "bad template"},
		{"application env name", "name: t\n" + prod + "application:\n  command: [x]\n  env: {'A-B': x}\n", 7, "application.env.A-B", "is not an environment variable name"},
		{"envelope unknown", "name: t\nproducers:\n  - generator: payments\n    rate: {profile: constant, rps: 10}\n    envelope: suffix\n", 5, "producers[0].envelope", `unknown envelope "suffix"`},
		{"envelope field binary", "name: t\nproducers:\n  - generator: acoustic\n    rate: {profile: constant, rps: 10}\n    envelope: field\n", 5, "producers[0].envelope", "needs a generator of JSON records"},
		{"envelope none needs input", "name: t\nproducers:\n  - generator: payments\n    rate: {profile: constant, rps: 10}\n    envelope: none\n", 5, "producers[0].envelope", "needs a destination's correlate.input"},
		{"no producers", "name: t\nproducers: []\n", 2, "producers", "none only with stream.existing"},
		{"consumer limit", "name: t\n" + prod + "consumers:\n  - {limit: 10001}\n", 6, "consumers[0].limit", "must be between 1 and 10000"},
		{"consumer duplicate", "name: t\n" + prod + "consumers:\n  - {name: a}\n  - {name: a}\n", 7, "consumers[1].name", `"a" is already the name of consumers[0]`},
		{"consumer unknown key", "name: t\n" + prod + "consumers:\n  - {interval: 1s}\n", 6, "consumers[0].interval", `unknown field "interval"`},
		{"threshold syntax", "name: t\n" + prod + "thresholds:\n  - totals.lost == 0\n  - p99 is low\n", 7, "thresholds[1]", "must be METRIC OP NUMBER"},
		{"thresholds type", "name: t\n" + prod + "thresholds: totals.lost == 0\n", 5, "thresholds", "must be a list"},
		{"unknown alias", "name: t\n" + prod + "stream: *nowhere\n", 5, "stream", `unknown alias "nowhere"`},
		{"bad merge", "name: t\n" + prod + "stream:\n  <<: 3\n", 6, "stream", "a << merge needs a mapping"},
		{"matrix not mapping", "name: t\n" + prod + "matrix: [1, 2]\n", 5, "matrix", "must be a mapping from a --set path"},
		{"matrix empty axis", "name: t\n" + prod + "matrix:\n  stream.shards: []\n", 6, "matrix.stream.shards", "must be a non-empty list"},
		{"matrix non-scalar", "name: t\n" + prod + "matrix:\n  stream.shards: [[1]]\n", 6, "matrix.stream.shards", "values must be scalars"},
		{"matrix bad path", "name: t\n" + prod + "matrix:\n  stream..shards: [1]\n", 6, "matrix", "has an empty part"},
		{"matrix of matrix", "name: t\n" + prod + "matrix:\n  matrix: [1]\n", 6, "matrix.matrix", "cannot vary the matrix"},
		{"matrix same path twice", "name: t\n" + prod + "matrix:\n  producers[0].seed: [1]\n  producers.0.seed: [2]\n", 7, "matrix.producers[0].seed", "is already an axis (line 6)"},
		{"matrix too big", "name: t\n" + prod + "matrix:\n  producers[0].seed: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]\n  producers[0].in_flight: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]\n", 5, "matrix", "more than 256 cells"},
		{"matrix unknown path", "name: t\n" + prod + "matrix:\n  stream.shardz: [1, 2]\n", 6, "matrix.stream.shardz", `unknown field "shardz" in stream`},
		{"matrix unknown option", "name: t\n" + prod + "matrix:\n  producers[0].options.fraud: [1, 2]\n", 6, "producers[0].options.fraud", `unknown field "fraud"; known fields: cards`},
		{"matrix bad value", "name: t\n" + prod + "matrix:\n  stream.shards: [1, 0]\n", 6, "stream.shards", "must be between 1 and 10000, got 0 (matrix stream.shards=0)"},
		{"matrix index past end", "name: t\n" + prod + "matrix:\n  producers[3].seed: [1]\n", 6, "matrix.producers[3].seed", "index 3 is past the end of producers (1 items)"},
	}
	for _, tt := range tests {
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

// TestAllProblemsAtOnce checks that decode and value problems across the
// whole file come back together, sorted by line, with columns.
func TestAllProblemsAtOnce(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "many-problems.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ps := mustProblems(t, string(data))
	want := []string{
		"t.yaml:1:1: name: \"Bad Name\" must be 1 to 64",
		"t.yaml:3:3: stream.shards: must be between 1 and 10000, got 0",
		"t.yaml:4:3: stream.colour: unknown field \"colour\"",
		"t.yaml:5:11: duration: must be a duration such as 30s",
		"t.yaml:6:1: warmup: must not be negative",
		"t.yaml:8:5: producers[0].generator: unknown generator \"stocks\"",
		"t.yaml:9:5: producers[0].rate.rps: is required by profile constant",
		"t.yaml:9:12: producers[0].rate.from: is not used by profile constant",
		"t.yaml:10:5: producers[1].rate: is required",
		"t.yaml:11:7: producers[1].options.fraud_rate: must be between 0 and 1",
		"t.yaml:12:7: producers[1].options.bogus: unknown field \"bogus\"",
		"t.yaml:13:5: producers[1].in_flight: must be between 1 and 256, got 0",
		"t.yaml:15:14: thresholds[0]: threshold \"p99 < 5ms\": \"5ms\" is not a number",
	}
	wantProblemLines(t, ps, want)
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{File: "a.yaml", Line: 3, Column: 5, Field: "stream.shards", Message: "bad"}, "a.yaml:3:5: stream.shards: bad"},
		{Problem{File: "a.yaml", Line: 3, Message: "bad"}, "a.yaml:3: bad"},
		{Problem{File: "--set", Field: "duration", Message: "bad"}, "--set: duration: bad"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), nil)
	var ps Problems
	if err == nil || errors.As(err, &ps) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("got %v, want a wrapped not-exist error", err)
	}
}

// wantProblemLines checks that ps reports exactly the wanted problems, in
// order, each line starting with its want (file:line:col: field: message).
func wantProblemLines(t *testing.T, ps Problems, want []string) {
	t.Helper()
	lines := strings.Split(ps.Error(), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%s", len(lines), len(want), ps.Error())
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("problem %d:\n got %s\nwant %s…", i, lines[i], w)
		}
	}
}

func TestTraceFileProblems(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.csv"), []byte("time,value\n2025-11-28T00:00:00Z,5\nnoon,6\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	scenario := filepath.Join(dir, "s.yaml")
	src := "name: t\nproducers:\n  - generator: iot\n    rate: {profile: trace, file: bad.csv}\n"
	_, err := Parse(scenario, []byte(src), nil)
	want := scenario + ":4:28: producers[0].rate.file: " + filepath.Join(dir, "bad.csv") + ":3: time \"noon\""
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v; want it to contain %q", err, want)
	}
	if err := os.WriteFile(filepath.Join(dir, "good.csv"), []byte("0,600\n60,1200\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Parse(scenario, []byte(strings.Replace(src, "bad.csv", "good.csv", 1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Producers[0].Rate.Options.Peak(); got != 20 {
		t.Errorf("peak = %g; want 20 (1,200 records in the last minute)", got)
	}
}

func TestEnvelopeModeWithFormat(t *testing.T) {
	src := "name: t\nproducers:\n  - {generator: iot, options: {format: avro}, envelope: field, rate: {profile: constant, rps: 1}}\n"
	_, err := Parse("t.yaml", []byte(src), nil)
	if err == nil || !strings.Contains(err.Error(), "producers[0].envelope: field: these iot records carry the envelope in a field of their own") {
		t.Fatalf("err = %v; want envelope field refused with a record format", err)
	}
}
