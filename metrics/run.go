package metrics

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Latency metric names. They are the keys under "latency" in summary.json and
// the stems of the .hlog files.
const (
	LatPut            = "put"             // one PutRecords call, request to response
	LatE2E            = "e2e"             // intended send time to consumed (coordinated-omission corrected)
	LatE2EUncorrected = "e2e_uncorrected" // actual send time to consumed
	LatLateness       = "lateness"        // actual send time minus intended send time
	LatDelivery       = "delivery"        // intended send time to acknowledged
	// LatSendToArrival is actual send time to the record's
	// ApproximateArrivalTimestamp (the target's clock, millisecond resolution).
	LatSendToArrival = "send_to_arrival"
	// LatArrivalToConsumed is ApproximateArrivalTimestamp to consumed.
	LatArrivalToConsumed = "arrival_to_consumed"
)

// Run is everything one run records. Producers and collectors write into it
// concurrently; the run loop samples it every second; reports read it at the
// end. All counters count records unless their name says bytes or calls.
type Run struct {
	Put, E2E, E2EUncorrected, Lateness, Delivery *Latency
	SendToArrival, ArrivalToConsumed             *Latency

	Produced     atomic.Int64 // records generated and handed to the batcher
	Acked        atomic.Int64 // records the target accepted
	Failed       atomic.Int64 // records given up on after the last attempt
	Unsent       atomic.Int64 // records due but never sent, by cause (see AddUnsent)
	Throttled    atomic.Int64 // record-attempts rejected with ProvisionedThroughputExceededException
	Retried      atomic.Int64 // record resends (each failed attempt that was retried)
	Calls        atomic.Int64 // PutRecords calls made, including retries
	CallErrors   atomic.Int64 // PutRecords calls that failed whole (transport or service error)
	CallFailures atomic.Int64 // those of CallErrors that were not throttling (see NoteCallFailure)
	Late         atomic.Int64 // records sent more than a pacer tick after their intended time, or never sent by the producers' cutoff
	InFlight     atomic.Int64 // PutRecords calls in flight now (a gauge)
	// Busy is the producers' in-flight slots holding a batch (a call in
	// flight, or a batch waiting out a retry backoff), integrated over time.
	Busy TimeGauge
	// Waiting is the producers' scheduling loops blocked on their senders
	// (every sender of a lane busy and its queue full: with ordering
	// per_key, a shard's one call in flight), integrated over time.
	Waiting       TimeGauge
	ProducedBytes atomic.Int64 // bytes of acknowledged records (data + partition key)
	// KinesisRecords counts acknowledged Kinesis records: Acked counts the
	// user records in them, which are more when producers aggregate.
	KinesisRecords atomic.Int64

	Consumed        atomic.Int64 // distinct records consumed (first consumer application)
	ConsumedBytes   atomic.Int64 // bytes of those records
	Duplicates      atomic.Int64 // records consumed more than once, all consumers
	Foreign         atomic.Int64 // records on the stream that were not this run's
	Corrupt         atomic.Int64 // Kinesis records that failed to decompress or de-aggregate (primary consumer)
	OnTime          atomic.Int64 // measured records consumed within their deadline
	Measured        atomic.Int64 // records whose e2e was recorded (after warmup)
	GetRecordsCalls atomic.Int64
	GetThrottled    atomic.Int64 // GetRecords calls rejected for throughput
	MillisBehind    atomic.Int64 // latest MillisBehindLatest seen, max over shards
	// OrderCounts are the first consumer application's late records.
	OrderCounts

	mu          sync.Mutex
	lastFailure string
	failReasons map[string]int64
	unsent      map[string]int64 // Unsent by cause
	shards      map[string]*ShardCounts
	acked       []*SeqSet // by producer id
	byProducer  []ProducerTotals
	givenUp     []*SeqSet // by producer id
	scheduled   []atomic.Int64
	due         []atomic.Int64 // by producer: intended time of the record it waits to hand over; 0 when done
}

// ShardCounts are one shard's counters.
type ShardCounts struct {
	Records atomic.Int64 // acknowledged (user) records written to the shard
	// KinesisRecords counts the acknowledged Kinesis records that carried
	// them: what the shard's 1,000 records/s quota counts.
	KinesisRecords atomic.Int64
	Bytes          atomic.Int64 // their bytes (data + partition key)
	Throttled      atomic.Int64 // record-attempts throttled on the shard
	Consumed       atomic.Int64 // records read from the shard
	// OrderCounts are the first consumer application's late records read
	// from the shard.
	OrderCounts

	first, last atomic.Int64 // process-clock ns of the first and latest acknowledged write
}

// NoteWrite records that writes to the shard were acknowledged at at
// (process clock, Unix ns), so its rate can be taken over the time it was
// written to: a shard that resharding closed or opened mid-run carries
// records for part of the run only.
func (c *ShardCounts) NoteWrite(at int64) {
	c.first.CompareAndSwap(0, at)
	for {
		old := c.last.Load()
		if at <= old || c.last.CompareAndSwap(old, at) {
			return
		}
	}
}

// Writes returns when (process clock, Unix ns) the shard's first and
// latest acknowledged writes were; 0, 0 if none.
func (c *ShardCounts) Writes() (first, last int64) { return c.first.Load(), c.last.Load() }

// LastWrite returns when (process clock, Unix ns) the shard's latest
// acknowledged write was; 0 if none.
func (c *ShardCounts) LastWrite() int64 { return c.last.Load() }

// LastAck returns when the run's latest acknowledged write was, over every
// shard (process clock, Unix ns); 0 if none.
func (r *Run) LastAck() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var last int64
	for _, c := range r.shards {
		last = max(last, c.LastWrite())
	}
	return last
}

// Written returns how long the shard was written to: from its first to its
// latest acknowledged write (0 before two writes).
func (c *ShardCounts) Written() time.Duration {
	return time.Duration(c.last.Load() - c.first.Load())
}

// NewRun returns an empty Run for the given number of producer instances.
func NewRun(producers int) *Run {
	r := &Run{
		Put:               NewLatency(LatPut),
		E2E:               NewLatency(LatE2E),
		E2EUncorrected:    NewLatency(LatE2EUncorrected),
		Lateness:          NewLatency(LatLateness),
		Delivery:          NewLatency(LatDelivery),
		SendToArrival:     NewLatency(LatSendToArrival),
		ArrivalToConsumed: NewLatency(LatArrivalToConsumed),
		failReasons:       map[string]int64{},
		unsent:            map[string]int64{},
		shards:            map[string]*ShardCounts{},
	}
	r.acked = make([]*SeqSet, producers)
	r.byProducer = make([]ProducerTotals, producers)
	r.givenUp = make([]*SeqSet, producers)
	r.scheduled = make([]atomic.Int64, producers)
	r.due = make([]atomic.Int64, producers)
	for i := range r.acked {
		r.acked[i] = new(SeqSet)
		r.givenUp[i] = new(SeqSet)
	}
	return r
}

// Latencies returns every latency metric in report order.
func (r *Run) Latencies() []*Latency {
	return []*Latency{r.Put, r.Delivery, r.E2E, r.E2EUncorrected, r.Lateness, r.SendToArrival, r.ArrivalToConsumed}
}

// Shard returns the counters of a shard, creating them on first use.
func (r *Run) Shard(id string) *ShardCounts {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.shards[id]
	if s == nil {
		s = new(ShardCounts)
		r.shards[id] = s
	}
	return s
}

// ShardIDs returns the ids of every shard seen, sorted.
func (r *Run) ShardIDs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := make([]string, 0, len(r.shards))
	for id := range r.shards {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// AddFailed counts n records given up on for the given reason (an error code
// such as "ProvisionedThroughputExceededException", or "transport").
func (r *Run) AddFailed(reason string, n int64) {
	r.Failed.Add(n)
	r.mu.Lock()
	r.failReasons[reason] += n
	r.mu.Unlock()
}

// Causes of unsent records, the keys of UnsentCauses.
const (
	// UnsentRunStopped: generated, but the run was interrupted or aborted
	// before they were sent (or settled).
	UnsentRunStopped = "run_stopped"
	// UnsentOverrun: generated, but still not sent (or settled) when the
	// producers stopped at duration + max_overrun.
	UnsentOverrun = "overrun"
	// UnsentNotGenerated: due within duration, but the producer was so far
	// behind that it had not generated them when it stopped.
	UnsentNotGenerated = "not_generated"
)

// AddUnsent counts n records as never sent, for cause (one of the Unsent*
// constants).
func (r *Run) AddUnsent(cause string, n int64) {
	if n == 0 {
		return
	}
	r.Unsent.Add(n)
	r.mu.Lock()
	r.unsent[cause] += n
	r.mu.Unlock()
}

// UnsentCauses returns Unsent split by cause.
func (r *Run) UnsentCauses() map[string]int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int64, len(r.unsent))
	for k, v := range r.unsent {
		out[k] = v
	}
	return out
}

// NoteCallFailure counts a PutRecords call that failed whole for a reason
// other than throttling (connection refused, a 5xx, a timeout) and keeps its
// message, so a run that gives up on its target can say why.
func (r *Run) NoteCallFailure(err error) {
	r.CallFailures.Add(1)
	r.mu.Lock()
	r.lastFailure = err.Error()
	r.mu.Unlock()
}

// LastCallFailure returns the message of the latest NoteCallFailure, or "".
func (r *Run) LastCallFailure() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lastFailure
}

// FailReasons returns a copy of the failed-record counts by reason.
func (r *Run) FailReasons() map[string]int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int64, len(r.failReasons))
	for k, v := range r.failReasons {
		out[k] = v
	}
	return out
}

// ProducerTotals are one producer instance's shares of Run's Produced,
// Acked, Throttled and Failed, so live metrics can break them down by
// producer. Each is written by one producer's goroutines only.
type ProducerTotals struct {
	Produced, Acked, Throttled, Failed atomic.Int64

	_ [32]byte // a cache line of its own: producers do not share one
}

// ByProducer returns the counters of a producer instance, or nil for an
// unknown producer id.
func (r *Run) ByProducer(producer uint32) *ProducerTotals {
	if int(producer) >= len(r.byProducer) {
		return nil
	}
	return &r.byProducer[producer]
}

// AckedSet returns the set of acknowledged sequence numbers of a producer, or
// nil for an unknown producer id.
func (r *Run) AckedSet(producer uint32) *SeqSet {
	if int(producer) >= len(r.acked) {
		return nil
	}
	return r.acked[producer]
}

// GivenUpSets returns, by producer id, the sets of sequence numbers the
// producers gave up on: records failed after their last attempt or
// rejected before sending. Such a record is normally never consumed.
func (r *Run) GivenUpSets() []*SeqSet { return r.givenUp }

// CountScheduled counts one record of a producer that was due in the
// measured window (after warmup). Records that fail or are never consumed
// still count: they are the denominator of the time value of data.
func (r *Run) CountScheduled(producer uint32) {
	if int(producer) < len(r.scheduled) {
		r.scheduled[producer].Add(1)
	}
}

// AddScheduled counts n more records of a producer due in the measured
// window.
func (r *Run) AddScheduled(producer uint32, n int64) {
	if int(producer) < len(r.scheduled) {
		r.scheduled[producer].Add(n)
	}
}

// SetDue notes the intended time (process-clock ns) of the record a
// producer is generating or handing over; 0 means its schedule is done.
func (r *Run) SetDue(producer uint32, at int64) {
	if int(producer) < len(r.due) {
		r.due[producer].Store(at)
	}
}

// ScheduleLag returns how far behind its schedule the furthest-behind
// producer is at now (process-clock ns): now minus the intended time of the
// record it is still generating or handing over, 0 when none is behind.
func (r *Run) ScheduleLag(now int64) int64 {
	var lag int64
	for i := range r.due {
		if at := r.due[i].Load(); at > 0 {
			lag = max(lag, now-at)
		}
	}
	return lag
}

// Scheduled returns how many records of a producer were due in the measured
// window.
func (r *Run) Scheduled(producer uint32) int64 {
	if int(producer) >= len(r.scheduled) {
		return 0
	}
	return r.scheduled[producer].Load()
}

// Producers returns the number of producer instances the run was made for.
func (r *Run) Producers() int { return len(r.acked) }
