package scenarios

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/template"
	"time"

	"github.com/kbench/kbench/collectors"
	"github.com/kbench/kbench/generators"
)

// Application is the system under test: the user's own program, which reads
// the scenario's stream and writes its outputs to the destinations. kbench
// starts it (Command) or measures one already running (External). The
// contract it is started under is in docs/application.md.
type Application struct {
	// Command is the program and its arguments. Each argument is a Go
	// template over the run's values: {{.Streams.source}},
	// {{.Destinations.alerts}}, {{.Endpoint}}, {{.Region}}.
	Command []string `yaml:"command" json:"command,omitempty"`
	// Env adds environment variables (templates like Command's) on top of
	// kbench's own environment and the contract's variables.
	Env map[string]string `yaml:"env" json:"env,omitempty"`
	// Dir is the working directory; default the scenario file's directory.
	Dir string `yaml:"dir" json:"dir,omitempty"`
	// Ready says when the started application is ready for load.
	Ready Ready `yaml:"ready" json:"ready"`
	// StopGrace is how long kbench waits after SIGTERM before SIGKILL.
	// Default 5s.
	StopGrace time.Duration `yaml:"stop_grace" json:"stop_grace"`
	// External says the application is already running (deployed, or
	// started by the CI job): kbench neither starts nor stops it.
	External bool `yaml:"external" json:"external,omitempty"`
}

// Ready is when a started application is ready for load.
type Ready struct {
	// Log is a substring of a line the application writes to its standard
	// output or error once it is ready. Empty: ready as soon as started.
	Log string `yaml:"log" json:"log,omitempty"`
	// Timeout bounds the wait for Log. Default 30s.
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
}

// Destination is where the application writes what it produces, read by a
// kbench collector of its kind.
type Destination struct {
	// Name identifies the destination in results and in the
	// application's environment (KBENCH_DESTINATION_<NAME>). Required.
	Name string `yaml:"name" json:"name"`
	// Kind is kinesis, http or stdout; see collectors.DestinationKinds.
	Kind string `yaml:"kind" json:"kind"`
	// Stream is the output stream of a kinesis destination, created like
	// the source stream. Default name "<source stream>-<name>", 1 shard.
	Stream Stream `yaml:"stream" json:"stream"`
	// Expect is how many outputs each input causes: one (default), some
	// (a filter: ground truth from the generator's incidents) or many.
	Expect string `yaml:"expect" json:"expect"`
	// Correlate matches outputs to inputs by fields; without it, by
	// kbench's envelope carried in the output.
	Correlate Correlate `yaml:"correlate" json:"correlate"`
}

// Correlate matches an output to the input that caused it by fields, in
// simple dotted JSON paths such as "source.txn_id".
type Correlate struct {
	// Input is the input records' field (path) that identifies them.
	Input string `yaml:"input" json:"input,omitempty"`
	// Output is the output's field (path) holding the input's value.
	Output string `yaml:"output" json:"output,omitempty"`
	// Key is the output's field (path) holding the incident's key (for
	// payments, the card): expect some matches an output to an incident
	// of that key within Window. Required with expect some.
	Key string `yaml:"key" json:"key,omitempty"`
	// Window is how long after an incident's first input an output may
	// still match it. Default 10s; expect some only.
	Window time.Duration `yaml:"window" json:"window,omitempty"`
}

// Envelope modes of a producer.
const (
	EnvelopePrefix = "prefix" // the 40-byte binary envelope before the payload
	EnvelopeField  = "field"  // the envelope as the JSON field "_kb"
	EnvelopeNone   = "none"   // no envelope; inputs are remembered by correlate.input
)

// Expectations of a destination.
const (
	ExpectOne  = "one"
	ExpectSome = "some"
	ExpectMany = "many"
)

var (
	envNameRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	jsonPathRE = regexp.MustCompile(`^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$`)
)

// setDefaults fills a destination's defaults before it is decoded.
func (d *Destination) setDefaults(int) {
	*d = Destination{Stream: Stream{Shards: 1, Mode: "provisioned"}, Expect: ExpectOne}
}

// checkApplication fills the application's defaults and checks it.
func (d *decoder) checkApplication(s *Scenario) {
	a := s.Application
	if a == nil {
		return
	}
	if a.Ready.Timeout == 0 {
		a.Ready.Timeout = 30 * time.Second
	}
	if a.StopGrace == 0 {
		a.StopGrace = 5 * time.Second
	}
	switch {
	case a.External && len(a.Command) > 0:
		d.report("application.command", "an external application is not started: leave command out, or external")
	case !a.External && len(a.Command) == 0:
		d.report("application.command", "is required (or external: true for an application already running)")
	}
	if a.Ready.Timeout < 0 {
		d.report("application.ready.timeout", "must be positive, got "+a.Ready.Timeout.String())
	}
	if a.StopGrace < 0 {
		d.report("application.stop_grace", "must be positive, got "+a.StopGrace.String())
	}
	for k, v := range a.Env {
		if !envNameRE.MatchString(k) {
			d.report("application.env."+k, fmt.Sprintf("%q is not an environment variable name", k))
		}
		d.checkTemplate("application.env."+k, v, s)
	}
	for i, arg := range a.Command {
		d.checkTemplate(fmt.Sprintf("application.command[%d]", i), arg, s)
	}
}

// checkTemplate checks that a command argument or env value is a template
// that expands over the run's values.
func (d *decoder) checkTemplate(field, text string, s *Scenario) {
	t, err := template.New(field).Option("missingkey=error").Parse(text)
	if err != nil {
		d.report(field, "bad template: "+err.Error())
		return
	}
	if err := t.Execute(new(bytes.Buffer), s.AppValues("http://127.0.0.1:1", "us-east-1", nil)); err != nil {
		d.report(field, "bad template: "+err.Error())
	}
}

// AppValues are the values the application's command and env templates
// see, also given as environment variables (AppEnv).
type AppValues struct {
	// Endpoint is the Kinesis endpoint URL.
	Endpoint string
	// Region is the AWS region.
	Region string
	// Streams maps "source" and each kinesis destination's name to its
	// stream name.
	Streams map[string]string
	// Destinations maps each destination's name to where the application
	// writes: the stream name (kinesis), the URL (http), "stdout".
	Destinations map[string]string
}

// AppValues returns the template values of the run; urls holds the http
// destinations' URLs by name.
func (s *Scenario) AppValues(endpoint, region string, urls map[string]string) AppValues {
	v := AppValues{Endpoint: endpoint, Region: region,
		Streams: map[string]string{"source": s.Stream.Name}, Destinations: map[string]string{}}
	for _, d := range s.Destinations {
		k, _ := collectors.DestinationKinds.Lookup(d.Kind)
		switch {
		case k.Stream:
			v.Streams[d.Name] = d.Stream.Name
			v.Destinations[d.Name] = d.Stream.Name
		case urls[d.Name] != "":
			v.Destinations[d.Name] = urls[d.Name]
		default:
			v.Destinations[d.Name] = "http://127.0.0.1:0/" + d.Kind
		}
	}
	return v
}

// EnvName returns the environment variable suffix of a stream or
// destination name: upper case, anything but letters and digits as '_'.
func EnvName(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '_'
	}, name)
}

// checkDestinations fills the destinations' defaults and checks them.
func (d *decoder) checkDestinations(s *Scenario) {
	names := map[string]string{}
	input := ""
	for i := range s.Destinations {
		ds := &s.Destinations[i]
		path := fmt.Sprintf("destinations[%d]", i)
		at := func(f string) string { return path + "." + f }
		if !d.has(at("name")) {
			d.report(at("name"), "is required")
		} else {
			d.checkName(ds.Name, at("name"), path, names)
		}
		k, ok := collectors.DestinationKinds.Lookup(ds.Kind)
		switch {
		case !d.has(at("kind")):
			d.report(at("kind"), "is required ("+collectors.DestinationKinds.Want()+")")
		case !ok:
			d.report(at("kind"), fmt.Sprintf("unknown destination kind %q; want %s", ds.Kind, collectors.DestinationKinds.Want()))
		case !k.Stream && d.has(at("stream")):
			d.report(at("stream"), fmt.Sprintf("is only for kind kinesis; a %s destination has no stream", ds.Kind))
		case k.Stream:
			if !d.has(at("stream.name")) {
				ds.Stream.Name = s.Stream.Name + "-" + ds.Name
			}
			if !streamNameRE.MatchString(ds.Stream.Name) {
				d.report(at("stream.name"), fmt.Sprintf("%q must be 1 to 128 of [a-zA-Z0-9_.-]", ds.Stream.Name))
			} else if ds.Stream.Name == s.Stream.Name {
				d.report(at("stream.name"), "is the source stream; a destination writes to a stream of its own")
			}
			d.checkInt(at("stream.shards"), ds.Stream.Shards, 1, maxShards)
		}
		if ok && k.Stdout && (s.Application == nil || s.Application.External) {
			d.report(at("kind"), "stdout is read from an application kbench starts (application.command)")
		}
		switch ds.Expect {
		case ExpectOne, ExpectMany:
		case ExpectSome:
			if ds.Correlate.Key == "" {
				d.report(at("correlate.key"), "is required with expect some: the output's field naming the incident's key (for payments, card)")
			}
			if ds.Correlate.Window == 0 {
				ds.Correlate.Window = 10 * time.Second
			}
		default:
			d.report(at("expect"), fmt.Sprintf("unknown expectation %q; want one, some or many", ds.Expect))
		}
		c := ds.Correlate
		if (c.Input == "") != (c.Output == "") {
			d.report(at("correlate"), "input and output go together: the input's field and the output's field holding its value")
		}
		for _, f := range []struct{ name, path string }{{"input", c.Input}, {"output", c.Output}, {"key", c.Key}} {
			if f.path != "" && !jsonPathRE.MatchString(f.path) {
				d.report(at("correlate."+f.name), fmt.Sprintf("%q is not a dotted field path such as source.txn_id", f.path))
			}
		}
		if c.Window < 0 {
			d.report(at("correlate.window"), "must be positive, got "+c.Window.String())
		}
		if c.Input != "" {
			if input != "" && input != c.Input {
				d.report(at("correlate.input"), fmt.Sprintf("every destination correlates by one input field; another uses %q", input))
			}
			input = c.Input
		}
	}
	if len(s.Destinations) > 0 && s.Application == nil {
		d.report("destinations", "are written by an application: add application (command, or external: true)")
	}
	for i, p := range s.Producers {
		at := fmt.Sprintf("producers[%d].envelope", i)
		switch p.Envelope {
		case EnvelopePrefix:
		case EnvelopeField, EnvelopeNone:
			if p.Options != nil && len(p.Options.Validate()) == 0 {
				g := p.Options.Build(1)
				if _, inside := generators.SlotOf(g); inside {
					d.report(at, fmt.Sprintf("%s: these %s records carry the envelope in a field of their own (a record format, or a replayed file); leave envelope at prefix", p.Envelope, p.Generator))
				} else if rec, _ := g.Next(nil, 0); len(rec) == 0 || rec[0] != '{' {
					d.report(at, fmt.Sprintf("%s needs a generator of JSON records; %s writes binary ones", p.Envelope, p.Generator))
				}
				if c, ok := g.(io.Closer); ok {
					_ = c.Close() // a replay's reader
				}
			}
			if p.Envelope == EnvelopeNone && input == "" {
				d.report(at, "none needs a destination's correlate.input: the field kbench remembers each record by")
			}
		default:
			d.report(at, fmt.Sprintf("unknown envelope %q; want prefix, field or none", p.Envelope))
		}
	}
}

// CorrelateInput returns the input field the destinations correlate by, or
// "" when none does.
func (s *Scenario) CorrelateInput() string {
	for _, d := range s.Destinations {
		if d.Correlate.Input != "" {
			return d.Correlate.Input
		}
	}
	return ""
}
