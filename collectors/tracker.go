package collectors

import (
	"sync/atomic"

	"github.com/kbench/kbench/metrics"
)

// Tracker is one consumer application's view of a run: which records of the
// run it has seen, one bit per record and producer, how many it saw more
// than once, and the order it saw each producer's keys in. It is safe for
// concurrent use by all of that application's shard readers.
type Tracker struct {
	seen       []*metrics.SeqSet // by producer id
	order      *metrics.OrderTable
	distinct   atomic.Int64
	duplicates atomic.Int64
}

// maxSeq bounds the sequence numbers a Tracker accepts: 2^36 records of one
// producer, 19 hours at a million records per second. A record claiming a
// larger one is damaged or not kbench's, and marking it would allocate the
// set's index up to it.
const maxSeq = 1 << 36

// trackResult is what Tracker.add reports about one record.
type trackResult uint8

const (
	trackNew       trackResult = iota // first time this record was seen
	trackDuplicate                    // seen before
	trackUnknown                      // producer id outside the run or seq beyond maxSeq: not this run's record
)

// NewTracker returns an empty tracker for a run with the given number of
// producer instances (ids 0 .. producers-1).
func NewTracker(producers int) *Tracker {
	t := &Tracker{seen: make([]*metrics.SeqSet, max(producers, 0))}
	for i := range t.seen {
		t.seen[i] = new(metrics.SeqSet)
	}
	t.order = metrics.NewOrderTable(t.seen, 0, 0)
	return t
}

// SkipGivenUp has the order check treat the records run's producers gave
// up on as consumed when it drops what can no longer count (see
// metrics.OrderTable.Skip), so that lost records do not make it keep every
// later record's number. Call it before the tracker is used; it returns t.
func (t *Tracker) SkipGivenUp(run *metrics.Run) *Tracker {
	t.order.Skip(run.GivenUpSets())
	return t
}

// addOrdered is add for a record consumed with partition key: a new record
// is also checked against the order of its key's records consumed before.
// share is the sender's share of the producer whose order the record is
// checked in (see metrics.OrderTable.ObserveShare; 0 when not split).
func (t *Tracker) addOrdered(producer, share uint32, key string, seq uint64) (trackResult, metrics.OrderResult) {
	if int(producer) >= len(t.seen) || seq >= maxSeq {
		return trackUnknown, metrics.OrderResult{}
	}
	o, ok := t.order.ObserveShare(producer, share, key, seq)
	if ok {
		t.distinct.Add(1)
		return trackNew, o
	}
	t.duplicates.Add(1)
	return trackDuplicate, o
}

// add marks record seq of producer as seen.
func (t *Tracker) add(producer uint32, seq uint64) trackResult {
	if int(producer) >= len(t.seen) || seq >= maxSeq {
		return trackUnknown
	}
	if t.seen[producer].Add(seq) {
		t.distinct.Add(1)
		return trackNew
	}
	t.duplicates.Add(1)
	return trackDuplicate
}

// Seen returns how many distinct records of the run the application has seen.
func (t *Tracker) Seen() int64 { return t.distinct.Load() }

// Duplicates returns how many records the application saw again after the
// first time.
func (t *Tracker) Duplicates() int64 { return t.duplicates.Load() }

// Lost returns how many records run's producers had acknowledged that the
// application has not seen, summed over producers: lost or still unread.
// Call it after the drain period: until then, records still in flight count.
func (t *Tracker) Lost(run *metrics.Run) int64 {
	var n int64
	for p := range run.Producers() {
		acked := run.AckedSet(uint32(p))
		if p < len(t.seen) {
			n += acked.Missing(t.seen[p])
		} else {
			n += acked.Len()
		}
	}
	return n
}

// Unacked returns how many records the application has seen that run's
// producers never had acknowledged: records counted failed or unsent (a
// call that timed out or was cut off) that the target stored all the same.
func (t *Tracker) Unacked(run *metrics.Run) int64 {
	var n int64
	for p, seen := range t.seen {
		if acked := run.AckedSet(uint32(p)); acked != nil {
			n += seen.Missing(acked)
		} else {
			n += seen.Len()
		}
	}
	return n
}

// OrderExact reports whether the out-of-order counts cover every key: the
// order table never had to sample (see metrics.OrderTable).
func (t *Tracker) OrderExact() bool { return t.order.Exact() }

// LateKeys returns the metrics.OrderKeyID of every key the application
// read out of order, ascending (see metrics.OrderTable.LateKeys).
func (t *Tracker) LateKeys() []uint64 {
	ids, _ := t.order.LateKeys()
	return ids
}

// OrderSampledShare returns the share of keys whose order is tracked now: 1
// while OrderExact.
func (t *Tracker) OrderSampledShare() float64 { return t.order.SampledShare() }

// SeenSet returns the set of producer's sequence numbers the application
// has seen, nil for a producer id outside the run. Read it after the
// application stopped.
func (t *Tracker) SeenSet(producer uint32) *metrics.SeqSet {
	if int(producer) >= len(t.seen) {
		return nil
	}
	return t.seen[producer]
}
