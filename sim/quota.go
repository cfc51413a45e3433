package sim

import (
	"sync"
	"sync/atomic"
)

// AWS's per-shard quotas.
const (
	shardWriteRecords = 1000       // records/s written per shard
	shardWriteBytes   = 1 << 20    // bytes/s written per shard (data + partition key)
	shardReadCalls    = 5          // GetRecords calls/s per shard
	shardReadBytes    = 2 << 20    // bytes/s read by GetRecords per shard
	shardIterCalls    = 5          // GetShardIterator calls/s per shard
	fanOutBytes       = 2 << 20    // bytes/s per consumer per shard (SubscribeToShard)
	bigReadBytes      = 10 << 20   // a GetRecords call this large throttles the shard's reads...
	bigReadPenalty    = 5 * 1e9    // ...for this many nanoseconds
	onDemandRecords   = 4000       // initial write records/s of an on-demand stream
	onDemandBytes     = 4 << 20    // initial write bytes/s of an on-demand stream
	onDemandShards    = 4          // shards of a new on-demand stream
	second            = int64(1e9) // nanoseconds
)

// bucket is a token bucket refilled at rate tokens per second, holding at
// most one second's worth (burst == rate), so a sustained load is held to
// the rate within one second's tokens. It is not safe for concurrent use;
// the shard's lock guards it.
type bucket struct {
	rate   float64
	tokens float64
	last   int64 // unix nanoseconds of the last refill
}

func newBucket(rate float64, now int64) bucket { return bucket{rate: rate, tokens: rate, last: now} }

func (b *bucket) refill(now int64) {
	if now > b.last {
		b.tokens = min(b.rate, b.tokens+float64(now-b.last)*b.rate/1e9)
		b.last = now
	}
}

// take takes n tokens if the bucket holds them.
func (b *bucket) take(now int64, n float64) bool {
	b.refill(now)
	if b.tokens >= n {
		b.tokens -= n
		return true
	}
	return false
}

// ready reports whether the bucket holds any tokens; debit then takes what a
// call used, possibly going into debt. Reads are checked this way because a
// single GetRecords call may return more than one second's quota.
func (b *bucket) ready(now int64) bool {
	b.refill(now)
	return b.tokens > 0
}

func (b *bucket) debit(n float64) { b.tokens -= n }

// waitNanos is how long until the bucket is out of debt.
func (b *bucket) waitNanos(now int64) int64 {
	b.refill(now)
	if b.tokens > 0 {
		return 0
	}
	return int64(-b.tokens/b.rate*1e9) + 1
}

// setRate changes the rate (and burst), keeping the tokens held up to it.
func (b *bucket) setRate(rate float64) {
	b.rate = rate
	b.tokens = min(b.tokens, rate)
}

// writeCapacity is an on-demand stream's write capacity. It starts at 4 MiB/s
// and 4,000 records/s for the stream (a warm one at twice its previous
// peak, Config.OnDemandStart) and, once per second, grows to twice
// the accepted rate of the second just ended when that is higher (AWS: twice
// the peak of the last 30 days). It never shrinks. The capacity is spread
// evenly over the stream's open shards.
type writeCapacity struct {
	winStart atomic.Int64 // unix nanoseconds the current window began
	recs     atomic.Int64 // records accepted in the window
	bytes    atomic.Int64 // bytes accepted in the window

	mu       sync.Mutex
	capRecs  float64
	capBytes float64
	rolling  atomic.Bool
}

// newWriteCapacity starts at records and bytes per second.
func newWriteCapacity(now int64, records, bytes float64) *writeCapacity {
	c := &writeCapacity{capRecs: records, capBytes: bytes}
	c.winStart.Store(now)
	return c
}

// observe adds accepted writes and, when a window of at least a second has
// ended, returns the new per-stream capacity to apply (ok true).
func (c *writeCapacity) observe(now, recs, bytes int64) (capRecs, capBytes float64, ok bool) {
	c.recs.Add(recs)
	c.bytes.Add(bytes)
	start := c.winStart.Load()
	if now-start < second || !c.rolling.CompareAndSwap(false, true) {
		return 0, 0, false
	}
	defer c.rolling.Store(false)
	if c.winStart.Load() != start {
		return 0, 0, false
	}
	elapsed := float64(now-start) / 1e9
	r := float64(c.recs.Swap(0)) / elapsed
	b := float64(c.bytes.Swap(0)) / elapsed
	c.winStart.Store(now)
	c.mu.Lock()
	defer c.mu.Unlock()
	grew := false
	if 2*r > c.capRecs {
		c.capRecs, grew = 2*r, true
	}
	if 2*b > c.capBytes {
		c.capBytes, grew = 2*b, true
	}
	return c.capRecs, c.capBytes, grew
}

// current returns the stream-wide capacity.
func (c *writeCapacity) current() (capRecs, capBytes float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.capRecs, c.capBytes
}
