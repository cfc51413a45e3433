package collectors

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/metrics"
)

// Stats is a collector's live state, for the run's live line and its decision
// of when the drain is over.
type Stats struct {
	Seen         int64 // distinct records of the run this collector saw
	Duplicates   int64 // records it saw again
	Foreign      int64 // records that were not this run's
	Calls        int64 // read calls made (GetRecords, or SubscribeToShard for fan-out)
	Throttled    int64 // read calls rejected for throughput
	Shards       int   // shards being read now
	MillisBehind int64 // max over the shards being read of their latest MillisBehindLatest
}

// core is what a collector's shard readers share: the configuration, the
// live counters and each shard's latest lag.
type core struct {
	cfg Config
	// now returns the receive time (process clock, Unix ns); tests replace it.
	now func() int64
	// wait does every wait between calls and retries; tests replace it.
	wait waitFunc
	// refresh is the ListShards interval.
	refresh time.Duration

	seen, duplicates, foreign, calls, throttled atomic.Int64
	shards                                      atomic.Int64

	mu  sync.Mutex
	lag map[string]int64 // shard id → latest MillisBehindLatest
}

func newCore(cfg Config) core {
	return core{cfg: cfg, now: envelope.Now, wait: sleep, refresh: shardRefresh, lag: map[string]int64{}}
}

// stats returns a snapshot of the live counters.
func (c *core) stats() Stats {
	return Stats{
		Seen:         c.seen.Load(),
		Duplicates:   c.duplicates.Load(),
		Foreign:      c.foreign.Load(),
		Calls:        c.calls.Load(),
		Throttled:    c.throttled.Load(),
		Shards:       int(c.shards.Load()),
		MillisBehind: c.millisBehind(),
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

// setLag records a shard's latest MillisBehindLatest; a primary collector
// publishes the new maximum in Metrics.MillisBehind.
func (c *core) setLag(shard string, ms int64) {
	c.mu.Lock()
	c.lag[shard] = ms
	m := c.maxLagLocked()
	c.mu.Unlock()
	if c.cfg.Primary {
		c.cfg.Metrics.MillisBehind.Store(m)
	}
}

// dropLag forgets a shard that is no longer read (finished, or stopped).
func (c *core) dropLag(shard string) {
	c.mu.Lock()
	delete(c.lag, shard)
	m := c.maxLagLocked()
	c.mu.Unlock()
	if c.cfg.Primary {
		c.cfg.Metrics.MillisBehind.Store(m)
	}
}

// countCall counts one read call made in the live counters, and whether it
// was throttled.
func (c *core) countCall(throttled bool) {
	c.calls.Add(1)
	if throttled {
		c.throttled.Add(1)
	}
}

// sink does one shard reader's per-record accounting. It belongs to one
// goroutine: its latency recorders are never shared.
type sink struct {
	c           *core
	shard       *metrics.ShardCounts
	e2e, uncorr *metrics.Recorder // nil unless the collector is primary
}

// newSink returns a sink for one reader goroutine of the given shard.
func (c *core) newSink(shardID string) *sink {
	s := &sink{c: c}
	if c.cfg.Primary {
		s.shard = c.cfg.Metrics.Shard(shardID)
		s.e2e = c.cfg.Metrics.E2E.Recorder()
		s.uncorr = c.cfg.Metrics.E2EUncorrected.Recorder()
	}
	return s
}

// record accounts for one record received at recv (process clock, Unix ns)
// with the given data and partition-key length.
func (s *sink) record(recv int64, data []byte, keyLen int) {
	c := s.c
	cfg := &c.cfg
	env, err := envelope.Decode(data)
	res := trackUnknown
	if err == nil && env.RunID == cfg.RunID {
		res = cfg.Tracker.add(env.ProducerID, env.Seq)
	}
	switch res {
	case trackUnknown:
		c.foreign.Add(1)
		if cfg.Primary {
			cfg.Metrics.Foreign.Add(1)
		}
		return
	case trackDuplicate:
		c.duplicates.Add(1)
		cfg.Metrics.Duplicates.Add(1)
		return
	}
	c.seen.Add(1)
	if !cfg.Primary {
		return
	}
	m := cfg.Metrics
	m.Consumed.Add(1)
	m.ConsumedBytes.Add(int64(len(data) + keyLen))
	s.shard.Consumed.Add(1)
	if env.Intended < cfg.WarmupEnd || (cfg.MeasureEnd != 0 && env.Intended >= cfg.MeasureEnd) {
		return
	}
	e2e := time.Duration(recv - env.Intended)
	s.e2e.Record(e2e)
	s.uncorr.Record(time.Duration(recv - env.Sent))
	m.Measured.Add(1)
	if cfg.Deadline > 0 && e2e <= cfg.Deadline {
		m.OnTime.Add(1)
	}
}
