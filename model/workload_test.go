package model

import (
	"math/big"
	"testing"
)

func TestExplicitHash(t *testing.T) {
	max128 := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))
	for _, s := range []string{"0", "1", "18446744073709551615", "18446744073709551616",
		"170141183460469231731687303715884105728", max128.String(), "85070591730234615865843651857942052864"} {
		v, _ := new(big.Int).SetString(s, 10)
		want := new(big.Int).Rsh(v, 64).Uint64()
		got, err := explicitHash(s)
		if err != nil || got != want {
			t.Errorf("explicitHash(%s) = %d, %v; want %d", s, got, err, want)
		}
	}
	over := new(big.Int).Add(max128, big.NewInt(1)).String()
	for _, s := range []string{"", "12a", over, "-1"} {
		if _, err := explicitHash(s); err == nil {
			t.Errorf("explicitHash(%q) accepted", s)
		}
	}
}

// TestSpreadEven: keys drawn uniformly over the hash space spread evenly
// over evenly split shards, and a layout's shares add up to one.
func TestSpreadEven(t *testing.T) {
	s := &sample{mean: 100}
	const n = 1 << 16
	for i := range n {
		s.hashes = append(s.hashes, uint64(i)<<48)
		s.bytes = append(s.bytes, 100)
	}
	for _, shards := range []int{1, 2, 3, 8} {
		l := s.spread(shards)
		var sum float64
		for _, w := range l.weight {
			sum += w
			if w < 0.99/float64(shards) || w > 1.01/float64(shards) {
				t.Errorf("%d shards: weights %v, want even", shards, l.weight)
				break
			}
		}
		if sum < 0.999999 || sum > 1.000001 {
			t.Errorf("%d shards: weights sum to %v", shards, sum)
		}
	}
}
