package collectors

import (
	"slices"
	"testing"
)

// TestInputIndexDumpLoad: what an index dumps, loaded into another with
// another worker's, counts as both did: every input given, the evicted
// ones, and the ones no output named yet.
func TestInputIndexDumpLoad(t *testing.T) {
	a := NewInputIndex(2, 0, 1)
	for i, v := range []string{"t1", "t2", "t3"} { // t1 is evicted unseen
		a.Add(v, Input{Seq: uint64(i), Intended: int64(i), Incident: -1}, int64(i))
	}
	a.See("t2", 0)
	entries, added, evicted := a.Dump()
	if len(entries) != 2 || entries[0].Value != "t2" || entries[1].Value != "t3" || added != 3 || !slices.Equal(evicted, []int64{1}) {
		t.Fatalf("Dump = %v, %d, %v; want t2 and t3, 3 added, 1 evicted", entries, added, evicted)
	}
	b := NewInputIndex(1, 0, 1)
	b.Add("u1", Input{Seq: 9, Incident: -1}, 0)
	merged := NewInputIndex(10, 0, 1)
	merged.Load(entries, added, evicted)
	e2, a2, v2 := b.Dump()
	merged.Load(e2, a2, v2)
	// t2 was named on its worker, but the merge matches outputs again.
	if c := merged.Counts(0); c != (IndexCounts{Added: 4, Unseen: 3, Evicted: 1}) {
		t.Errorf("merged counts %+v, want 4 added, 3 unseen, 1 evicted", c)
	}
	if in, ok := merged.Get("t3"); !ok || in.Seq != 2 {
		t.Errorf("t3 = %+v, %v after the load", in, ok)
	}
}

// TestIncidentsDumpLoad: incidents loaded from a dump keep their keys,
// times and records, and CountsAt counts those complete before a time and
// alerted before it.
func TestIncidentsDumpLoad(t *testing.T) {
	src := NewIncidents()
	src.Add(0, 1, "c1", true, false, 100, true)
	src.Add(0, 2, "c1", false, true, 200, true)
	src.Add(0, 5, "c2", true, true, 300, false) // in the warmup: not expected
	recs := src.Dump()
	if len(recs) != 2 || len(recs[0].Members) != 2 || recs[0].Last != 200 || !recs[0].Complete {
		t.Fatalf("Dump = %+v", recs)
	}
	dst := NewIncidents()
	dst.Add(1, 7, "c9", true, true, 50, true)
	if base := dst.Load(recs); base != 1 {
		t.Errorf("Load gave the first id %d, want 1", base)
	}
	if id := dst.of(0, 2); id != 1 {
		t.Errorf("record 2 of producer 0 is in incident %d, want 1", id)
	}
	if _, already, ok := dst.match(1, true, "c1", 250, 1000); !ok || already {
		t.Errorf("alert of c1 at 250: ok %v, already %v", ok, already)
	}
	for _, tc := range []struct{ at, total, alerted int64 }{{60, 1, 0}, {201, 2, 0}, {251, 2, 1}} {
		if total, alerted := dst.CountsAt(tc.at); total != tc.total || alerted != tc.alerted {
			t.Errorf("CountsAt(%d) = %d, %d; want %d, %d", tc.at, total, alerted, tc.total, tc.alerted)
		}
	}
}
