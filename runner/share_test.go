package runner

import (
	"fmt"
	"testing"
)

// TestShareSplitsTheSchedule checks that the workers' shares of a schedule
// are disjoint and together the whole of it.
func TestShareSplitsTheSchedule(t *testing.T) {
	const n, records = 4, 1003
	seen := make([]int, records)
	for i := range n {
		s := Share{Index: i, Count: n}
		k := uint64(0)
		for r := s.first(); r < records; r = s.next(r) {
			if s.local(r) != k {
				t.Fatalf("worker %d: record %d is its %d-th, local says %d", i, r, k, s.local(r))
			}
			seen[r]++
			k++
		}
	}
	for r, c := range seen {
		if c != 1 {
			t.Fatalf("record %d sent by %d workers", r, c)
		}
	}
	whole := Share{}
	if whole.first() != 0 || whole.next(5) != 6 || !whole.Whole() {
		t.Error("the zero Share is not the whole schedule")
	}
}

// TestOwnsShard checks that every shard, the first ones and children alike,
// is read by exactly one worker, and that the first shards spread evenly.
func TestOwnsShard(t *testing.T) {
	const n = 4
	per := make([]int, n)
	ids := []string{"odd-id", "shardId-"}
	for k := range 16 {
		ids = append(ids, fmt.Sprintf("shardId-%012d", k))
	}
	for _, id := range ids {
		owners := 0
		for i := range n {
			if (Share{Index: i, Count: n}).OwnsShard(id) {
				owners++
				if len(id) == len("shardId-000000000000") {
					per[i]++
				}
			}
		}
		if owners != 1 {
			t.Errorf("%s owned by %d workers", id, owners)
		}
	}
	for i, c := range per {
		if c != 4 {
			t.Errorf("worker %d owns %d of 16 shards, want 4", i, c)
		}
	}
	if !(Share{}).OwnsShard("anything") {
		t.Error("a run that is not split does not read every shard")
	}
}
