package metrics

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// obs is one consumed record in an order test.
type obs struct {
	producer uint32
	key      string
	seq      uint64
}

// orderTotals sums what a table says about a sequence of records.
type orderTotals struct {
	late, keys, maxDisp int
}

func feed(t *OrderTable, recs []obs) orderTotals {
	var tot orderTotals
	for _, r := range recs {
		res := t.Observe(r.producer, r.key, r.seq)
		if res.Late {
			tot.late++
			tot.maxDisp = max(tot.maxDisp, res.Displacement)
		}
		if res.FirstLate {
			tot.keys++
		}
	}
	return tot
}

func TestOrderTableConstructed(t *testing.T) {
	a := func(seq uint64) obs { return obs{0, "a", seq} }
	b := func(seq uint64) obs { return obs{0, "b", seq} }
	tests := []struct {
		name string
		recs []obs
		want orderTotals
	}{
		{"in order", []obs{a(1), a(5), b(2), a(9), b(7)}, orderTotals{}},
		{"one swap", []obs{a(1), a(9), a(5)}, orderTotals{1, 1, 1}},
		{"behind three", []obs{a(2), a(3), a(4), a(1)}, orderTotals{1, 1, 3}},
		// 1 comes behind 2, 3 and 4; 5 is in order; 0 behind 2,3,4,5 and 1.
		{"two late of one key", []obs{a(2), a(3), a(4), a(1), a(5), a(0)}, orderTotals{2, 1, 5}},
		{"keys are separate", []obs{a(5), b(1), a(6), b(2)}, orderTotals{}},
		{"two keys late", []obs{a(5), a(4), b(9), b(8), b(7)}, orderTotals{3, 2, 2}},
		{"producers are separate", []obs{{0, "a", 5}, {1, "a", 1}, {1, "a", 2}}, orderTotals{}},
		{"same key other producer late", []obs{{1, "a", 5}, {1, "a", 1}}, orderTotals{1, 1, 1}},
		// Resharding: the parent's records (1..3) consumed before the
		// child's (4..6), as a collector reads them, are in order; a child
		// read first makes every parent record late.
		{"parent then child", []obs{a(1), a(2), a(3), a(4), a(5), a(6)}, orderTotals{}},
		{"child before parent", []obs{a(4), a(5), a(6), a(1), a(2), a(3)}, orderTotals{3, 1, 3}},
		// Behind more than OrderDepth records: shown as OrderDepth.
		{"saturates", append(seqs("a", 10, 30), a(1)), orderTotals{1, 1, OrderDepth}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tab := NewOrderTable(0)
			if got := feed(tab, tc.recs); got != tc.want {
				t.Errorf("late, keys, max displacement = %+v, want %+v", got, tc.want)
			}
			if !tab.Exact() || tab.SampledShare() != 1 {
				t.Errorf("exact %v share %v, want true 1", tab.Exact(), tab.SampledShare())
			}
		})
	}
}

func seqs(key string, from, to uint64) []obs {
	var out []obs
	for s := from; s < to; s++ {
		out = append(out, obs{0, key, s})
	}
	return out
}

// TestOrderTableBruteForce compares the table with a direct count on
// random shuffles of a few keys' records: a record's displacement is the
// number of its key's records with higher sequence numbers consumed before
// it, capped at OrderDepth.
func TestOrderTableBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var recs []obs
		for seq := range uint64(60) {
			recs = append(recs, obs{uint32(rng.IntN(2)), fmt.Sprint("k", rng.IntN(4)), seq})
		}
		// Displace a few records by a random distance, as retries do.
		for range 10 {
			i := rng.IntN(len(recs))
			j := min(len(recs)-1, i+rng.IntN(20))
			r := recs[i]
			copy(recs[i:j], recs[i+1:j+1])
			recs[j] = r
		}
		want := orderTotals{}
		keysHit := map[string]bool{}
		for i, r := range recs {
			d := 0
			for _, q := range recs[:i] {
				if q.producer == r.producer && q.key == r.key && q.seq > r.seq {
					d++
				}
			}
			if d > 0 {
				want.late++
				want.maxDisp = max(want.maxDisp, min(d, OrderDepth))
				keysHit[fmt.Sprint(r.producer, r.key)] = true
			}
		}
		want.keys = len(keysHit)
		tab := NewOrderTable(0)
		var got orderTotals
		for i, r := range recs {
			res := tab.Observe(r.producer, r.key, r.seq)
			d := 0
			for _, q := range recs[:i] {
				if q.producer == r.producer && q.key == r.key && q.seq > r.seq {
					d++
				}
			}
			if res.Late != (d > 0) || res.Displacement != min(d, OrderDepth) {
				t.Fatalf("round %d record %d %+v: got %+v, want displacement %d", round, i, r, res, d)
			}
			if res.Late {
				got.late++
				got.maxDisp = max(got.maxDisp, res.Displacement)
			}
			if res.FirstLate {
				got.keys++
			}
		}
		if got != want {
			t.Fatalf("round %d: %+v, want %+v", round, got, want)
		}
	}
}

// TestOrderTableSamples fills a small table with many keys: it stops being
// exact, tracks a share of keys near what it reports, and still counts the
// late records of the keys it kept.
func TestOrderTableSamples(t *testing.T) {
	tab := NewOrderTable(1000)
	const keys = 20000
	for k := range keys {
		tab.Observe(0, fmt.Sprint("key-", k), uint64(2*k+1))
	}
	if tab.Exact() {
		t.Fatal("exact after 20 times its capacity in keys")
	}
	share := tab.SampledShare()
	if share <= 0 || share > 0.2 {
		t.Fatalf("sampled share %v, want in (0, 0.2]", share)
	}
	// Every key now gets a record older than its first: the tracked ones
	// report it late.
	late := 0
	for k := range keys {
		if tab.Observe(0, fmt.Sprint("key-", k), uint64(2*k)).Late {
			late++
		}
	}
	est := float64(late) / share
	if est < 0.7*keys || est > 1.3*keys {
		t.Errorf("%d late of %d keys at share %.4f: estimate %.0f, want near %d", late, keys, share, est, keys)
	}
	used := 0
	for i := range tab.parts {
		used += tab.parts[i].used
		if len(tab.parts[i].slots) != tab.perPart {
			t.Fatalf("stripe %d grew to %d slots", i, len(tab.parts[i].slots))
		}
	}
	if used > orderStripes*tab.perPart*3/4 {
		t.Errorf("%d keys held, over capacity", used)
	}
}

// BenchmarkOrderObserve is the per-record cost the order check adds to a
// collector: in-order records over a number of keys (the table outgrows
// the CPU caches at 50,000).
func BenchmarkOrderObserve(b *testing.B) {
	for _, n := range []int{1, 1000, 50000} {
		b.Run(fmt.Sprint("keys=", n), func(b *testing.B) {
			tab := NewOrderTable(0)
			keys := make([]string, n)
			for i := range keys {
				keys[i] = fmt.Sprintf("card-%06d", i)
				tab.Observe(0, keys[i], 0)
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				tab.Observe(0, keys[i%n], uint64(i+1))
			}
		})
	}
}
