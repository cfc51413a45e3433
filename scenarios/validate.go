package scenarios

import (
	"fmt"
	"math"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kbench/kbench/sim"
)

// Limits a scenario is checked against.
const (
	maxRPS         = 10_000_000 // per producer; far beyond one machine
	maxBatchBytes  = 5 << 20    // PutRecords request size
	maxLinger      = 10 * time.Second
	maxConsumers   = 20 // registered consumers per stream
	maxRetries     = 100
	maxShards      = 10000
	maxInFlight    = 256
	maxConcurrency = 1024
	maxHotKeys     = 10_000_000
)

var (
	scenarioNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	streamNameRE   = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,128}$`)
	actorNameRE    = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,64}$`)
	regionRE       = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)
)

// rateFields lists the rate fields each profile uses.
var rateFields = map[string][]string{
	"constant": {"rps"},
	"poisson":  {"rps"},
	"ramp":     {"from", "to", "over"},
	"steps":    {"steps"},
	"sine":     {"base", "amplitude", "period"},
}

// finish fills the defaults that depend on other fields and checks every
// value, recording each problem.
func (d *decoder) finish(s *Scenario) {
	switch {
	case !d.has("name"):
		d.report("name", "is required")
	case len(s.Name) > 64 || !scenarioNameRE.MatchString(s.Name):
		d.report("name", fmt.Sprintf("%q must be 1 to 64 lower-case letters, digits and dashes, starting with a letter or digit", s.Name))
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
	if s.Drain < 0 {
		d.report("drain", "must not be negative, got "+s.Drain.String())
	}
	if s.Deadline < 0 {
		d.report("deadline", "must not be negative, got "+s.Deadline.String())
	}
	if len(s.Producers) == 0 {
		d.report("producers", "at least one producer is required")
	}
	names := map[string]string{}
	for i := range s.Producers {
		p := &s.Producers[i]
		d.checkProducer(p, fmt.Sprintf("producers[%d]", i), i, names)
		if p.Deadline == 0 {
			p.Deadline = s.Deadline
		}
	}
	if d.has("consumers") {
		d.checkConsumers(s.Consumers)
	} else {
		s.Consumers = []Consumer{{Name: "collector", Kind: "polling", PollInterval: 250 * time.Millisecond, Count: 1, Limit: 10000}}
	}
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
	if len(consumers) == 0 {
		d.report("consumers", "at least one consumer is required; leave consumers out for the default collector")
	}
	fanout := 0
	for i := range consumers {
		c := &consumers[i]
		d.checkConsumer(c, fmt.Sprintf("consumers[%d]", i), i, names)
		if c.Kind == "fanout" {
			fanout += c.Count
		}
	}
	if fanout > maxConsumers {
		d.report("consumers", fmt.Sprintf("%d fan-out consumers in all; Kinesis registers at most %d per stream", fanout, maxConsumers))
	}
}

func (d *decoder) checkTarget(t *Target) {
	switch t.Kind {
	case "sim", "kinesis-mock", "localstack", "aws":
	default:
		d.report("target.kind", fmt.Sprintf("unknown target %q; want sim, kinesis-mock, localstack or aws", t.Kind))
	}
	if t.Endpoint != "" {
		u, err := url.Parse(t.Endpoint)
		switch {
		case err != nil:
			d.report("target.endpoint", fmt.Sprintf("%q is not a URL: %v", t.Endpoint, err))
		case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
			d.report("target.endpoint", fmt.Sprintf("%q must be an http:// or https:// URL with a host", t.Endpoint))
		}
	}
	if t.Region != "" && !regionRE.MatchString(t.Region) {
		d.report("target.region", fmt.Sprintf("%q is not a region name such as us-east-1", t.Region))
	}
	if d.has("target.sim") && t.Kind != "sim" {
		d.report("target.sim", fmt.Sprintf("only allowed with target kind sim, not %s", t.Kind))
	}
	c := &t.Sim
	if c.Quotas != sim.QuotasAWS && c.Quotas != sim.QuotasOff {
		d.report("target.sim.quotas", fmt.Sprintf("unknown quota mode %q; want %s or %s", c.Quotas, sim.QuotasAWS, sim.QuotasOff))
	}
	// Every delay and window of the simulator is a duration ≥ 0.
	cv := reflect.ValueOf(c).Elem()
	for i := range cv.NumField() {
		if f := cv.Type().Field(i); f.Type == durationType && cv.Field(i).Int() < 0 {
			d.report("target.sim."+yamlName(f), "must not be negative, got "+time.Duration(cv.Field(i).Int()).String())
		}
	}
	if c.Retention <= 0 {
		d.report("target.sim.retention", "must be positive, got "+c.Retention.String())
	}
	if c.ErrorRate < 0 || c.ErrorRate > 1 || math.IsNaN(c.ErrorRate) {
		d.report("target.sim.error_rate", fmt.Sprintf("must be between 0 and 1, got %g", c.ErrorRate))
	}
	if c.ShardMaxBytes < 1<<20 {
		d.report("target.sim.shard_max_bytes", fmt.Sprintf("must be at least one maximal record (1 MiB, 1048576), got %d", c.ShardMaxBytes))
	}
	if c.MaxMemory != 0 && c.MaxMemory < 64<<20 {
		d.report("target.sim.max_memory", fmt.Sprintf("must be 0 (no budget) or at least 64 MiB (67108864), got %d", c.MaxMemory))
	}
}

func (d *decoder) checkStream(s *Scenario) {
	st := &s.Stream
	switch {
	case d.has("stream.name"):
		if !streamNameRE.MatchString(st.Name) {
			d.report("stream.name", fmt.Sprintf("%q must be 1 to 128 of the characters a-z A-Z 0-9 _ . -", st.Name))
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
		d.report("stream.mode", fmt.Sprintf("unknown mode %q; want provisioned or on-demand", st.Mode))
	}
}

func (d *decoder) checkProducer(p *Producer, path string, index int, names map[string]string) {
	at := func(field string) string { return path + "." + field }
	switch {
	case !d.has(at("generator")):
		d.report(at("generator"), "is required (payments, iot or acoustic)")
	case p.Options == nil:
		d.report(at("generator"), fmt.Sprintf("unknown generator %q; want payments, iot or acoustic", p.Generator))
	default:
		for _, fe := range p.Options.Validate() {
			d.report(at("options."+fe.Field), fe.Problem)
		}
	}
	if !d.has(at("name")) {
		p.Name = fmt.Sprintf("%s-%d", p.Generator, index)
	}
	d.checkName(p.Name, at("name"), path, names)
	d.checkRate(&p.Rate, at("rate"))
	switch p.PartitionKey {
	case "entity", "random", "zipf", "fixed", "explicit":
	default:
		d.report(at("partition_key"), fmt.Sprintf("unknown strategy %q; want entity, random, zipf, fixed or explicit", p.PartitionKey))
	}
	if p.Keys.HotKeys < 1 || p.Keys.HotKeys > maxHotKeys {
		d.report(at("keys.hot_keys"), fmt.Sprintf("must be between 1 and %d, got %d", maxHotKeys, p.Keys.HotKeys))
	}
	if !(p.Keys.Skew > 1) || math.IsInf(p.Keys.Skew, 0) {
		d.report(at("keys.skew"), fmt.Sprintf("must be a finite number greater than 1, got %g", p.Keys.Skew))
	}
	if n := utf8.RuneCountInString(p.Keys.Fixed); n < 1 || n > 256 {
		d.report(at("keys.fixed"), fmt.Sprintf("a partition key is 1 to 256 characters, got %d", n))
	}
	d.checkInt(at("batch.max_records"), p.Batch.MaxRecords, 1, 500)
	d.checkInt(at("batch.max_bytes"), p.Batch.MaxBytes, 1, maxBatchBytes)
	if p.Batch.Linger < 0 || p.Batch.Linger > maxLinger {
		d.report(at("batch.linger"), fmt.Sprintf("must be between 0s and %s, got %s", maxLinger, p.Batch.Linger))
	}
	d.checkInt(at("in_flight"), p.InFlight, 1, maxInFlight)
	switch p.Ordering {
	case "none", "per_key":
	default:
		d.report(at("ordering"), fmt.Sprintf("unknown ordering %q; want none or per_key", p.Ordering))
	}
	d.checkInt(at("concurrency"), p.Concurrency, 1, maxConcurrency)
	d.checkInt(at("retry.max_attempts"), p.Retry.MaxAttempts, 1, maxRetries)
	if p.Retry.Base <= 0 {
		d.report(at("retry.base"), "must be positive, got "+p.Retry.Base.String())
	}
	if p.Retry.Cap < p.Retry.Base {
		d.report(at("retry.cap"), fmt.Sprintf("must be at least retry.base (%s), got %s", p.Retry.Base, p.Retry.Cap))
	}
	if p.Deadline < 0 {
		d.report(at("deadline"), "must not be negative, got "+p.Deadline.String())
	}
}

// checkRate checks that the profile's fields, and only they, are set.
func (d *decoder) checkRate(r *Rate, path string) {
	at := func(field string) string { return path + "." + field }
	if !d.has(path) {
		d.report(path, "is required, for example {profile: constant, rps: 100}")
		return
	}
	fields, ok := rateFields[r.Profile]
	if !ok {
		if !d.has(at("profile")) {
			d.report(at("profile"), "is required: constant, ramp, steps, sine or poisson")
		} else {
			d.report(at("profile"), fmt.Sprintf("unknown profile %q; want constant, ramp, steps, sine or poisson", r.Profile))
		}
		return
	}
	for _, f := range []string{"rps", "from", "to", "over", "steps", "base", "amplitude", "period"} {
		if d.has(at(f)) && !slices.Contains(fields, f) {
			d.report(at(f), fmt.Sprintf("is not used by profile %s (it uses %s)", r.Profile, strings.Join(fields, ", ")))
		}
	}
	positive := func(field string, v float64) {
		switch {
		case !d.has(at(field)):
			d.report(at(field), "is required by profile "+r.Profile)
		case !(v > 0) || v > maxRPS:
			d.report(at(field), fmt.Sprintf("must be greater than 0 and at most %d, got %g", maxRPS, v))
		}
	}
	nonNegative := func(field string, v float64) bool {
		if !(v >= 0) || v > maxRPS {
			d.report(at(field), fmt.Sprintf("must be between 0 and %d, got %g", maxRPS, v))
			return false
		}
		return true
	}
	duration := func(field string, v time.Duration) {
		switch {
		case !d.has(at(field)):
			d.report(at(field), "is required by profile "+r.Profile)
		case v <= 0:
			d.report(at(field), "must be positive, got "+v.String())
		}
	}
	switch r.Profile {
	case "constant", "poisson":
		positive("rps", r.RPS)
	case "ramp":
		for _, f := range []string{"from", "to"} {
			if !d.has(at(f)) {
				d.report(at(f), "is required by profile ramp")
			}
		}
		okFrom, okTo := nonNegative("from", r.From), nonNegative("to", r.To)
		if okFrom && okTo && r.From == 0 && r.To == 0 && d.has(at("from")) && d.has(at("to")) {
			d.report(at("to"), "from or to must be greater than 0")
		}
		duration("over", r.Over)
	case "steps":
		if len(r.Steps) == 0 {
			d.report(at("steps"), "needs at least one step, such as [{rps: 100, for: 10s}]")
			return
		}
		anyRate := false
		for i, st := range r.Steps {
			sp := fmt.Sprintf("%s[%d]", at("steps"), i)
			if st.For <= 0 {
				d.report(sp+".for", "must be positive, got "+st.For.String())
			}
			if nonNegative(fmt.Sprintf("steps[%d].rps", i), st.RPS) && st.RPS > 0 {
				anyRate = true
			}
		}
		if !anyRate {
			d.report(at("steps"), "at least one step needs an rps greater than 0")
		}
	case "sine":
		positive("base", r.Base)
		if !(r.Amplitude >= 0) || r.Amplitude > r.Base {
			d.report(at("amplitude"), fmt.Sprintf("must be between 0 and base (%g), got %g", r.Base, r.Amplitude))
		}
		duration("period", r.Period)
	}
}

func (d *decoder) checkConsumer(c *Consumer, path string, index int, names map[string]string) {
	at := func(field string) string { return path + "." + field }
	if !d.has(at("name")) {
		c.Name = fmt.Sprintf("collector-%d", index)
	}
	d.checkName(c.Name, at("name"), path, names)
	switch c.Kind {
	case "polling":
		if !d.has(at("poll_interval")) {
			c.PollInterval = 250 * time.Millisecond
		}
		if c.PollInterval <= 0 {
			d.report(at("poll_interval"), "must be positive, got "+c.PollInterval.String())
		}
	case "fanout":
		if d.has(at("poll_interval")) {
			d.report(at("poll_interval"), "is only for kind polling; fanout consumers are pushed records")
		}
	default:
		d.report(at("kind"), fmt.Sprintf("unknown consumer kind %q; want polling or fanout", c.Kind))
	}
	d.checkInt(at("count"), c.Count, 1, maxConsumers)
	d.checkInt(at("limit"), c.Limit, 1, 10000)
	d.checkProcessing(c.Processing, at("processing"))
	if c.Concurrency < 0 {
		d.report(at("concurrency"), fmt.Sprintf("must not be negative (0 means no limit), got %d", c.Concurrency))
	}
	if c.CheckpointInterval < 0 {
		d.report(at("checkpoint_interval"), "must not be negative (0 means after every batch), got "+c.CheckpointInterval.String())
	}
}

// checkName checks a producer or consumer name and that it is unique.
func (d *decoder) checkName(name, field, owner string, names map[string]string) {
	if !actorNameRE.MatchString(name) {
		d.report(field, fmt.Sprintf("%q must be 1 to 64 of the characters a-z A-Z 0-9 _ . -", name))
		return
	}
	if prev, dup := names[name]; dup {
		d.report(field, fmt.Sprintf("%q is already the name of %s", name, prev))
		return
	}
	names[name] = owner
}

func (d *decoder) checkInt(field string, v, lo, hi int) {
	if v < lo || v > hi {
		d.report(field, fmt.Sprintf("must be between %d and %d, got %d", lo, hi, v))
	}
}
