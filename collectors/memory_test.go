package collectors

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

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
	const perShardBound = 16 << 10 // bytes per shard and application
	// The run's and applications' own latencies share stripes, one more per
	// reader up to twice GOMAXPROCS: one processor keeps what they add to
	// the larger run out of the per-shard figure on any host.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
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

// TestShardE2EFigures reads records of known latencies from two shards: each
// shard's e2e must be exactly the histogram of its records' latencies, and
// the shards' together the application's.
func TestShardE2EFigures(t *testing.T) {
	const ms = int64(time.Millisecond)
	const recv = 10_000 * ms
	app := metrics.NewApp("a")
	cfg, err := Config{Stream: "s", RunID: testRun, Primary: true, Metrics: metrics.NewRun(1), Tracker: NewTracker(1), App: app}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	c := newCore(cfg)
	want := map[string]*hdrhistogram.Histogram{}
	seq := uint64(0)
	for sh, id := range []string{"shardId-000000000000", "shardId-000000000001"} {
		s, h := c.newSink(id), metrics.NewHistogram()
		for r := range 500 {
			e2e := int64(r*(sh+1)*7919)*int64(time.Microsecond) + 3
			e := envelope.Envelope{RunID: testRun, Seq: seq, Intended: recv - e2e, Sent: recv}
			seq++
			s.record(recv, e.Append(nil), "key", 0)
			_ = h.RecordValue(e2e)
		}
		want[id] = h
	}
	app.Rotate()
	var sum int64
	for id, w := range want {
		got := app.Shard(id).E2E.Total()
		if !slices.Equal(got.Export().Counts, w.Export().Counts) {
			t.Errorf("%s: e2e counts differ from its records' latencies (%d values, want %d; p99 %d, want %d)",
				id, got.TotalCount(), w.TotalCount(), got.ValueAtQuantile(99), w.ValueAtQuantile(99))
		}
		sum += got.TotalCount()
	}
	if total := app.E2E.Total().TotalCount(); sum != total || sum != 1000 {
		t.Errorf("shards hold %d e2e values, the application %d, want 1000", sum, total)
	}
}
