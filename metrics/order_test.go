package metrics

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
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

// newTestTable returns a table for two producers with the given capacity.
func newTestTable(keys, entries int) *OrderTable {
	return NewOrderTable([]*SeqSet{new(SeqSet), new(SeqSet)}, keys, entries)
}

func feed(t *OrderTable, recs []obs) orderTotals {
	var tot orderTotals
	for _, r := range recs {
		res, _ := t.Observe(r.producer, r.key, r.seq)
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
		// Displacements of 7, 100 and 10,000: the record held back comes
		// behind every later record of its key, however many.
		{"behind 7", late("a", 1, 7), orderTotals{1, 1, 7}},
		{"behind 100", late("a", 1, 100), orderTotals{1, 1, 100}},
		{"behind 10000", late("a", 1, 10000), orderTotals{1, 1, 10000}},
		// Other keys' records in between do not count; record 0 of key a,
		// held back, comes behind a's 50 records only.
		{"other keys between", append(interleave(50), a(0)), orderTotals{1, 1, 50}},
		// Resharding at scale: the parent's 5,000 records of a key, then its
		// child's 5,000, are in order; the child's first read before the
		// parent's last 3,000 put each of those behind all 5,000.
		{"parent then child, 10000", seqs("a", 0, 10000), orderTotals{}},
		{"child early, 10000", append(append(seqs("a", 0, 2000), seqs("a", 5000, 10000)...), seqs("a", 2000, 5000)...),
			orderTotals{3000, 1, 5000}},
		// Duplicates are neither late nor counted above a later record:
		// 5 delivered again after 9, then 3 comes behind 5, 7 and 9 only.
		{"duplicates excluded", []obs{a(1), a(5), a(7), a(9), a(5), a(9), a(3), a(3)}, orderTotals{1, 1, 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tab := newTestTable(0, 0)
			if got := feed(tab, tc.recs); got != tc.want {
				t.Errorf("late, keys, max displacement = %+v, want %+v", got, tc.want)
			}
			if !tab.Exact() || tab.SampledShare() != 1 {
				t.Errorf("exact %v share %v, want true 1", tab.Exact(), tab.SampledShare())
			}
		})
	}
}

// late returns key's records from to from+n, with record from held back
// until after the other n.
func late(key string, from uint64, n int) []obs {
	return append(seqs(key, from+1, from+1+uint64(n)), obs{0, key, from})
}

// interleave returns n records each of keys a, b and c, taking turns,
// from sequence number 1 on.
func interleave(n int) []obs {
	var out []obs
	for i := range n {
		for j, k := range []string{"a", "b", "c"} {
			out = append(out, obs{0, k, uint64(3*i + j + 1)})
		}
	}
	return out
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
// it. Some records are delivered twice; duplicates are reported as such and
// never count.
func TestOrderTableBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var recs []obs
		for seq := range uint64(300) {
			recs = append(recs, obs{uint32(rng.IntN(2)), fmt.Sprint("k", rng.IntN(4)), seq})
		}
		// Displace a few records by a random distance, as retries do, and
		// deliver a few twice.
		for range 10 {
			i := rng.IntN(len(recs))
			j := min(len(recs)-1, i+rng.IntN(200))
			r := recs[i]
			copy(recs[i:j], recs[i+1:j+1])
			recs[j] = r
		}
		for range 5 {
			i := rng.IntN(len(recs))
			recs = slices.Insert(recs, i+rng.IntN(len(recs)-i), recs[i])
		}
		// displacement is the direct count over the first deliveries
		// before record i; -1 marks a duplicate.
		displacement := func(i int) int {
			r, d := recs[i], 0
			firsts := map[obs]bool{}
			for _, q := range recs[:i] {
				if q == r {
					return -1
				}
				if q.producer == r.producer && q.key == r.key && q.seq > r.seq && !firsts[q] {
					firsts[q] = true
					d++
				}
			}
			return d
		}
		want := orderTotals{}
		keysHit := map[string]bool{}
		for i, r := range recs {
			if d := displacement(i); d > 0 {
				want.late++
				want.maxDisp = max(want.maxDisp, d)
				keysHit[fmt.Sprint(r.producer, r.key)] = true
			}
		}
		want.keys = len(keysHit)
		tab := newTestTable(0, 0)
		var got orderTotals
		for i, r := range recs {
			res, isNew := tab.Observe(r.producer, r.key, r.seq)
			d := displacement(i)
			if isNew != (d >= 0) || res.Late != (d > 0) || (d > 0 && res.Displacement != d) {
				t.Fatalf("round %d record %d %+v: got %+v new %v, want displacement %d", round, i, r, res, isNew, d)
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
	tab := newTestTable(1000, 0)
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
		if res, _ := tab.Observe(0, fmt.Sprint("key-", k), uint64(2*k)); res.Late {
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

// entries returns how many sequence numbers the table holds.
func (t *OrderTable) entries() int {
	n := 0
	for i := range t.parts {
		n += t.parts[i].entries
	}
	return n
}

// TestOrderTableBounded checks that the table drops the numbers below the
// watermark: a long run in order holds few of them, and one record that
// never arrives makes the table sample within its budget instead of
// growing.
func TestOrderTableBounded(t *testing.T) {
	tab := newTestTable(0, 1<<12)
	for seq := range uint64(200000) {
		if res, _ := tab.Observe(0, fmt.Sprint("k", seq%100), seq); res.Late {
			t.Fatalf("record %d late", seq)
		}
	}
	if n := tab.entries(); n > 200 {
		t.Errorf("%d numbers held after a run in order over 100 keys, want at most 200", n)
	}
	if !tab.Exact() {
		t.Error("not exact after a run in order")
	}
	// Producer 1's record 0 never arrives: nothing of it can be dropped.
	for seq := uint64(1); seq < 200000; seq++ {
		tab.Observe(1, fmt.Sprint("k", seq%100), seq)
		if n := tab.entries(); n > 1<<12 {
			t.Fatalf("record %d: %d numbers held, over the budget of %d", seq, n, 1<<12)
		}
	}
	if tab.Exact() {
		t.Error("exact after outgrowing its budget")
	}

	// The same with the missing record given up on: the watermark passes
	// over it, and the table stays small and exact.
	given := []*SeqSet{new(SeqSet), new(SeqSet)}
	given[1].Add(0)
	tab = newTestTable(0, 1<<12)
	tab.Skip(given)
	for seq := uint64(1); seq < 200000; seq++ {
		tab.Observe(1, fmt.Sprint("k", seq%100), seq)
	}
	if n := tab.entries(); n > 200 || !tab.Exact() {
		t.Errorf("%d numbers held, exact %v, with the missing record skipped; want at most 200, exact", n, tab.Exact())
	}
	// A record given up on and consumed after all counts the numbers still
	// held above it: here none.
	if res, _ := tab.Observe(1, "k0", 0); res.Late {
		t.Errorf("record given up on, consumed last: %+v, want not late (its key's numbers were dropped)", res)
	}
}

// TestOrderTableConcurrent feeds four readers' records at once, as shard
// readers do: each has its own keys and holds one record of each back
// behind a known number of its key's records, while the others' records
// move the shared watermark.
func TestOrderTableConcurrent(t *testing.T) {
	const readers, keys, per = 4, 5, 3000
	tab := newTestTable(0, 0)
	var wg sync.WaitGroup
	got := make([]orderTotals, readers)
	for g := range readers {
		wg.Go(func() {
			var recs []obs
			for k := range keys {
				key := fmt.Sprint("r", g, "k", k)
				var own []obs
				for i := range per {
					own = append(own, obs{0, key, uint64((i*keys+k)*readers + g)})
				}
				// Hold the key's record 10 back behind 100*(k+1) others.
				d := 100 * (k + 1)
				held := own[10]
				own = slices.Insert(slices.Delete(own, 10, 11), 10+d, held)
				recs = append(recs, own...)
			}
			got[g] = feed(tab, recs)
		})
	}
	wg.Wait()
	for g, tot := range got {
		if want := (orderTotals{keys, keys, 100 * keys}); tot != want {
			t.Errorf("reader %d: %+v, want %+v", g, tot, want)
		}
	}
}

// BenchmarkOrderObserve is the per-record cost the order check adds to a
// collector: in-order records over a number of keys (the table outgrows
// the CPU caches at 50,000).
func BenchmarkOrderObserve(b *testing.B) {
	for _, n := range []int{1, 1000, 50000} {
		b.Run(fmt.Sprint("keys=", n), func(b *testing.B) {
			tab := newTestTable(0, 0)
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

// TestOrderTableSharesCountAKeyOnce: a key whose records two senders
// share, late in both shares, is one out-of-order key, as one process
// sending them all counts it; its late records and displacements are each
// share's.
func TestOrderTableSharesCountAKeyOnce(t *testing.T) {
	tab := newTestTable(0, 0)
	var late, keys, maxDisp int
	// Share 0 sends the even numbers, share 1 the odd ones; each share
	// has one record of key "a" overtaken, and key "b" one in share 1.
	for _, r := range []struct {
		share uint32
		key   string
		seq   uint64
	}{{0, "a", 4}, {0, "a", 2}, {1, "a", 9}, {1, "a", 7}, {1, "a", 5}, {1, "b", 13}, {1, "b", 11}} {
		res, ok := tab.ObserveShare(0, r.share, r.key, r.seq)
		if !ok {
			t.Fatalf("%+v: reported a duplicate", r)
		}
		if res.Late {
			late++
			maxDisp = max(maxDisp, res.Displacement)
		}
		if res.FirstLate {
			keys++
		}
	}
	if late != 4 || keys != 2 || maxDisp != 2 {
		t.Errorf("late %d, keys %d, max displacement %d; want 4, 2, 2", late, keys, maxDisp)
	}
	ids, whole := tab.LateKeys()
	want := []uint64{OrderKeyID(0, "a"), OrderKeyID(0, "b")}
	slices.Sort(want)
	if !whole || !slices.Equal(ids, want) {
		t.Errorf("LateKeys = %v, %v; want %v, true", ids, whole, want)
	}
}
