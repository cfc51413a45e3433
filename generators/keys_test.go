package generators

import (
	"crypto/md5"
	"fmt"
	"math"
	"math/big"
	"strings"
	"testing"
)

var two128 = new(big.Int).Lsh(big.NewInt(1), 128)

// bigShard is the reference ShardForKey, in math/big.
func bigShard(h *big.Int, n int) int {
	step := new(big.Int).Div(two128, big.NewInt(int64(n)))
	q := new(big.Int).Div(h, step)
	return int(min(q.Int64(), int64(n-1)))
}

func TestShardForKeyMatchesBigInt(t *testing.T) {
	r := newRNG(1, 0)
	for _, n := range []int{1, 2, 3, 4, 5, 7, 8, 16, 100, 1000, 4096} {
		for i := range 2000 {
			key := fmt.Sprintf("key-%d-%d", n, i)
			sum := md5.Sum([]byte(key))
			want := bigShard(new(big.Int).SetBytes(sum[:]), n)
			if got := ShardForKey(key, "", n); got != want {
				t.Fatalf("ShardForKey(%q, %d) = %d, want %d", key, n, got, want)
			}
			h := new(big.Int).SetUint64(r.Uint64())
			h.Lsh(h, 64).Or(h, new(big.Int).SetUint64(r.Uint64()))
			if got, want := ShardForKey("ignored", h.String(), n), bigShard(h, n); got != want {
				t.Fatalf("ShardForKey(explicit %s, %d) = %d, want %d", h, n, got, want)
			}
		}
	}
}

// TestShardForKeyBoundaries checks the edges of every shard's range, with
// AWS's split of 3 shards spelled out.
func TestShardForKeyBoundaries(t *testing.T) {
	aws3 := []struct {
		key  string
		want int
	}{
		{"0", 0},
		{"113427455640312821154458202477256070484", 0},
		{"113427455640312821154458202477256070485", 1},
		{"226854911280625642308916404954512140969", 1},
		{"226854911280625642308916404954512140970", 2},
		{"340282366920938463463374607431768211455", 2},
	}
	for _, tt := range aws3 {
		if got := ShardForKey("", tt.key, 3); got != tt.want {
			t.Errorf("ShardForKey(%s, 3) = %d, want %d", tt.key, got, tt.want)
		}
	}
	for _, n := range []int{2, 3, 6, 7, 8, 1000} {
		step := new(big.Int).Div(two128, big.NewInt(int64(n)))
		for i := 1; i < n; i++ {
			start := new(big.Int).Mul(step, big.NewInt(int64(i)))
			before := new(big.Int).Sub(start, big.NewInt(1))
			if got := ShardForKey("", start.String(), n); got != i {
				t.Fatalf("n=%d: start of shard %d maps to %d", n, i, got)
			}
			if got := ShardForKey("", before.String(), n); got != i-1 {
				t.Fatalf("n=%d: end of shard %d maps to %d", n, i-1, got)
			}
		}
	}
}

func TestShardForKeyInvalid(t *testing.T) {
	for _, tt := range []struct {
		explicit string
		shards   int
	}{
		{"", 0}, {"1", -1}, {"abc", 4}, {"-1", 4}, {"1.5", 4},
		{"340282366920938463463374607431768211456", 4},      // 2^128
		{"3402823669209384634633746074317682114550", 4},     // ×10
		{"99999999999999999999999999999999999999999999", 4}, // far over
	} {
		if got := ShardForKey("k", tt.explicit, tt.shards); got != -1 {
			t.Errorf("ShardForKey(k, %q, %d) = %d, want -1", tt.explicit, tt.shards, got)
		}
	}
}

func TestU128String(t *testing.T) {
	r := newRNG(2, 0)
	for range 1000 {
		x := u128{r.Uint64() >> (r.Uint64() % 64), r.Uint64()}
		want := new(big.Int).Lsh(new(big.Int).SetUint64(x.hi), 64)
		want.Or(want, new(big.Int).SetUint64(x.lo))
		if x.String() != want.String() {
			t.Fatalf("%#v.String() = %s, want %s", x, x.String(), want)
		}
		if y, ok := parseU128(want.String()); !ok || y != x {
			t.Fatalf("parseU128(%s) = %#v, %v", want, y, ok)
		}
	}
}

// shardCounts sends n records of entity "e<i>" through s and counts where
// they land on shards shards.
func shardCounts(t *testing.T, s KeyStrategy, n, shards int) ([]int, map[string]int) {
	t.Helper()
	counts := make([]int, shards)
	keys := map[string]int{}
	for i := range n {
		entity := fmt.Sprintf("e%d", i%997)
		pk, ehk := s.Key(entity)
		if pk == "" || len(pk) > 256 {
			t.Fatalf("bad partition key %q", pk)
		}
		sh := ShardForKey(pk, ehk, shards)
		if sh < 0 {
			t.Fatalf("key %q/%q lands nowhere", pk, ehk)
		}
		counts[sh]++
		keys[pk]++
	}
	return counts, keys
}

func TestKeyStrategies(t *testing.T) {
	const shards, n = 8, 80000
	for _, kind := range KeyStrategies() {
		t.Run(kind, func(t *testing.T) {
			s, err := NewKeyStrategy(kind, KeyConfig{Shards: shards, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			counts, keys := shardCounts(t, s, n, shards)
			busiest := 0
			for _, c := range counts {
				busiest = max(busiest, c)
			}
			switch kind {
			case "entity":
				if pk, ehk := s.Key("card-1"); pk != "card-1" || ehk != "" {
					t.Errorf("Key(card-1) = %q, %q", pk, ehk)
				}
			case "random":
				if len(keys) < 45000 {
					t.Errorf("only %d distinct random keys in %d records", len(keys), n)
				}
				if busiest > n/shards*11/10 {
					t.Errorf("random keys uneven over shards: %v", counts)
				}
			case "zipf":
				h := 0.0
				for k := 1; k <= DefaultHotKeys; k++ {
					h += math.Pow(float64(k), -DefaultKeySkew)
				}
				want := 1 / h
				if got := float64(keys["hot-00000"]) / n; math.Abs(got-want) > 0.05*want {
					t.Errorf("hottest key share %.4f, want %.4f ± 5%%", got, want)
				}
				if len(keys) > DefaultHotKeys {
					t.Errorf("%d keys from a pool of %d", len(keys), DefaultHotKeys)
				}
			case "fixed":
				if busiest != n || len(keys) != 1 || keys[DefaultFixedKey] != n {
					t.Errorf("fixed key spread: %v %v", counts, keys)
				}
			case "explicit":
				for i, c := range counts {
					if c != n/shards {
						t.Errorf("shard %d got %d records, want exactly %d", i, c, n/shards)
					}
				}
				if pk, _ := s.Key("card-1"); pk != "card-1" {
					t.Errorf("explicit partition key %q, want the entity", pk)
				}
			}
		})
	}
}

// TestExplicitMidpoints checks the explicit hash keys against AWS's split
// of 3 shards.
func TestExplicitMidpoints(t *testing.T) {
	s, err := NewKeyStrategy("explicit", KeyConfig{Shards: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"56713727820156410577229101238628035242",  // (0 + …484) / 2
		"170141183460469231731687303715884105727", // (…485 + …969) / 2
		"283568639100782052886145506193140176212", // (…970 + 2^128-1) / 2
		"56713727820156410577229101238628035242",
	}
	for i, w := range want {
		if _, got := s.Key("x"); got != w {
			t.Errorf("key %d = %s, want %s", i, got, w)
		}
	}
	one, _ := NewKeyStrategy("explicit", KeyConfig{Shards: 1})
	if _, got := one.Key("x"); got != "170141183460469231731687303715884105727" {
		t.Errorf("one shard: %s", got)
	}
}

func TestKeyStrategyDeterministic(t *testing.T) {
	for _, kind := range []string{"random", "zipf"} {
		draw := func(seed int64) string {
			s, err := NewKeyStrategy(kind, KeyConfig{Seed: seed})
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for range 100 {
				k, _ := s.Key("e")
				b.WriteString(k)
			}
			return b.String()
		}
		if first, again := draw(1), draw(1); first != again || first == draw(2) {
			t.Errorf("%s keys are not a function of the seed", kind)
		}
	}
}

func TestNewKeyStrategyErrors(t *testing.T) {
	tests := []struct {
		kind string
		cfg  KeyConfig
		want []string // substrings, one per problem
	}{
		{"", KeyConfig{}, []string{"unknown"}},
		{"hashed", KeyConfig{}, []string{"unknown"}},
		{"explicit", KeyConfig{}, []string{"shards 0"}},
		{"explicit", KeyConfig{Shards: -2}, []string{"shards -2 must be at least 1", "must not be negative"}},
		{"zipf", KeyConfig{HotKeys: -1, Skew: -1}, []string{"keys.hot_keys: must be between 1 and 10000000, got -1", "keys.skew: must be a finite number greater than 1"}},
		{"zipf", KeyConfig{Skew: math.Inf(1)}, []string{"skew"}},
		{"fixed", KeyConfig{Fixed: strings.Repeat("é", 257)}, []string{"keys.fixed: a partition key is 1 to 256 characters, got 257"}},
	}
	for _, tt := range tests {
		_, err := NewKeyStrategy(tt.kind, tt.cfg)
		if err == nil {
			t.Errorf("%q %+v: no error", tt.kind, tt.cfg)
			continue
		}
		if n := len(strings.Split(err.Error(), "\n")); n != len(tt.want) {
			t.Errorf("%q: %d problems, want %d: %v", tt.kind, n, len(tt.want), err)
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q: error %q lacks %q", tt.kind, err, w)
			}
		}
	}
	if _, err := NewKeyStrategy("fixed", KeyConfig{Fixed: strings.Repeat("é", 256)}); err != nil {
		t.Errorf("a 256-character fixed key: %v", err)
	}
}

// FuzzShardForKey checks ShardForKey against math/big on any input: it
// never panics, and it agrees on every valid explicit hash key.
func FuzzShardForKey(f *testing.F) {
	f.Add("tok_0123456789abcdef", "", 4)
	f.Add("", "113427455640312821154458202477256070485", 3)
	f.Add("k", "340282366920938463463374607431768211456", 2)
	f.Add("k", "007", 1)
	f.Fuzz(func(t *testing.T, pk, ehk string, shards int) {
		got := ShardForKey(pk, ehk, shards)
		if shards < 1 {
			if got != -1 {
				t.Fatalf("shards %d gave %d", shards, got)
			}
			return
		}
		shards = min(shards, 1<<20)
		got = ShardForKey(pk, ehk, shards)
		var h *big.Int
		if ehk == "" {
			sum := md5.Sum([]byte(pk))
			h = new(big.Int).SetBytes(sum[:])
		} else {
			var ok bool
			h, ok = new(big.Int).SetString(ehk, 10)
			if !ok || h.Sign() < 0 || h.Cmp(two128) >= 0 || strings.ContainsAny(ehk, "+-_") {
				if got != -1 {
					t.Fatalf("invalid hash key %q gave %d", ehk, got)
				}
				return
			}
		}
		if want := bigShard(h, shards); got != want {
			t.Fatalf("ShardForKey(%q, %q, %d) = %d, want %d", pk, ehk, shards, got, want)
		}
	})
}
