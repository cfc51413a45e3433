package scenarios

import (
	"fmt"
	"math"
	"path/filepath"
	"regexp"

	"github.com/kbench/kbench/collectors"
	"github.com/kbench/kbench/generators"
	"github.com/kbench/kbench/internal/clip"
	"github.com/kbench/kbench/internal/kind"
	"github.com/kbench/kbench/latency"
	"github.com/kbench/kbench/targets"
)

// Limits a scenario is checked against, beyond those of the types it holds.
const (
	maxShards      = 10000
	maxConcurrency = 1024
)

var (
	scenarioNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	streamNameRE   = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,128}$`)
	actorNameRE    = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,64}$`)
	regionRE       = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)
)

// finish fills the defaults that depend on other fields and checks every
// value, recording each problem.
func (d *decoder) finish(s *Scenario) {
	switch {
	case !d.has("name"):
		d.report("name", "is required")
	case len(s.Name) > 64 || !scenarioNameRE.MatchString(s.Name):
		d.report("name", fmt.Sprintf("%s must be 1 to 64 lower-case letters, digits and dashes, starting with a letter or digit", clip.Quote(s.Name)))
	}
	d.checkTarget(&s.Target)
	d.checkStream(s)
	switch {
	case s.Duration <= 0:
		d.report("duration", "must be positive, got "+s.Duration.String())
	case s.Warmup < 0:
		d.report("warmup", "must not be negative, got "+s.Warmup.String())
	case s.Warmup >= s.Duration:
		d.report("warmup", fmt.Sprintf("must be shorter than duration (%s), got %s", s.Duration, s.Warmup))
	}
	if s.MaxOverrun < 0 {
		d.report("max_overrun", "must not be negative, got "+s.MaxOverrun.String())
	}
	if s.Workers < 0 || s.Workers > targets.MaxWorkers {
		d.report("workers", fmt.Sprintf("must be between 0 and %d, got %d", targets.MaxWorkers, s.Workers))
	}
	if s.Drain < 0 {
		d.report("drain", "must not be negative, got "+s.Drain.String())
	}
	if s.Deadline < 0 {
		d.report("deadline", "must not be negative, got "+s.Deadline.String())
	}
	if len(s.Producers) == 0 && !s.Stream.Existing {
		d.report("producers", "at least one producer is required (none only with stream.existing: a stream someone else feeds)")
	}
	names := map[string]string{}
	for i := range s.Producers {
		p := &s.Producers[i]
		d.checkProducer(p, fmt.Sprintf("producers[%d]", i), i, names)
		p.Deadline = s.ProducerDeadline(i)
	}
	if d.has("consumers") {
		d.checkConsumers(s.Consumers)
	} else {
		var c Consumer
		c.setDefaults(0)
		c.Name, c.PollInterval = "collector", collectors.DefaultPollInterval
		s.Consumers = []Consumer{c}
	}
	d.checkApplication(s)
	d.checkDestinations(s)
	d.checkEvents(s)
	for i, expr := range s.Thresholds {
		if _, err := ParseThreshold(expr); err != nil {
			d.report(fmt.Sprintf("thresholds[%d]", i), err.Error())
		}
	}
}

// checkConsumers checks each consumer and the fan-out total.
func (d *decoder) checkConsumers(consumers []Consumer) {
	names := map[string]string{}
	fanout := 0
	for i := range consumers {
		c := &consumers[i]
		d.checkConsumer(c, fmt.Sprintf("consumers[%d]", i), i, names)
		if k, ok := collectors.Kinds.Lookup(c.Kind); ok && k.FanOut {
			fanout += c.Count
		}
	}
	if fanout > collectors.MaxConsumers {
		d.report("consumers", fmt.Sprintf("%d fan-out consumers in all; Kinesis registers at most %d per stream", fanout, collectors.MaxConsumers))
	}
}

func (d *decoder) checkTarget(t *Target) {
	kinds := targets.ScenarioKinds()
	k, known := kinds.Lookup(t.Kind)
	if !known {
		d.report("target.kind", fmt.Sprintf("unknown target %s; want %s", clip.Quote(t.Kind), kinds.Want()))
	}
	if t.Endpoint != "" {
		if err := CheckEndpoint(t.Endpoint); err != nil {
			d.report("target.endpoint", err.Error())
		}
	}
	if t.Region != "" {
		if err := CheckRegion(t.Region); err != nil {
			d.report("target.region", err.Error())
		}
	}
	if d.has("target.sim") && known && !k.SimOptions {
		d.report("target.sim", fmt.Sprintf("only allowed with target kind sim, not %s", t.Kind))
	}
	if l := t.Sim.Latency; !latency.IsBuiltIn(l) && !filepath.IsAbs(l) {
		t.Sim.Latency = filepath.Join(filepath.Dir(d.file), l) // relative to the scenario file
	}
	for _, fe := range t.Sim.Problems() {
		d.report("target.sim."+fe.Field, fe.Problem)
	}
}

func (d *decoder) checkStream(s *Scenario) {
	st := &s.Stream
	switch {
	case d.has("stream.name"):
		if !streamNameRE.MatchString(st.Name) {
			d.report("stream.name", fmt.Sprintf("%s must be 1 to 128 of the characters a-z A-Z 0-9 _ . -", clip.Quote(st.Name)))
		}
	case st.Existing:
		d.report("stream.existing", "an existing stream needs stream.name")
	default:
		st.Name = "kbench-" + s.Name
	}
	if st.Shards < 1 || st.Shards > maxShards {
		d.report("stream.shards", fmt.Sprintf("must be between 1 and %d, got %d", maxShards, st.Shards))
	}
	if st.Mode != "provisioned" && st.Mode != "on-demand" {
		d.report("stream.mode", fmt.Sprintf("unknown mode %s; want provisioned or on-demand", clip.Quote(st.Mode)))
	}
}

func (d *decoder) checkProducer(p *Producer, path string, index int, names map[string]string) {
	at := func(field string) string { return path + "." + field }
	switch {
	case !d.has(at("generator")):
		d.report(at("generator"), "is required ("+generators.Generators.Want()+")")
	case p.Options == nil:
		d.report(at("generator"), fmt.Sprintf("unknown generator %s; want %s", clip.Quote(p.Generator), generators.Generators.Want()))
	default:
		if fo, ok := p.Options.(generators.FileOptions); ok {
			fo.Resolve(filepath.Dir(d.file))
		}
		for _, fe := range p.Options.Validate() {
			d.report(at("options."+fe.Field), fe.Problem)
		}
	}
	if !d.has(at("name")) {
		p.Name = fmt.Sprintf("%s-%d", p.Generator, index)
	}
	d.checkName(p.Name, at("name"), path, names)
	if p.SelfPaced() {
		if d.has(at("rate")) {
			d.report(at("rate"), "is not used with pace: recorded: the file's own times pace the records (options.speed scales them)")
		}
	} else {
		d.checkRate(&p.Rate, at("rate"))
	}
	if _, ok := generators.KeyKinds.Lookup(p.PartitionKey); !ok {
		d.report(at("partition_key"), fmt.Sprintf("unknown strategy %s; want %s", clip.Quote(p.PartitionKey), generators.KeyKinds.Want()))
	}
	keys := generators.KeyConfig{HotKeys: p.Keys.HotKeys, Skew: p.Keys.Skew, Fixed: p.Keys.Fixed}
	for _, fe := range keys.Problems() {
		d.report(at("keys."+fe.Field), fe.Problem)
	}
	d.fillPacking(p, at)
	for _, fe := range p.SendProblems() {
		d.report(at(fe.Field), fe.Problem)
	}
	d.checkInt(at("concurrency"), p.Concurrency, 1, maxConcurrency)
	if p.Deadline < 0 {
		d.report(at("deadline"), "must not be negative, got "+p.Deadline.String())
	}
}

func (d *decoder) checkConsumer(c *Consumer, path string, index int, names map[string]string) {
	at := func(field string) string { return path + "." + field }
	if !d.has(at("name")) {
		c.Name = fmt.Sprintf("collector-%d", index)
	}
	d.checkName(c.Name, at("name"), path, names)
	k, ok := collectors.Kinds.Lookup(c.Kind)
	polls := ok && k.PollInterval > 0
	switch {
	case !ok:
		d.report(at("kind"), fmt.Sprintf("unknown consumer kind %s; want %s", clip.Quote(c.Kind), collectors.Kinds.Want()))
	case k.PollInterval == 0:
		if d.has(at("poll_interval")) {
			d.report(at("poll_interval"), fmt.Sprintf("is only for kind %s; %s consumers do not poll", pollingKinds(), c.Kind))
		}
	case !d.has(at("poll_interval")):
		c.PollInterval = k.PollInterval
	}
	d.checkInt(at("count"), c.Count, 1, collectors.MaxConsumers)
	for _, fe := range c.config().Problems() {
		field := at(fe.Field)
		switch {
		case fe.Field == "poll_interval" && !polls:
			continue // reported above if set: such a consumer does not poll
		case fe.Field == "processing.fixed" && !d.has(field):
			field = at("processing") // the scalar form `processing: 2ms`
		}
		d.report(field, fe.Problem)
	}
}

// config returns the settings of c that collectors.Config checks.
func (c *Consumer) config() collectors.Config {
	return collectors.Config{
		PollInterval:       c.PollInterval,
		Limit:              int32(min(max(c.Limit, math.MinInt32), math.MaxInt32)),
		Processing:         collectors.Processing{Fixed: c.Processing.Fixed, Median: c.Processing.Median, P99: c.Processing.P99},
		Concurrency:        c.Concurrency,
		CheckpointInterval: c.CheckpointInterval,
	}
}

// pollingKinds lists the consumer kinds that poll, for messages.
func pollingKinds() string {
	var out kind.Table[collectors.Kind]
	for _, k := range collectors.Kinds {
		if k.PollInterval > 0 {
			out = append(out, k)
		}
	}
	return out.Want()
}

// checkName checks a producer or consumer name and that it is unique.
func (d *decoder) checkName(name, field, owner string, names map[string]string) {
	if !actorNameRE.MatchString(name) {
		d.report(field, fmt.Sprintf("%s must be 1 to 64 of the characters a-z A-Z 0-9 _ . -", clip.Quote(name)))
		return
	}
	if prev, dup := names[name]; dup {
		d.report(field, fmt.Sprintf("%s is already the name of %s", clip.Quote(name), prev))
		return
	}
	names[name] = owner
}

func (d *decoder) checkInt(field string, v, lo, hi int) {
	if v < lo || v > hi {
		d.report(field, fmt.Sprintf("must be between %d and %d, got %d", lo, hi, v))
	}
}
