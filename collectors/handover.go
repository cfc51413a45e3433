package collectors

import (
	"cmp"
	"slices"
)

// What a worker of a distributed run hands kbench merge so that outputs
// read on one worker can be matched to inputs produced on another: the
// inputs it remembers by correlation value (InputIndex.Dump) and the
// incidents its generators made (Incidents.Dump). The merge loads every
// worker's into one index and one ground truth and replays the outputs
// (Output) through a Matcher.

// IndexEntry is one input an InputIndex remembers, under its value.
type IndexEntry struct {
	Value string
	Input Input
}

// Dump returns the inputs the index holds, oldest first; how many it was
// given in all; and, by slot, how many it evicted before an output of the
// slot named them.
func (x *InputIndex) Dump() (entries []IndexEntry, added int64, evicted []int64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, e := range x.order[x.head:] {
		if e != nil && x.byValue[e.value] == e {
			entries = append(entries, IndexEntry{Value: e.value, Input: e.Input})
		}
	}
	return entries, x.added, slices.Clone(x.evicted)
}

// Load adds what another index dumped: its inputs, as remembered (none is
// evicted: make the index large enough), and its counts, so that Counts
// covers both.
func (x *InputIndex) Load(entries []IndexEntry, added int64, evicted []int64) {
	for _, e := range entries {
		x.Add(e.Value, e.Input, e.Input.Intended)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.added += added - int64(len(entries))
	for i := range min(len(evicted), len(x.evicted)) {
		x.evicted[i] += evicted[i]
	}
}

// IncidentRecord is one incident of the ground truth, with its records.
type IncidentRecord struct {
	Key         string
	First, Last int64 // intended times of its first and latest record
	Measured    bool
	Complete    bool
	Members     []InputRef
}

// InputRef names one input record: its producer and sequence number.
type InputRef struct {
	Producer uint32
	Seq      uint64
}

// Dump returns every incident, by id, with its records. Whether one was
// alerted is not kept: the merge matches the outputs again.
func (t *Incidents) Dump() []IncidentRecord {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]IncidentRecord, len(t.list))
	for i, in := range t.list {
		out[i] = IncidentRecord{Key: in.key, First: in.first, Last: in.last, Measured: in.measured, Complete: in.complete}
	}
	for id, i := range t.byInput {
		out[i].Members = append(out[i].Members, InputRef{Producer: id.producer, Seq: id.seq})
	}
	for i := range out {
		slices.SortFunc(out[i].Members, func(a, b InputRef) int {
			return cmp.Or(cmp.Compare(a.Producer, b.Producer), cmp.Compare(a.Seq, b.Seq))
		})
	}
	return out
}

// Load adds incidents another ground truth dumped and returns the id the
// first got; the others follow in order.
func (t *Incidents) Load(recs []IncidentRecord) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	base := len(t.list)
	for i, r := range recs {
		id := base + i
		t.list = append(t.list, incident{key: r.Key, first: r.First, last: r.Last, measured: r.Measured, complete: r.Complete})
		t.byKey[r.Key] = append(t.byKey[r.Key], id)
		for _, m := range r.Members {
			t.byInput[inputID{m.Producer, m.Seq}] = id
		}
	}
	return base
}

// CountsAt is counts as it stood at `at` (process clock): the measured,
// complete incidents whose latest record was due before at, and how many
// of them were alerted before at.
func (t *Incidents) CountsAt(at int64) (total, alerted int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, in := range t.list {
		if in.measured && in.complete && in.last < at {
			total++
			if in.alerted && in.alertedAt < at {
				alerted++
			}
		}
	}
	return total, alerted
}
