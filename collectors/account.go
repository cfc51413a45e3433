package collectors

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/generators"
	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/pack"
)

// Stats is a collector's live state, for the run's live line and its decision
// of when the drain is over.
type Stats struct {
	Seen       int64 // distinct records of the run this collector saw
	Duplicates int64 // records it saw again
	Foreign    int64 // records that were not this run's
	Corrupt    int64 // Kinesis records that failed to decompress or de-aggregate
	// DecodeNs is the time spent decompressing and de-aggregating packed
	// Kinesis records, Decoded the user records they held.
	DecodeNs, Decoded int64
	Calls             int64 // read calls made (GetRecords, or SubscribeToShard for fan-out)
	Throttled         int64 // read calls rejected for throughput
	Shards            int   // shards being read now
	MillisBehind      int64 // max over the shards being read of their latest MillisBehindLatest
	// TipAt is when (process clock, Unix ns) a read last left the collector
	// at the tip of every shard it reads (MillisBehindLatest 0 on all); 0
	// if never. A record acknowledged well before TipAt and never seen was
	// read past: lost, not unread.
	TipAt int64
}

// core is what a collector's shard readers share: the configuration, the
// live counters, each shard's latest lag, the application's worker pool and
// its count of records at risk.
type core struct {
	cfg Config
	// now returns the receive time (process clock, Unix ns); tests replace it.
	now func() int64
	// wait does every wait between calls and retries, and the simulated
	// processing; tests replace it.
	wait waitFunc
	// refresh is the ListShards interval.
	refresh time.Duration
	// workers holds one token per batch being processed, when
	// Config.Concurrency limits them; nil otherwise.
	workers chan struct{}

	seen, duplicates, foreign, calls, throttled atomic.Int64
	corrupt, decodeNs, decoded                  atomic.Int64
	shards                                      atomic.Int64
	tipAt                                       atomic.Int64
	// atRisk is the number of records processed but not checkpointed,
	// summed over shards.
	atRisk atomic.Int64
	// readers numbers the sinks, each drawing processing times from a
	// stream of its own.
	readers atomic.Uint64

	// restart carries Restart requests to the running follow loop.
	restart chan time.Duration

	mu  sync.Mutex
	lag map[string]int64 // shard id → latest MillisBehindLatest
	// checkpoints holds each shard's last checkpointed sequence number:
	// where a reader starts after a restart.
	checkpoints map[string]string
}

func newCore(cfg Config) core {
	var workers chan struct{}
	if cfg.Concurrency > 0 {
		workers = make(chan struct{}, cfg.Concurrency)
	}
	refresh := shardRefresh
	if cfg.Owns != nil {
		// Another worker reads the parents of some shards this one reads:
		// their children are found by listing, not by reading the parent
		// to its end.
		refresh = ownedShardRefresh
	}
	return core{cfg: cfg, now: envelope.Now, wait: sleep, refresh: refresh, workers: workers,
		restart: make(chan time.Duration, 1), lag: map[string]int64{}, checkpoints: map[string]string{}}
}

// checkpoint returns shard's last checkpointed sequence number, "" if none.
func (c *core) checkpoint(shard string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.checkpoints[shard]
}

// setCheckpoint records shard's checkpoint.
func (c *core) setCheckpoint(shard, seq string) {
	c.mu.Lock()
	c.checkpoints[shard] = seq
	c.mu.Unlock()
}

// stats returns a snapshot of the live counters.
func (c *core) stats() Stats {
	return Stats{
		Seen:         c.seen.Load(),
		Duplicates:   c.duplicates.Load(),
		Foreign:      c.foreign.Load(),
		Corrupt:      c.corrupt.Load(),
		DecodeNs:     c.decodeNs.Load(),
		Decoded:      c.decoded.Load(),
		Calls:        c.calls.Load(),
		Throttled:    c.throttled.Load(),
		Shards:       int(c.shards.Load()),
		MillisBehind: c.millisBehind(),
		TipAt:        c.tipAt.Load(),
	}
}

// millisBehind returns the max over shards of their latest lag.
func (c *core) millisBehind() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.maxLagLocked()
}

func (c *core) maxLagLocked() int64 {
	var m int64
	for _, v := range c.lag {
		m = max(m, v)
	}
	return m
}

// setLag records a shard's latest MillisBehindLatest and publishes the new
// maximum in App.MillisBehind (and Metrics.MillisBehind if primary).
func (c *core) setLag(shard string, ms int64) {
	c.mu.Lock()
	c.lag[shard] = ms
	m := c.maxLagLocked()
	c.mu.Unlock()
	if m == 0 {
		c.tipAt.Store(c.now())
	}
	c.publishLag(m)
}

// dropLag forgets a shard that is no longer read (finished, or stopped).
func (c *core) dropLag(shard string) {
	c.mu.Lock()
	delete(c.lag, shard)
	m := c.maxLagLocked()
	c.mu.Unlock()
	c.publishLag(m)
}

func (c *core) publishLag(m int64) {
	c.cfg.App.MillisBehind.Store(m)
	if c.cfg.Primary {
		c.cfg.Metrics.MillisBehind.Store(m)
	}
}

// countCall counts one read call made, and whether it was throttled, in the
// live counters and the application's metrics.
func (c *core) countCall(throttled bool) {
	c.calls.Add(1)
	c.cfg.App.Calls.Add(1)
	if throttled {
		c.throttled.Add(1)
		c.cfg.App.Throttled.Add(1)
	}
}

// deadline returns the deadline of a record of producer p (0: none).
func (c *core) deadline(p uint32) time.Duration {
	if int(p) < len(c.cfg.Deadlines) && c.cfg.Deadlines[p] > 0 {
		return c.cfg.Deadlines[p]
	}
	return c.cfg.Deadline
}

// sink does one shard reader's per-record accounting, its simulated
// processing and its checkpoints. It belongs to one goroutine: its latency
// recorders are never shared.
type sink struct {
	c  *core
	id string // the shard's id
	// The application's view.
	shard                *metrics.AppShard
	e2e, uncorr, arrival *metrics.Recorder
	// run is the run-level view, nil unless the collector is primary.
	run *runSink

	proc processor
	// unpacker, users and keys turn Kinesis records into user records
	// (unpack.go).
	unpacker pack.Unpacker
	users    []userRecord
	keys     map[string]string
	// last is the sequence number of the last record processed, "" if none.
	last string
	// checkpointed is the sequence number of the last checkpoint, taken at
	// lastCheckpoint (process clock); pending records were processed since.
	checkpointed   string
	lastCheckpoint int64
	pending        int64
}

// runSink is what a primary collector's sink writes into the run.
type runSink struct {
	shard                                         *metrics.ShardCounts
	e2e, uncorr, sendToArrival, arrivalToConsumed *metrics.Recorder
}

// newSink returns a sink for one reader goroutine of the given shard. After
// a restart it starts at the shard's checkpoint: its last is the
// checkpointed sequence number, so the reader reads on after it.
func (c *core) newSink(shardID string) *sink {
	app := c.cfg.App
	sh := app.Shard(shardID)
	cp := c.checkpoint(shardID)
	s := &sink{
		c:              c,
		id:             shardID,
		last:           cp,
		checkpointed:   cp,
		shard:          sh,
		e2e:            app.E2E.Recorder(),
		uncorr:         app.E2EUncorrected.Recorder(),
		arrival:        app.ArrivalToConsumed.Recorder(),
		proc:           newProcessor(c.cfg.Processing, c.readers.Add(1)),
		lastCheckpoint: c.now(),
	}
	if c.cfg.Primary {
		m := c.cfg.Metrics
		s.run = &runSink{
			shard:             m.Shard(shardID),
			e2e:               m.E2E.Recorder(),
			uncorr:            m.E2EUncorrected.Recorder(),
			sendToArrival:     m.SendToArrival.Recorder(),
			arrivalToConsumed: m.ArrivalToConsumed.Recorder(),
		}
	}
	return s
}

// record accounts for one record consumed at consumed (process clock, Unix
// ns: received plus its processing) with the given data, partition key and
// ApproximateArrivalTimestamp (Unix ns, 0 when absent).
func (s *sink) record(consumed int64, data []byte, key string, arrival int64) {
	c := s.c
	cfg := &c.cfg
	env, err := envelope.Find(data) // the binary prefix, or the "_kb" field in hex
	if err != nil {
		env, err = generators.FindEnvelope(data) // a record format's field (json, avro, protobuf, csv)
	}
	if err != nil && cfg.Inputs != nil {
		if v, ok := FieldValue(data, cfg.InputField); ok {
			if in, ok := cfg.Inputs.Get(v); ok {
				env = envelope.Envelope{RunID: cfg.RunID, ProducerID: in.Producer, Seq: in.Seq, Intended: in.Intended, Sent: in.Sent}
				err = nil
			}
		}
	}
	res, o := trackUnknown, metrics.OrderResult{}
	if err == nil && env.RunID == cfg.RunID {
		res, o = cfg.Tracker.addOrdered(env.ProducerID, cfg.orderShare(env.ProducerID, env.Seq), key, env.Seq)
	}
	switch res {
	case trackUnknown:
		c.foreign.Add(1)
		// A stream someone else feeds: its read path is still measured.
		if arrival != 0 {
			s.arrival.Record(time.Duration(consumed - arrival))
		}
		if s.run != nil {
			cfg.Metrics.Foreign.Add(1)
			if arrival != 0 {
				s.run.arrivalToConsumed.Record(time.Duration(consumed - arrival))
			}
		}
		return
	case trackDuplicate:
		c.duplicates.Add(1)
		cfg.Metrics.Duplicates.Add(1)
		return
	}
	c.seen.Add(1)
	app, m, r := cfg.App, cfg.Metrics, s.run
	if o.Late {
		app.OrderCounts.Add(o)
		s.shard.OrderCounts.Add(o)
		if r != nil {
			m.OrderCounts.Add(o)
			r.shard.OrderCounts.Add(o)
		}
	}
	bytes := int64(len(data) + len(key))
	app.Consumed.Add(1)
	app.ConsumedBytes.Add(bytes)
	s.shard.Consumed.Add(1)
	if r != nil {
		m.Consumed.Add(1)
		m.ConsumedBytes.Add(bytes)
		r.shard.Consumed.Add(1)
	}
	if env.Intended < cfg.WarmupEnd || (cfg.MeasureEnd != 0 && env.Intended >= cfg.MeasureEnd) {
		return
	}
	e2e := time.Duration(consumed - env.Intended)
	uncorr := time.Duration(consumed - env.Sent)
	deadline := c.deadline(env.ProducerID)
	onTime := deadline > 0 && e2e <= deadline
	s.e2e.Record(e2e)
	s.uncorr.Record(uncorr)
	s.shard.E2E.Record(e2e)
	if arrival != 0 {
		s.arrival.Record(time.Duration(consumed - arrival))
	}
	app.Measured.Add(1)
	pc := app.Producer(env.ProducerID)
	pc.Measured.Add(1)
	if onTime {
		app.OnTime.Add(1)
		pc.OnTime.Add(1)
	}
	if r == nil {
		return
	}
	r.e2e.Record(e2e)
	r.uncorr.Record(uncorr)
	if arrival != 0 {
		r.sendToArrival.Record(time.Duration(arrival - env.Sent))
		r.arrivalToConsumed.Record(time.Duration(consumed - arrival))
	}
	m.Measured.Add(1)
	if onTime {
		m.OnTime.Add(1)
	}
}
