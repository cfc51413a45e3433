package generators

import (
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/kbench/kbench/internal/kind"
)

// KeyConfig configures a partition-key strategy. Zero values take the
// defaults given on each field.
type KeyConfig struct {
	// Shards is the stream's shard count; the explicit strategy spreads its
	// hash keys over this many evenly split shards and needs it (≥ 1).
	Shards int
	// Seed drives the random and zipf draws.
	Seed int64
	// HotKeys is the size of the zipf strategy's key pool (default 1000).
	HotKeys int
	// Skew is the zipf strategy's exponent s (default 1.2): key rank k is
	// drawn with probability proportional to (k+1)^-s.
	Skew float64
	// Fixed is the fixed strategy's one key (default "kbench-fixed").
	Fixed string
}

// Defaults of KeyConfig.
const (
	DefaultHotKeys  = 1000
	DefaultKeySkew  = 1.2
	DefaultFixedKey = "kbench-fixed"
)

// MaxHotKeys is the largest key pool the zipf strategy takes.
const MaxHotKeys = 10_000_000

// Problems returns every problem with the settings of cfg a scenario gives
// under keys: (hot_keys, skew, fixed), defaults filled in, each at its yaml
// field name. They are checked whatever the strategy, so a scenario that
// switches strategies in a matrix is checked once.
func (cfg KeyConfig) Problems() []*kind.FieldError {
	var out []*kind.FieldError
	bad := func(field, format string, args ...any) {
		out = append(out, &kind.FieldError{Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	if cfg.HotKeys < 1 || cfg.HotKeys > MaxHotKeys {
		bad("hot_keys", "must be between 1 and %d, got %d", MaxHotKeys, cfg.HotKeys)
	}
	if !(cfg.Skew > 1) || math.IsInf(cfg.Skew, 0) {
		bad("skew", "must be a finite number greater than 1, got %g", cfg.Skew)
	}
	if n := utf8.RuneCountInString(cfg.Fixed); n < 1 || n > 256 {
		bad("fixed", "a partition key is 1 to 256 characters, got %d", n)
	}
	return out
}

// randomKeys is the size of the random strategy's key pool.
const randomKeys = 1 << 16

// KeyKind is one partition-key strategy in the KeyKinds table.
type KeyKind struct {
	// Name is the value of `partition_key:` in a scenario.
	Name string
	// Doc says in one sentence how the strategy keys records.
	Doc string
	// check, when not nil, returns the problems of cfg (defaults filled in)
	// this strategy has beyond KeyConfig.Problems; build makes the strategy
	// from a cfg both accepted.
	check func(cfg KeyConfig) []error
	build func(cfg KeyConfig) KeyStrategy
}

// KindName implements kind.Named.
func (k KeyKind) KindName() string { return k.Name }

// KeyKinds is every partition-key strategy, in the order messages and
// documentation list them.
var KeyKinds = kind.Table[KeyKind]{
	entityKind,
	randomKind,
	zipfKind,
	fixedKind,
	explicitKind,
}

// KeyStrategies returns the names NewKeyStrategy accepts.
func KeyStrategies() []string { return KeyKinds.Names() }

// NewKeyStrategy returns the named partition-key strategy of KeyKinds
// (see each kind's Doc). It returns every problem with cfg at once.
func NewKeyStrategy(name string, cfg KeyConfig) (KeyStrategy, error) {
	if cfg.HotKeys == 0 {
		cfg.HotKeys = DefaultHotKeys
	}
	if cfg.Skew == 0 {
		cfg.Skew = DefaultKeySkew
	}
	if cfg.Fixed == "" {
		cfg.Fixed = DefaultFixedKey
	}
	errs := []error{kind.Join("keys.", cfg.Problems())}
	k, ok := KeyKinds.Lookup(name)
	switch {
	case !ok:
		errs = append(errs, fmt.Errorf("unknown partition-key strategy %q (want %s)", name, KeyKinds.Want()))
	case k.check != nil:
		errs = append(errs, k.check(cfg)...)
	}
	if cfg.Shards < 0 {
		errs = append(errs, fmt.Errorf("shards %d must not be negative", cfg.Shards))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return k.build(cfg), nil
}
