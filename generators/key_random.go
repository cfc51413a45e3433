package generators

import (
	"sync"
)

var randomKind = KeyKind{
	Name: "random",
	Doc:  "A uniformly random key from a fixed pool of 65,536 keys.",
	build: func(cfg KeyConfig) KeyStrategy {
		return &randomKeyStrategy{rng: newRNG(cfg.Seed, saltKeys), pool: randomKeyPool()}
	},
}

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
