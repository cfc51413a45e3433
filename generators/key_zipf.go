package generators

import (
	"fmt"
	"math"
)

var zipfKind = KeyKind{
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

type zipfKeys struct {
	rng  rng
	dist zipf
	pool []string
}

func (s *zipfKeys) Key(string) (string, string) {
	return s.pool[s.dist.draw(s.rng.Float64())], ""
}
