// Package scenarios holds kbench's scenario spec: the types a scenario file
// decodes into, strict YAML decoding that reports every problem at once with
// file, line and field, --set overrides, matrix expansion into one scenario
// per cell, and the threshold expressions that judge a run.
//
// A scenario file looks like this (see the example *.yaml files in this
// folder for every field):
//
//	name: payments-fraud-window
//	stream: {shards: 4}
//	duration: 60s
//	warmup: 10s
//	deadline: 500ms
//	producers:
//	  - generator: payments
//	    options: {fraud_rate: 0.01}
//	    rate: {profile: constant, rps: 2000}
//	thresholds: ["latency.e2e.p99_ms < 500", "totals.lost == 0"]
//
// Every field but name and producers has a default, filled in by Load, so a
// loaded Scenario (and its Resolved tree) shows exactly what will run.
package scenarios

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/kbench/kbench/collectors"
	"github.com/kbench/kbench/generators"
	"github.com/kbench/kbench/sim"
	"github.com/kbench/kbench/targets"
)

// Scenario is one benchmark: what data flows, how fast, into which stream,
// for how long, and what "good" means.
type Scenario struct {
	// Name identifies the scenario: lower-case letters, digits and dashes,
	// starting with a letter or digit, at most 64 characters. Required.
	Name string `yaml:"name" json:"name"`
	// Description says what the scenario is for.
	Description string `yaml:"description" json:"description"`
	// Target is where the records go.
	Target Target `yaml:"target" json:"target"`
	// Stream is the Kinesis stream the records go into.
	Stream Stream `yaml:"stream" json:"stream"`
	// Duration is how long the producers run, warmup included. Default 30s.
	Duration time.Duration `yaml:"duration" json:"duration"`
	// Warmup is the first part of Duration, excluded from the results.
	// Default 0; less than Duration.
	Warmup time.Duration `yaml:"warmup" json:"warmup"`
	// MaxOverrun is how long after Duration producers that fell behind may
	// go on sending records that were due within Duration. At
	// Duration + MaxOverrun they stop: what was due but not sent by then is
	// counted unsent (cause "overrun" or "not_generated") and late. Default
	// 0: the run's length does not depend on how fast the target answers.
	MaxOverrun time.Duration `yaml:"max_overrun" json:"max_overrun"`
	// Drain is how long collectors keep reading after the producers stop.
	// Default 10s.
	Drain time.Duration `yaml:"drain" json:"drain"`
	// Deadline is the time value of the data: a record that arrives later
	// than this after its intended send time is late. 0 means none.
	Deadline time.Duration `yaml:"deadline" json:"deadline"`
	// Producers write the records; at least one, unless the stream is an
	// existing one someone else feeds.
	Producers []Producer `yaml:"producers" json:"producers"`
	// Consumers read the records back. Default: one polling consumer named
	// "collector" polling every 250ms. An empty list is allowed: the
	// application under test is then the only reader.
	Consumers []Consumer `yaml:"consumers" json:"consumers"`
	// Application is the user's own program under test, which reads the
	// stream and writes to Destinations; see docs/application.md.
	Application *Application `yaml:"application" json:"application,omitempty"`
	// Destinations are where the application writes its outputs, each
	// read by a kbench collector and measured end to end.
	Destinations []Destination `yaml:"destinations" json:"destinations,omitempty"`
	// Events change the run while it goes: a stream's shard count or a
	// producer's rate at a given time. Load sorts them by At (stably), so
	// they are in the order they happen.
	Events []Event `yaml:"events" json:"events,omitempty"`
	// Workers is how many kbench processes share the run when it runs as
	// a distributed run (kbench run --worker I/N, or a Kubernetes Indexed
	// Job's JOB_COMPLETION_INDEX); 0 leaves it to --workers. See
	// docs/distributed.md.
	Workers int `yaml:"workers" json:"workers,omitempty"`
	// Thresholds are pass/fail rules such as "latency.e2e.p99_ms < 500";
	// see ParseThreshold.
	Thresholds []string `yaml:"thresholds" json:"thresholds"`
	// Matrix is the scenario's `matrix:` mapping in file order: each axis
	// is a --set path and the values it takes. Cells expands it.
	Matrix []MatrixAxis `yaml:"-" json:"matrix,omitempty"`
	// File is the path the scenario was loaded from (the name given to
	// Parse).
	File string `yaml:"-" json:"-"`
	// Cell labels a matrix cell, for example "stream.shards=4"; it is ""
	// for a scenario without a matrix and for the unexpanded scenario.
	Cell string `yaml:"-" json:"cell,omitempty"`

	src *source             // what the scenario was built from, for Cells
	pos map[string]position // where each field was set, for ProblemAt
}

// Target says where the records go.
type Target struct {
	// Kind is sim (default), kinesis-mock, localstack or aws.
	Kind string `yaml:"kind" json:"kind"`
	// Endpoint optionally overrides the target's URL (http or https).
	Endpoint string `yaml:"endpoint" json:"endpoint"`
	// Region is the AWS region. Empty means the target's default: for aws
	// the region of the AWS configuration (AWS_REGION, the profile), for
	// the local targets us-east-1.
	Region string `yaml:"region" json:"region"`
	// Sim configures the simulated endpoint; only allowed with kind sim.
	// Default sim.DefaultConfig().
	Sim sim.Config `yaml:"sim" json:"sim"`
}

// Stream is the Kinesis stream a scenario writes to and reads from.
type Stream struct {
	// Name is the stream name: 1 to 128 of [a-zA-Z0-9_.-].
	// Default "kbench-" + the scenario name. Required with Existing.
	Name string `yaml:"name" json:"name"`
	// Shards is the shard count of a provisioned stream, 1..10000.
	// Default 1. On-demand streams ignore it: Kinesis sizes them itself.
	Shards int `yaml:"shards" json:"shards"`
	// Mode is provisioned (default) or on-demand.
	Mode string `yaml:"mode" json:"mode"`
	// Existing uses a stream that already exists instead of creating (and
	// afterwards deleting) one.
	Existing bool `yaml:"existing" json:"existing"`
}

// Producer is one kind of synthetic traffic: a generator, its rate profile,
// how records are keyed and batched, and how many instances send it.
type Producer struct {
	// Name identifies the producer in results. Default
	// "<generator>-<index>"; unique within the scenario.
	Name string `yaml:"name" json:"name"`
	// Generator names a generator of generators.Generators: payments,
	// iot, acoustic, replay or blob.
	Generator string `yaml:"generator" json:"generator"`
	// Options are the generator's settings, decoded strictly from
	// `options:` on top of generators.NewOptions(Generator).
	Options generators.Options `yaml:"-" json:"options"`
	// Rate is the open-model rate profile of the whole producer.
	Rate Rate `yaml:"rate" json:"rate"`
	// PartitionKey is the key strategy: entity (default), random, zipf,
	// fixed or explicit.
	PartitionKey string `yaml:"partition_key" json:"partition_key"`
	// Keys tunes the zipf and fixed key strategies.
	Keys KeyOptions `yaml:"keys" json:"keys"`
	// Batch bounds the PutRecords calls.
	Batch Batch `yaml:"batch" json:"batch"`
	// Aggregation, when set, packs user records into KPL aggregated
	// Kinesis records.
	Aggregation *Aggregation `yaml:"aggregation" json:"aggregation,omitempty"`
	// Compression, when set, compresses each Kinesis record.
	Compression *Compression `yaml:"compression" json:"compression,omitempty"`
	// InFlight is how many PutRecords calls one producer instance keeps in
	// flight, 1..256. Default 8.
	InFlight int `yaml:"in_flight" json:"in_flight"`
	// Timeout bounds each PutRecords call, up to 5m; 0 leaves only the
	// client's own 30 s. Default 30s. A call
	// that times out is a transport failure, yet the target may have stored
	// its records: the summary counts those in totals.failed_delivered.
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// Ordering is none (default: batches go out InFlight at a time, and a
	// resent record may land behind later records of its key) or per_key (a
	// later record of a partition key is never accepted before an earlier
	// one: per-shard batches, one call in flight per shard, failed records
	// resent before anything newer of their shard) or per_key_chain (the
	// same order by PutRecord chains with SequenceNumberForOrdering). See
	// docs/ordering.md.
	Ordering string `yaml:"ordering" json:"ordering"`
	// Concurrency is the number of producer instances, 1..1024, which split
	// the rate evenly (and a replayed file's records: record i goes to
	// instance i mod Concurrency). Default 1.
	Concurrency int `yaml:"concurrency" json:"concurrency"`
	// Seed seeds the generator. Default 1 + the producer's index.
	Seed int64 `yaml:"seed" json:"seed"`
	// Retry is the policy for records that fail.
	Retry Retry `yaml:"retry" json:"retry"`
	// Envelope is how kbench's envelope travels in each record: prefix
	// (default, 40 binary bytes before the payload), field (the JSON field
	// "_kb") or none (inputs remembered by a destination's
	// correlate.input).
	Envelope string `yaml:"envelope" json:"envelope"`
	// Deadline is the time value of this producer's data, like the
	// scenario's Deadline, which it overrides. 0 means the scenario's
	// Deadline, which Load fills in; see Scenario.ProducerDeadline.
	Deadline time.Duration `yaml:"deadline" json:"deadline"`
}

// orderings are the values of Producer.Ordering.
var orderings = []string{"none", "per_key", "per_key_chain"}

// orderingDocs describes orderings for the JSON Schema.
const orderingDocs = "none: batches go out in_flight at a time; a resent record may land behind later records of its key.\n" +
	"per_key: a key's later record is never accepted before an earlier one (per-shard batches, one call in flight per shard).\n" +
	"per_key_chain: the same order by PutRecord chains: one record per call, one call in flight per key, SequenceNumberForOrdering set (slower: docs/ordering.md)."

// Rate is an open-model rate profile in records per second: the profile's
// name and its options, whose fields sit beside `profile:` in the file. Only
// the fields of the chosen profile may be set; generators.RateProfiles lists
// the profiles and their options.
type Rate struct {
	// Profile names a profile of generators.RateProfiles. Required.
	Profile string `yaml:"profile" json:"profile"`
	// Options are the profile's fields, decoded strictly into the options
	// type of Profile.
	Options generators.RateOptions `yaml:"-" json:"-"`
}

// MarshalJSON writes the profile and its options' fields in one object, as
// the file has them.
func (r Rate) MarshalJSON() ([]byte, error) {
	return json.Marshal(rateTree(r))
}

// KeyOptions tunes the partition-key strategies.
type KeyOptions struct {
	// HotKeys is the number of distinct keys the zipf strategy draws from.
	// Default 1000.
	HotKeys int `yaml:"hot_keys" json:"hot_keys"`
	// Skew is the zipf exponent s (> 1). Default 1.2.
	Skew float64 `yaml:"skew" json:"skew"`
	// Fixed is the one key of the fixed strategy. Default "kbench-fixed".
	Fixed string `yaml:"fixed" json:"fixed"`
}

// Batch bounds one PutRecords call.
type Batch struct {
	// MaxRecords is 1..500. Default 500.
	MaxRecords int `yaml:"max_records" json:"max_records"`
	// MaxBytes is 1..5 MiB of data and partition keys. Default 5 MiB.
	MaxBytes int `yaml:"max_bytes" json:"max_bytes"`
	// Linger is how long a batch waits to fill, 0..10s. Default 50ms.
	Linger time.Duration `yaml:"linger" json:"linger"`
}

// Retry is the policy for records that fail: capped, jittered exponential
// backoff, resending only the failed records.
type Retry struct {
	// MaxAttempts counts the first attempt, 1..100. Default 8.
	MaxAttempts int `yaml:"max_attempts" json:"max_attempts"`
	// Base is the first backoff. Default 50ms.
	Base time.Duration `yaml:"base" json:"base"`
	// Cap bounds the backoff, at least Base. Default 2s.
	Cap time.Duration `yaml:"cap" json:"cap"`
}

// Consumer is one consumer application reading the whole stream.
type Consumer struct {
	// Name identifies the consumer in results. Default "collector-<index>";
	// unique within the scenario.
	Name string `yaml:"name" json:"name"`
	// Kind is polling (GetRecords, default) or fanout (SubscribeToShard).
	Kind string `yaml:"kind" json:"kind"`
	// PollInterval is the pause between GetRecords calls on a shard.
	// Default 250ms; polling only.
	PollInterval time.Duration `yaml:"poll_interval" json:"poll_interval"`
	// Count is how many independent applications of this spec read the
	// stream, 1..20. Default 1.
	Count int `yaml:"count" json:"count"`
	// Limit is GetRecords' Limit, 1..10000. Default 10000.
	Limit int `yaml:"limit" json:"limit"`
	// Processing is the simulated time the application spends on each
	// record after reading it, fixed or log-normal. Default none.
	Processing Processing `yaml:"processing" json:"processing"`
	// Concurrency is how many shards one application processes at once;
	// the others wait for a turn. 0 (default) means no limit.
	Concurrency int `yaml:"concurrency" json:"concurrency"`
	// CheckpointInterval is how often the application checkpoints its
	// position in each shard; records processed but not yet checkpointed
	// would be read again after a crash. 0 (default) checkpoints after
	// every batch of records.
	CheckpointInterval time.Duration `yaml:"checkpoint_interval" json:"checkpoint_interval"`
}

// MatrixAxis is one axis of a scenario matrix: a --set path and the values
// it takes, kept as YAML scalar text.
type MatrixAxis struct {
	// Path is the --set path as written, such as "stream.shards".
	Path string `json:"path"`
	// Values are the values' YAML text, such as "4" or "on-demand".
	Values []string `json:"values"`
}

// source is what a scenario was built from, kept so Cells can rebuild it
// with each cell's values applied.
type source struct {
	name string
	data []byte
	sets []string
}

var (
	producerType   = reflect.TypeFor[Producer]()
	processingType = reflect.TypeFor[Processing]()
	rateType       = reflect.TypeFor[Rate]()
	eventType      = reflect.TypeFor[Event]()
)

// Load reads, strictly decodes and validates a scenario file, applying the
// --set overrides ("path=value") first. When the file is readable, every
// problem is reported at once as Problems; a matrix's cells are validated
// too.
func Load(path string, sets []string) (*Scenario, error) {
	data, err := readLimited(path)
	if errors.Is(err, errTooLarge) {
		return nil, Problems{{File: path, Message: err.Error()}}
	}
	if err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	return Parse(path, data, sets)
}

// Parse is Load for a scenario already in memory; name is used in messages
// and as Scenario.File.
//
// A scenario over MaxFileBytes, nested deeper than MaxDepth or holding more
// than MaxNodes nodes is refused with one Problem before it is parsed.
func Parse(name string, data []byte, sets []string) (*Scenario, error) {
	if len(data) > MaxFileBytes {
		return nil, Problems{{File: name, Message: errTooLarge.Error()}}
	}
	if line, msg := checkShape(data); line > 0 {
		return nil, Problems{{File: name, Line: line, Message: msg}}
	}
	src := &source{name: name, data: slices.Clone(data), sets: slices.Clone(sets)}
	s, probs := src.build(-1)
	if len(probs) == 0 && len(s.Matrix) > 0 {
		_, probs = src.cells()
	}
	if len(probs) > 0 {
		probs.sort()
		return nil, probs
	}
	return s, nil
}

// build parses, overrides, decodes and validates the scenario; cell ≥ 0
// also applies that matrix cell's values.
func (src *source) build(cell int) (*Scenario, Problems) {
	d := newDecoder(src.name)
	root := d.parseRoot(src.data)
	if root == nil {
		return nil, d.probs
	}
	d.collectAnchors(root)
	for _, set := range src.sets {
		d.applySet(root, set)
	}
	s := &Scenario{
		Duration: 30 * time.Second,
		Drain:    10 * time.Second,
		Target:   Target{Kind: targets.KindSim, Sim: sim.DefaultConfig()},
		Stream:   Stream{Shards: 1, Mode: "provisioned"},
		File:     src.name,
		src:      src,
	}
	if cell >= 0 {
		axes := d.matrix(root, nil)
		s.Cell = d.applyCell(root, axes, cell)
		s.Matrix = axisList(axes)
	}
	d.decodeStruct(root, reflect.ValueOf(s).Elem(), "", nil, map[string]func(*ast.MappingValueNode, *origin){
		"matrix": func(kv *ast.MappingValueNode, org *origin) {
			s.Matrix = axisList(d.decodeMatrix(kv, org))
		},
	})
	if d.budget < 0 {
		// The decode stopped part way: what it did not reach would only
		// show as false problems.
		return nil, d.probs
	}
	d.finish(s)
	s.pos = d.seen
	return s, d.probs
}

// parseRoot parses data into the scenario's top-level mapping, or records
// why it cannot and returns nil.
func (d *decoder) parseRoot(data []byte) *ast.MappingNode {
	f, err := parser.ParseBytes(data, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		d.probs = append(d.probs, syntaxProblem(d.file, err))
		return nil
	}
	var docs []*ast.DocumentNode
	for _, doc := range f.Docs {
		if doc != nil && doc.Body != nil {
			docs = append(docs, doc)
		}
	}
	if len(docs) == 0 {
		d.probs = append(d.probs, Problem{File: d.file, Line: 1, Column: 1, Message: "the scenario is empty"})
		return nil
	}
	if len(docs) > 1 {
		d.addAt(docs[1].Body, nil, "", fmt.Sprintf("a scenario file holds one YAML document, found %d", len(docs)))
		return nil
	}
	root, ok := d.resolve(docs[0].Body).(*ast.MappingNode)
	if !ok {
		d.addAt(docs[0].Body, nil, "", "a scenario must be a mapping of fields, got "+describe(docs[0].Body))
		return nil
	}
	line, col := nodePos(root)
	d.seen[""] = position{line: line, col: col}
	return root
}

// syntaxProblem turns a YAML parse error into a Problem at its position.
func syntaxProblem(file string, err error) Problem {
	p := Problem{File: file, Message: "YAML syntax error: " + err.Error()}
	if ye, ok := err.(yaml.Error); ok {
		p.Message = "YAML syntax error: " + ye.GetMessage()
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			p.Line, p.Column = tk.Position.Line, tk.Position.Column
		}
	}
	return p
}

// setDefaults fills a producer's index-independent defaults before it is
// decoded; finish fills the rest.
func (p *Producer) setDefaults(index int) {
	*p = Producer{
		PartitionKey: generators.KeyKinds[0].Name,
		Envelope:     EnvelopePrefix,
		Keys:         KeyOptions{HotKeys: 1000, Skew: 1.2, Fixed: "kbench-fixed"},
		Batch:        Batch{MaxRecords: 500, MaxBytes: 5 << 20, Linger: 50 * time.Millisecond},
		InFlight:     8,
		Timeout:      30 * time.Second,
		Ordering:     "none",
		Concurrency:  1,
		Seed:         1 + int64(index),
		Retry:        Retry{MaxAttempts: 8, Base: 50 * time.Millisecond, Cap: 2 * time.Second},
	}
}

// setDefaults fills a consumer's defaults before it is decoded; finish
// fills the name and, for polling, the poll interval.
func (c *Consumer) setDefaults(int) {
	*c = Consumer{Kind: collectors.KindPolling, Count: 1, Limit: 10000}
}

// decodeProducer decodes one producer; its options are decoded after the
// rest, into the options type of its generator.
func (d *decoder) decodeProducer(n ast.Node, p *Producer, path string, org *origin) {
	var optKV *ast.MappingValueNode
	var optOrg *origin
	d.decodeStruct(n, reflect.ValueOf(p).Elem(), path, org, map[string]func(*ast.MappingValueNode, *origin){
		"options": func(kv *ast.MappingValueNode, o *origin) { optKV, optOrg = kv, o },
	})
	opts, err := generators.NewOptions(p.Generator)
	if err != nil {
		return // finish reports the unknown or missing generator
	}
	if optKV != nil {
		d.decodeValue(optKV.Value, reflect.ValueOf(opts).Elem(), joinPath(path, "options"), optOrg)
	}
	p.Options = opts
}

// ProducerDeadline returns the deadline of producer i: its own Deadline, or
// the scenario's Deadline when that is 0.
func (s *Scenario) ProducerDeadline(i int) time.Duration {
	if d := s.Producers[i].Deadline; d > 0 {
		return d
	}
	return s.Deadline
}

// ProblemAt returns a Problem for a check made after loading (for example one
// that needs another package), pointing at where field was set: its line in
// the file, or the --set or matrix value it came from. field is a dotted path
// as in Problem.Field, such as "thresholds[0]".
func (s *Scenario) ProblemAt(field, msg string) Problem {
	for f := field; f != ""; f = parentPath(f) {
		if p, ok := s.pos[f]; ok {
			return p.org.problem(s.File, p.line, p.col, field, msg)
		}
	}
	return Problem{File: s.File, Field: field, Message: msg}
}
