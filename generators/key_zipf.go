package generators

var zipfKind = KeyKind{
	Name: "zipf",
	Doc:  "Skewed hot keys: key rank k of a pool of keys.hot_keys is drawn with probability proportional to (k+1)^-keys.skew.",
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

type zipfKeys struct {
	rng  rng
	dist zipf
	pool []string
}

func (s *zipfKeys) Key(string) (string, string) {
	return s.pool[s.dist.draw(s.rng.Float64())], ""
}
