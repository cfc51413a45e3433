package collectors

import "testing"

// TestOrderShare: a producer split among workers has its order tracked per
// worker share; a producer that is not split in one.
func TestOrderShare(t *testing.T) {
	c := Config{Split: []int{1, 4}}
	seen := map[uint32]bool{}
	for seq := range uint64(8) {
		seen[c.orderShare(1, seq)] = true
		if got := c.orderShare(0, seq); got != 0 {
			t.Errorf("producer 0 (not split), seq %d: share %d", seq, got)
		}
	}
	if len(seen) != 4 {
		t.Errorf("producer 1 split by 4 workers: shares %v, want four", seen)
	}
	if got := (&Config{}).orderShare(7, 3); got != 0 {
		t.Errorf("no split: share %d, want 0", got)
	}
}
