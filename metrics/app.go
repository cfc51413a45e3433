package metrics

import (
	"sort"
	"sync"
	"sync/atomic"
)

// App is what one consumer application records: its own view of the run,
// so that several applications reading one stream (two polling ones sharing
// a shard's 5 calls/s, a fan-out one beside them) are measured side by side.
// The first (primary) application's numbers are also written into Run.
type App struct {
	Name string

	// E2E is intended send time to consumed (after processing): the
	// staleness of the data when this application had it.
	E2E *Latency
	// E2EUncorrected is actual send time to consumed.
	E2EUncorrected *Latency
	// ArrivalToConsumed is the record's ApproximateArrivalTimestamp to
	// consumed: the read path alone.
	ArrivalToConsumed *Latency

	Consumed       atomic.Int64 // distinct records of the run consumed
	ConsumedBytes  atomic.Int64 // their bytes (data + partition key)
	Measured       atomic.Int64 // records whose e2e was recorded (after warmup)
	OnTime         atomic.Int64 // measured records consumed within the deadline
	Calls          atomic.Int64 // read calls (GetRecords, or SubscribeToShard for fan-out)
	Throttled      atomic.Int64 // read calls rejected for throughput
	MillisBehind   atomic.Int64 // latest MillisBehindLatest, max over shards
	Checkpoints    atomic.Int64 // checkpoints taken
	AtRiskMax      atomic.Int64 // most records processed but not yet checkpointed at any moment
	ProcessingBusy atomic.Int64 // nanoseconds spent in simulated per-record processing
	// Restarts counts the times the application was stopped and resumed
	// from its checkpoints; Rewound the records it had processed but not
	// checkpointed when stopped, which it then read again.
	Restarts, Rewound atomic.Int64
	// OrderCounts are the records the application consumed out of their
	// production order (see OrderTable).
	OrderCounts

	mu        sync.Mutex
	fallback  string
	shards    map[string]*AppShard
	producers atomic.Pointer[[]*ProducerCounts] // by producer id; replaced whole when it grows
}

// ProducerCounts is one producer's share of an application's deadline
// accounting, for the report's deadline.by_producer.
type ProducerCounts struct {
	Measured atomic.Int64 // the producer's records whose e2e was recorded
	OnTime   atomic.Int64 // those consumed within their deadline
}

// AppShard is one shard as one consumer application saw it.
type AppShard struct {
	Consumed atomic.Int64
	// E2E is packed: a run keeps one per shard and application.
	E2E *PackedLatency
	// OrderCounts are the late records read from the shard; a key counts
	// in OutOfOrderKeys of the shard its first late record was read from.
	OrderCounts
}

// NewApp returns an empty App with the given name.
func NewApp(name string) *App {
	return &App{
		Name:              name,
		E2E:               NewLatency(LatE2E),
		E2EUncorrected:    NewLatency(LatE2EUncorrected),
		ArrivalToConsumed: NewLatency(LatArrivalToConsumed),
		shards:            map[string]*AppShard{},
	}
}

// Latencies returns the application's latency metrics.
func (a *App) Latencies() []*Latency {
	return []*Latency{a.E2E, a.E2EUncorrected, a.ArrivalToConsumed}
}

// Shard returns the application's view of a shard, creating it on first use.
func (a *App) Shard(id string) *AppShard {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.shards[id]
	if s == nil {
		s = &AppShard{E2E: NewPackedLatency(LatE2E)}
		a.shards[id] = s
	}
	return s
}

// ShardIDs returns the ids of every shard the application read, sorted.
func (a *App) ShardIDs() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	ids := make([]string, 0, len(a.shards))
	for id := range a.shards {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Producer returns the counts of producer id, growing the table to hold it
// on first use. Producer ids are small and dense (a run's producer instances
// are numbered from 0), so the table stays small. It is safe for concurrent
// use and does not lock once the table holds id.
func (a *App) Producer(id uint32) *ProducerCounts {
	if p := a.producers.Load(); p != nil && int(id) < len(*p) {
		return (*p)[id]
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	var old []*ProducerCounts
	if p := a.producers.Load(); p != nil {
		old = *p
	}
	if int(id) < len(old) {
		return old[id]
	}
	grown := make([]*ProducerCounts, int(id)+1)
	copy(grown, old)
	for i := len(old); i < len(grown); i++ {
		grown[i] = new(ProducerCounts)
	}
	a.producers.Store(&grown)
	return grown[id]
}

// Producers returns how many producer ids the table holds: one more than the
// largest id passed to Producer, or 0.
func (a *App) Producers() int {
	if p := a.producers.Load(); p != nil {
		return len(*p)
	}
	return 0
}

// SetFallback records that the application could not be served the way the
// scenario asked and says how it read instead (for example "polling:
// SubscribeToShard sends no initial-response event").
func (a *App) SetFallback(why string) {
	a.mu.Lock()
	a.fallback = why
	a.mu.Unlock()
}

// Fallback returns what SetFallback recorded, or "".
func (a *App) Fallback() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.fallback
}

// NoteAtRisk raises AtRiskMax to n if n is larger.
func (a *App) NoteAtRisk(n int64) {
	for {
		old := a.AtRiskMax.Load()
		if n <= old || a.AtRiskMax.CompareAndSwap(old, n) {
			return
		}
	}
}

// Rotate rotates the application's own latencies so their totals include
// everything recorded so far. Its shards' totals always do.
func (a *App) Rotate() {
	for _, l := range a.Latencies() {
		l.Rotate()
	}
}
