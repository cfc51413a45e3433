package generators

import (
	"errors"
	"fmt"
	"math"
	"sync"
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

// randomKeys is the size of the random strategy's key pool.
const randomKeys = 1 << 16

// KeyKind is one partition-key strategy in the KeyKinds table.
type KeyKind struct {
	// Name is the value of `partition_key:` in a scenario.
	Name string
	// Doc says in one sentence how the strategy keys records.
	Doc string
	// check returns the problems of cfg (defaults filled in) for this
	// strategy; build makes the strategy from a cfg check accepted.
	check func(cfg KeyConfig) []error
	build func(cfg KeyConfig) KeyStrategy
}

// KindName implements kind.Named.
func (k KeyKind) KindName() string { return k.Name }

// KeyKinds is every partition-key strategy, in the order messages and
// documentation list them.
var KeyKinds = kind.Table[KeyKind]{
	{
		Name:  "entity",
		Doc:   "The partition key is the record's entity (card, device or hydrophone), so an entity's records stay in order on one shard.",
		build: func(KeyConfig) KeyStrategy { return entityKeys{} },
	},
	{
		Name: "random",
		Doc:  "A uniformly random key from a fixed pool of 65,536 keys.",
		build: func(cfg KeyConfig) KeyStrategy {
			return &randomKeyStrategy{rng: newRNG(cfg.Seed, saltKeys), pool: randomKeyPool()}
		},
	},
	{
		Name:  "zipf",
		Doc:   "Skewed hot keys: key rank k of a pool of keys.hot_keys is drawn with probability proportional to (k+1)^-keys.skew.",
		check: checkZipf,
		build: func(cfg KeyConfig) KeyStrategy {
			return &zipfKeys{
				rng:  newRNG(cfg.Seed, saltKeys),
				dist: newZipf(cfg.HotKeys, cfg.Skew),
				pool: stringTable(cfg.HotKeys, func(dst []byte, i int) []byte {
					return appendPadded(append(dst, "hot-"...), i, 5)
				}),
			}
		},
	},
	{
		Name:  "fixed",
		Doc:   "The one key keys.fixed, so every record lands on one shard (the worst case).",
		check: checkFixed,
		build: func(cfg KeyConfig) KeyStrategy { return fixedKey(cfg.Fixed) },
	},
	{
		Name:  "explicit",
		Doc:   "The partition key is the entity and the explicit hash key the middle of each shard's range in turn, so records spread evenly over evenly split shards.",
		check: checkExplicit,
		build: newExplicitKeys,
	},
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
	var errs []error
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

func checkZipf(cfg KeyConfig) []error {
	var errs []error
	if cfg.HotKeys < 1 {
		errs = append(errs, fmt.Errorf("zipf keys: hot keys %d must be at least 1", cfg.HotKeys))
	}
	if !(cfg.Skew > 0) || math.IsInf(cfg.Skew, 0) {
		errs = append(errs, fmt.Errorf("zipf keys: skew %g must be positive and finite", cfg.Skew))
	}
	return errs
}

func checkFixed(cfg KeyConfig) []error {
	if n := utf8.RuneCountInString(cfg.Fixed); n > 256 {
		return []error{fmt.Errorf("fixed key: %d characters is more than the 256 Kinesis allows", n)}
	}
	return nil
}

func checkExplicit(cfg KeyConfig) []error {
	if cfg.Shards < 1 {
		return []error{fmt.Errorf("explicit keys: shards %d must be at least 1", cfg.Shards)}
	}
	return nil
}

func newExplicitKeys(cfg KeyConfig) KeyStrategy {
	hashKeys := make([]string, cfg.Shards)
	for i := range hashKeys {
		hashKeys[i] = shardMidpoint(i, cfg.Shards).String()
	}
	return &explicitKeys{hashKeys: hashKeys}
}

type entityKeys struct{}

func (entityKeys) Key(entity string) (string, string) { return entity, "" }

// randomKeyPool is built once and shared: it is never written after.
var randomKeyPool = sync.OnceValue(func() []string {
	return stringTable(randomKeys, func(dst []byte, i int) []byte {
		return appendHex(append(dst, "rk-"...), mix64(uint64(i)^saltRandomKey), 16)
	})
})

type randomKeyStrategy struct {
	rng  rng
	pool []string
}

func (s *randomKeyStrategy) Key(string) (string, string) {
	return s.pool[s.rng.Uint64()&(randomKeys-1)], ""
}

type zipfKeys struct {
	rng  rng
	dist zipf
	pool []string
}

func (s *zipfKeys) Key(string) (string, string) {
	return s.pool[s.dist.draw(s.rng.Float64())], ""
}

type fixedKey string

func (k fixedKey) Key(string) (string, string) { return string(k), "" }

type explicitKeys struct {
	hashKeys []string
	next     int
}

func (s *explicitKeys) Key(entity string) (string, string) {
	h := s.hashKeys[s.next]
	s.next++
	if s.next == len(s.hashKeys) {
		s.next = 0
	}
	return entity, h
}
