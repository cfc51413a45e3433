package collectors

import "testing"

// TestOrderStream: a producer split among workers has its order tracked per
// worker share, each apart from every other producer.
func TestOrderStream(t *testing.T) {
	c := Config{Split: []int{1, 4}}
	seen := map[uint32]bool{}
	for seq := range uint64(8) {
		seen[c.orderStream(1, seq)] = true
		if got := c.orderStream(0, seq); got != 0 {
			t.Errorf("producer 0 (not split), seq %d: stream %d", seq, got)
		}
	}
	if len(seen) != 4 || seen[0] {
		t.Errorf("producer 1 split by 4 workers: streams %v, want four, none shared with producer 0", seen)
	}
	if got := (&Config{}).orderStream(7, 3); got != 7 {
		t.Errorf("no split: stream %d, want the producer 7", got)
	}
}
