package collectors

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/metrics"
)

// TestShardsBoundedMemory reads a few records from each of many shards with
// two applications, the way a reader per shard accounts for them, and
// measures the heap this leaves against one shard read the same way in the
// same test. Each application keeps a view of every shard for the per-shard
// table; when that view held dense HDR histograms (a total and a recorder's
// stripe, ~200 KB each) a thousand shards took hundreds of MB per
// application. The bound is per shard and application.
func TestShardsBoundedMemory(t *testing.T) {
	const shards = 200
	const perShardBound = 32 << 10 // bytes per shard and application
	one, one1 := heapAfterReading(t, 1), heapAfterReading(t, 1)
	many := heapAfterReading(t, shards)
	base := max(one, one1)
	per := (float64(many) - float64(base)) / float64(2*(shards-1))
	t.Logf("heap: %d B with 1 shard, %d B with %d shards: %.0f B per shard and application", base, many, shards, per)
	if per > perShardBound {
		t.Errorf("each shard read costs each application %.0f KB of heap, want at most %d KB", per/1024, perShardBound>>10)
	}
}

// heapAfterReading returns the heap in use, after a collection, while two
// applications hold what they recorded of n shards, 40 records each with
// e2e latencies spread from 100 ms to 2 s, rotated as the sampler does.
func heapAfterReading(t *testing.T, n int) uint64 {
	t.Helper()
	const ms = int64(time.Millisecond)
	const recv = 10_000 * ms
	run := metrics.NewRun(1)
	apps := []*metrics.App{metrics.NewApp("a"), metrics.NewApp("b")}
	var sinks []*sink
	seq := uint64(0)
	for i, app := range apps {
		cfg, err := Config{Stream: "s", RunID: testRun, Primary: i == 0, Metrics: run, Tracker: NewTracker(1), App: app}.withDefaults()
		if err != nil {
			t.Fatal(err)
		}
		c := newCore(cfg)
		for sh := range n {
			s := c.newSink(fmt.Sprintf("shardId-%012d", sh))
			for r := range 40 {
				e := envelope.Envelope{RunID: testRun, Seq: seq + uint64(r), Intended: recv - (100+int64(r*r))*ms, Sent: recv - 100*ms}
				s.record(recv, e.Append(nil), "key", 0)
			}
			seq += 40
			sinks = append(sinks, s)
		}
		app.Rotate()
	}
	run.E2E.Rotate()
	runtime.GC()
	var st runtime.MemStats
	runtime.ReadMemStats(&st)
	for _, a := range apps {
		if got := len(a.ShardIDs()); got != n {
			t.Fatalf("%s read %d shards, want %d", a.Name, got, n)
		}
	}
	runtime.KeepAlive(sinks)
	runtime.KeepAlive(run)
	return st.HeapAlloc
}
