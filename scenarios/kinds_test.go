package scenarios

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kbench/kbench/generators"
	"github.com/kbench/kbench/targets"
)

// burstRate is a rate profile defined outside generators: count records at
// once every period. Adding it takes this type and one line in
// generators.RateProfiles; the decoder, validation, pacers and the record
// count follow from the table.
type burstRate struct {
	Count  float64       `yaml:"count" kbench:"required"`
	Period time.Duration `yaml:"period" kbench:"required"`
}

func (o *burstRate) Validate() []*generators.FieldError {
	if !(o.Count >= 1) {
		return []*generators.FieldError{{Field: "count", Problem: "must be at least 1"}}
	}
	return nil
}

func (o *burstRate) Pacer(share float64, _ int64) generators.Pacer {
	return burstPacer{per: o.Count / share, period: o.Period}
}
func (o *burstRate) Peak() float64 { return o.Count / o.Period.Seconds() }
func (o *burstRate) Records(d time.Duration) float64 {
	return o.Count * float64((d+o.Period-1)/o.Period)
}
func (o *burstRate) String() string { return fmt.Sprintf("burst %g every %v", o.Count, o.Period) }

type burstPacer struct {
	per    float64
	period time.Duration
}

func (p burstPacer) Due(n uint64) (time.Duration, bool) {
	return time.Duration(float64(n)/p.per) * p.period, true
}
func (p burstPacer) Rate(time.Duration) float64 { return p.per / p.period.Seconds() }

// withKinds extends the package tables for one test; each is a value, so
// the copy goes back afterwards.
func withKinds(t *testing.T, rate generators.RateKind, gen generators.GeneratorKind, target targets.Kind) {
	oldRates, oldGens, oldTargets := generators.RateProfiles, generators.Generators, targets.Kinds
	generators.RateProfiles = generators.RateProfiles.With(rate)
	generators.Generators = generators.Generators.With(gen)
	targets.Kinds = targets.Kinds.With(target)
	t.Cleanup(func() { generators.RateProfiles, generators.Generators, targets.Kinds = oldRates, oldGens, oldTargets })
}

// constOptions is a generator defined outside generators: every record is
// the same text.
type constOptions struct {
	Text string `yaml:"text"`
}

func (o *constOptions) Generator() string { return "const" }
func (o *constOptions) Validate() []*generators.FieldError {
	if o.Text == "" {
		return []*generators.FieldError{{Field: "text", Problem: "must not be empty"}}
	}
	return nil
}
func (o *constOptions) Build(int64) generators.Generator { return constGen(o.Text) }

type constGen string

func (g constGen) Next(dst []byte, _ int64) ([]byte, string) { return append(dst, g...), "e" }

// Adding a rate profile, a generator and a target kind each touches one
// package (here: this test file and the tables); scenarios decode,
// validate and pace them through the tables.
func TestNewKindsThroughTables(t *testing.T) {
	withKinds(t,
		generators.RateKind{Name: "burst", Doc: "count records every period", Options: func() generators.RateOptions { return &burstRate{} }},
		generators.GeneratorKind{Name: "const", Doc: "the same record", Options: func() generators.Options { return &constOptions{Text: "x"} }},
		targets.Kind{Name: "null", Doc: "nowhere", InScenario: true},
	)
	src := "name: t\nduration: 10s\ntarget: {kind: null}\nproducers:\n  - generator: const\n    options: {text: hello}\n    rate: {profile: burst, count: 100, period: 2s}\n"
	s, err := Parse("t.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Offered(0); got != 500 {
		t.Errorf("Offered = %g, want 5 bursts of 100", got)
	}
	pacer, err := s.Producers[0].Pacer()
	if err != nil {
		t.Fatal(err)
	}
	if at, _ := pacer.Due(150); at != 2*time.Second {
		t.Errorf("record 150 due at %v, want 2s (the second burst)", at)
	}
	g, err := generators.New(s.Producers[0].Options, 1)
	if err != nil {
		t.Fatal(err)
	}
	if rec, _ := g.Next(nil, 0); string(rec) != "hello" {
		t.Errorf("record %q, want hello", rec)
	}
	if tree := s.Resolved()["producers"].([]any)[0].(map[string]any)["rate"]; fmt.Sprint(tree) != "map[count:100 period:2s profile:burst]" {
		t.Errorf("resolved rate = %v", tree)
	}

	// Their validation reaches the file's lines like the built-in kinds'.
	bad := "name: t\nproducers:\n  - generator: const\n    options: {text: \"\"}\n    rate: {profile: burst, period: 1s}\n"
	_, err = Parse("bad.yaml", []byte(bad), nil)
	for _, want := range []string{"bad.yaml:4:15: producers[0].options.text: must not be empty", "bad.yaml:5:5: producers[0].rate.count: is required by profile burst"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
}
