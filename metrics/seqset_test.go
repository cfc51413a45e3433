package metrics

import (
	"sync"
	"testing"
)

func TestSeqSet(t *testing.T) {
	var acked, seen SeqSet
	for i := uint64(0); i < 200000; i++ {
		if !acked.Add(i) {
			t.Fatalf("Add(%d) reported a duplicate", i)
		}
		if i%1000 != 0 {
			seen.Add(i)
		}
	}
	if seen.Add(5) {
		t.Fatal("second Add(5) reported new")
	}
	if got := acked.Len(); got != 200000 {
		t.Fatalf("Len = %d", got)
	}
	if got := acked.Missing(&seen); got != 200 {
		t.Fatalf("Missing = %d, want 200", got)
	}
	if seen.Has(1000) || !seen.Has(1001) || seen.Has(1<<40) {
		t.Fatal("Has wrong")
	}
	var empty SeqSet
	if empty.Missing(&seen) != 0 || empty.Len() != 0 {
		t.Fatal("empty set not empty")
	}
}

func TestSeqSetConcurrent(t *testing.T) {
	var s SeqSet
	var wg sync.WaitGroup
	var dups [4]int
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := uint64(0); i < 300000; i++ {
				if !s.Add(i) {
					dups[g]++
				}
			}
		}()
	}
	wg.Wait()
	if s.Len() != 300000 || dups[0]+dups[1]+dups[2]+dups[3] != 3*300000 {
		t.Fatalf("len %d dups %v", s.Len(), dups)
	}
}

func BenchmarkSeqSetAdd(b *testing.B) {
	var s SeqSet
	b.ReportAllocs()
	for i := uint64(0); b.Loop(); i++ {
		s.Add(i)
	}
}

func TestSeqSetFirstMissing(t *testing.T) {
	var s SeqSet
	if got := s.FirstMissing(5); got != 5 {
		t.Errorf("empty set: FirstMissing(5) = %d, want 5", got)
	}
	for seq := range uint64(chunkBits + 70) { // across a word and a chunk boundary
		s.Add(seq)
	}
	s.Add(chunkBits + 71)
	for _, tc := range []struct{ from, want uint64 }{
		{0, chunkBits + 70}, {63, chunkBits + 70}, {chunkBits - 1, chunkBits + 70},
		{chunkBits + 70, chunkBits + 70}, {chunkBits + 71, chunkBits + 72},
	} {
		if got := s.FirstMissing(tc.from); got != tc.want {
			t.Errorf("FirstMissing(%d) = %d, want %d", tc.from, got, tc.want)
		}
	}
}

// TestSeqSetBinary round-trips sets through AppendBinary and UnmarshalBinary
// and checks Or and Common on two workers' interleaved shares.
func TestSeqSetBinary(t *testing.T) {
	var a, b SeqSet
	for n := uint64(0); n < 200_000; n++ {
		if n%2 == 0 {
			a.Add(n)
		} else if n%3 != 0 {
			b.Add(n)
		}
	}
	a.Add(1 << 30)
	buf := b.AppendBinary(a.AppendBinary(nil))
	var a2, b2 SeqSet
	rest, err := a2.UnmarshalBinary(buf)
	if err != nil {
		t.Fatal(err)
	}
	if rest, err = b2.UnmarshalBinary(rest); err != nil || len(rest) != 0 {
		t.Fatalf("second set: err %v, %d bytes left", err, len(rest))
	}
	if a2.Len() != a.Len() || b2.Len() != b.Len() || !a2.Has(1<<30) || a2.Missing(&a) != 0 {
		t.Fatalf("round trip: %d/%d and %d/%d", a2.Len(), a.Len(), b2.Len(), b.Len())
	}
	if c := a2.Common(&b2); c != 0 {
		t.Errorf("Common of disjoint shares = %d", c)
	}
	a2.Or(&b2)
	if got, want := a2.Len(), a.Len()+b.Len(); got != want {
		t.Errorf("Or: %d, want %d", got, want)
	}
	if c := a2.Common(&b); c != b.Len() {
		t.Errorf("Common after Or = %d, want %d", c, b.Len())
	}
	if _, err := new(SeqSet).UnmarshalBinary(buf[:10]); err == nil {
		t.Error("a truncated set was accepted")
	}
}
