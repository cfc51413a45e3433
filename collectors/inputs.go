package collectors

import (
	"sync"
)

// Input is what kbench remembers of one input record for correlation: when
// it was due and sent, whose it was, and the incident it belongs to.
type Input struct {
	Producer uint32
	Seq      uint64
	// Intended and Sent are process-clock times (Unix ns): the pacer's
	// intended send time and when the producer generated the record.
	Intended, Sent int64
	// Incident is the ground-truth incident's id (Incidents.Add), or -1.
	Incident int
}

// InputIndex remembers input records by their correlation value (a field
// such as txn_id) so that outputs naming it can be matched, with bounded
// memory: it holds at most Capacity records and none older than MaxAge,
// evicting the oldest first and counting what it evicted. Each of its
// slots (one per destination) counts the outputs naming a record on its
// own. It is safe for concurrent use.
type InputIndex struct {
	capacity int
	maxAge   int64
	slots    int

	mu      sync.Mutex
	byValue map[string]*indexed
	order   []*indexed // oldest first, from head
	head    int
	added   int64
	evicted []int64 // by slot: records evicted before any output named them
}

type indexed struct {
	Input
	value string
	seen  []int32 // outputs that named it, by slot
}

// NewInputIndex returns an index of slots slots holding at most capacity
// records, none older than maxAge (0: no age limit).
func NewInputIndex(capacity int, maxAge int64, slots int) *InputIndex {
	slots = max(slots, 1)
	return &InputIndex{capacity: max(capacity, 1), maxAge: maxAge, slots: slots,
		byValue: map[string]*indexed{}, evicted: make([]int64, slots)}
}

// Add remembers in under value at now (process clock); a value added again
// replaces the older record.
func (x *InputIndex) Add(value string, in Input, now int64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for x.head < len(x.order) {
		old := x.order[x.head]
		if len(x.byValue) < x.capacity && (x.maxAge == 0 || now-old.Intended <= x.maxAge) {
			break
		}
		x.order[x.head] = nil
		x.head++
		if x.byValue[old.value] == old {
			delete(x.byValue, old.value)
			for i, n := range old.seen {
				if n == 0 {
					x.evicted[i]++
				}
			}
		}
	}
	if x.head > 1024 && x.head*2 > len(x.order) {
		x.order = append(x.order[:0], x.order[x.head:]...)
		x.head = 0
	}
	e := &indexed{Input: in, value: value, seen: make([]int32, x.slots)}
	x.byValue[value] = e
	x.order = append(x.order, e)
	x.added++
}

// Get looks value up without counting an output.
func (x *InputIndex) Get(value string) (Input, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	e, ok := x.byValue[value]
	if !ok {
		return Input{}, false
	}
	return e.Input, true
}

// See looks value up and counts one output of slot naming it: it returns
// the input and how many outputs of slot named it before this one.
func (x *InputIndex) See(value string, slot int) (Input, int, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	e, ok := x.byValue[value]
	if !ok || slot < 0 || slot >= x.slots {
		return Input{}, 0, false
	}
	e.seen[slot]++
	return e.Input, int(e.seen[slot] - 1), true
}

// IndexCounts is an InputIndex's accounting.
type IndexCounts struct {
	Added   int64 // records remembered
	Unseen  int64 // records held that no output named
	Evicted int64 // records evicted before any output named them
}

// Counts returns slot's accounting so far.
func (x *InputIndex) Counts(slot int) IndexCounts {
	x.mu.Lock()
	defer x.mu.Unlock()
	if slot < 0 || slot >= x.slots {
		return IndexCounts{}
	}
	c := IndexCounts{Added: x.added, Evicted: x.evicted[slot]}
	for _, e := range x.byValue {
		if e.seen[slot] == 0 {
			c.Unseen++
		}
	}
	return c
}

// Incidents is the generators' ground truth: incidents such as the payments
// generator's fraud bursts, each a run of one producer's records under one
// key. It is safe for concurrent use.
type Incidents struct {
	mu      sync.Mutex
	list    []incident
	byKey   map[string][]int
	byInput map[inputID]int // the incident of each of its records
	open    map[uint32]int  // producer → its incident in progress
}

// inputID names one record: its producer and sequence number.
type inputID struct {
	producer uint32
	seq      uint64
}

type incident struct {
	key         string
	first, last int64 // intended times of its first and latest record
	alerted     bool
	alertedAt   int64 // arrival of its first alert
	measured    bool
	complete    bool // its last record was made: the run did not cut it short
}

// NewIncidents returns an empty ground truth.
func NewIncidents() *Incidents {
	return &Incidents{byKey: map[string][]int{}, byInput: map[inputID]int{}, open: map[uint32]int{}}
}

// Add records that record seq of producer, intended at `intended`, is part of an
// incident of key, starting a new one with start (last: the record is the
// incident's last), and returns the incident's id. measured says the incident counts (it started inside the measured
// part of the run); an incident the end of the run cut short (its last
// record never made) is not expected either.
func (t *Incidents) Add(producer uint32, seq uint64, key string, start, last bool, intended int64, measured bool) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	id, ok := t.open[producer]
	if start || !ok || t.list[id].key != key {
		id = len(t.list)
		t.list = append(t.list, incident{key: key, first: intended, measured: measured})
		t.byKey[key] = append(t.byKey[key], id)
		t.open[producer] = id
	}
	t.list[id].last = intended
	t.list[id].complete = t.list[id].complete || last
	t.byInput[inputID{producer, seq}] = id
	return id
}

// of returns the incident record seq of producer is part of, or -1.
func (t *Incidents) of(producer uint32, seq uint64) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if id, ok := t.byInput[inputID{producer, seq}]; ok {
		return id
	}
	return -1
}

// match finds the incident an output of key arriving at `arrival` is about:
// the given one (id ≥ 0) when it has that key, none when the output's
// input is known but in no incident of key (resolved), else the latest of
// key whose first record was due at or before arrival and no longer than
// window before it.
// It marks the incident alerted and says whether it was already, and
// returns the intended time of the incident's latest record.
func (t *Incidents) match(id int, resolved bool, key string, arrival, window int64) (latest int64, already, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case id >= 0 && id < len(t.list) && t.list[id].key == key:
	case resolved:
		return 0, false, false
	default:
		id = -1
		ids := t.byKey[key]
		for i := len(ids) - 1; i >= 0; i-- {
			in := t.list[ids[i]]
			if in.first <= arrival && arrival-in.first <= window {
				id = ids[i]
				break
			}
		}
	}
	if id < 0 {
		return 0, false, false
	}
	in := &t.list[id]
	already, in.alerted = in.alerted, true
	if !already {
		in.alertedAt = arrival
	}
	return in.last, already, true
}

// counts returns how many measured incidents there were and how many of
// them were alerted, and how many incidents outside them (of the warmup, or
// cut short by the end of the run) were alerted.
func (t *Incidents) counts() (total, alerted, unmeasured int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, in := range t.list {
		switch {
		case in.measured && in.complete:
			total++
			if in.alerted {
				alerted++
			}
		case in.alerted:
			unmeasured++
		}
	}
	return total, alerted, unmeasured
}
