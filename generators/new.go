package generators

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/kbench/kbench/internal/kind"
)

// GeneratorKind is one generator in the Generators table.
type GeneratorKind struct {
	// Name is the value of `generator:` in a scenario.
	Name string
	// Doc says in one sentence what the generator makes.
	Doc string
	// Options returns the generator's options with their defaults, ready
	// to have a producer's `options:` block decoded into them.
	Options func() Options
}

// KindName implements kind.Named.
func (k GeneratorKind) KindName() string { return k.Name }

// Generators is every generator, in the order messages and documentation
// list them.
var Generators = kind.Table[GeneratorKind]{
	paymentsKind,
	iotKind,
	acousticKind,
	replayKind,
	blobKind,
}

// NewOptions returns the options of the named generator of Generators
// filled with their defaults, ready to have a scenario's `options:` block
// decoded into them.
func NewOptions(generator string) (Options, error) {
	k, ok := Generators.Lookup(generator)
	if !ok {
		return nil, fmt.Errorf("unknown generator %q (want %s)", generator, Generators.Want())
	}
	return k.Options(), nil
}

// New validates opts and returns the generator they configure (Build).
// Payments records are compact JSON card transactions with the keys txn_id,
// ts, card, merchant, mcc, amount, currency, country, channel and label
// ("ok" or "fraud"); their entity is the card token. IoT records are
// compact JSON telemetry with the keys device, model, fw, seq, ts, temp_c,
// humidity, battery, rssi, lat, lon and status; their entity is the device
// id. Timestamps are the record's `at` in RFC 3339, UTC, with milliseconds.
// Acoustic records are binary PCM frames laid out as AcousticHeaderSize
// describes; their entity is the hydrophone id ("hyd-00", …).
// A validation failure returns every problem at once, joined with
// errors.Join (so the error has an Unwrap() []error method), and each
// joined error is a *FieldError. The generator copies opts, and its
// output is a function of opts, seed and the `at` values passed to Next:
// the same inputs give byte-identical records.
func New(opts Options, seed int64) (Generator, error) {
	if opts == nil {
		return nil, errors.New("generators: no options")
	}
	if v := reflect.ValueOf(opts); v.Kind() == reflect.Pointer && v.IsNil() {
		return nil, fmt.Errorf("generators: nil %T", opts)
	}
	if err := validate(opts); err != nil {
		return nil, err
	}
	return opts.Build(seed), nil
}

// validate joins the options' field errors into one error, or returns nil.
func validate(o Options) error { return kind.Join("", o.Validate()) }
