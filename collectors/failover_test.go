package collectors

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/sim"
)

// TestFailoverAgainstSim stops each kind of collector mid-run and resumes it
// from its checkpoints: the records it consumed after its last checkpoint
// before the stop are read again, and exactly those are duplicates. With a
// checkpoint after every batch nothing is re-read; with checkpoints an hour
// apart, every record consumed before the stop is, or, when the clock jumps
// two hours after the first 100 records so that they are checkpointed, the
// 50 consumed after them.
func TestFailoverAgainstSim(t *testing.T) {
	for _, kind := range collectorKinds {
		for _, tc := range []struct {
			name     string
			interval time.Duration
			jump     bool // checkpoint the first records, then consume more
		}{{"checkpoint every batch", 0, false}, {"no checkpoint yet", time.Hour, false}, {"after a checkpoint", time.Hour, true}} {
			t.Run(kind.name+"/"+tc.name, func(t *testing.T) {
				c := simClient(t, sim.DefaultConfig())
				createStream(t, c, "kb", 2)
				run := metrics.NewRun(2)
				tr := NewTracker(2)
				app := metrics.NewApp("t")
				var log logLines
				p, err := kind.make(Config{
					Name: "it", Stream: "kb", RunID: testRun, PollInterval: 100 * time.Millisecond,
					CheckpointInterval: tc.interval,
					Primary:            true, Metrics: run, Tracker: tr, App: app, Log: log.log,
				}, c)
				if err != nil {
					t.Fatal(err)
				}
				var skew atomic.Int64
				cr := coreOf(t, p)
				cr.now = func() int64 { return envelope.Now() + skew.Load() }
				ctx, cancel := context.WithCancel(t.Context())
				done := make(chan error, 1)
				go func() { done <- p.Run(ctx) }()
				first := putEnveloped(t, c, "kb", run, 2, 0, 100)
				waitSeen(t, tr, first)
				n := first
				want := int64(0)
				switch {
				case tc.jump:
					skew.Store(int64(2 * time.Hour))
					waitFor(t, "checkpoints", func() bool { return app.Checkpoints.Load() >= 2 && cr.atRisk.Load() == 0 })
					n += putEnveloped(t, c, "kb", run, 2, 100, 125)
					waitSeen(t, tr, n)
					want = n - first
				case tc.interval > 0:
					want = first
				}
				p.Restart(300 * time.Millisecond)
				waitFor(t, "the restart", func() bool { return app.Restarts.Load() == 1 })
				n += putEnveloped(t, c, "kb", run, 2, 125, 150)
				waitSeen(t, tr, n)
				waitFor(t, "the re-reads", func() bool { return tr.Duplicates() >= app.Rewound.Load() })
				time.Sleep(300 * time.Millisecond) // anything more would show now
				cancel()
				if err := <-done; err != nil {
					t.Fatal(err)
				}
				rewound := app.Rewound.Load()
				if tr.Duplicates() != rewound || tr.Seen() != n || tr.Lost(run) != 0 {
					t.Errorf("duplicates %d, rewound %d, seen %d of %d, lost %d: want duplicates == rewound, all seen once",
						tr.Duplicates(), rewound, tr.Seen(), n, tr.Lost(run))
				}
				if rewound != want {
					t.Errorf("rewound %d, want %d (records consumed after the last checkpoint before the stop)", rewound, want)
				}
				if run.OutOfOrder.Load() != 0 {
					t.Errorf("%d out of order: re-reads are duplicates, not late records", run.OutOfOrder.Load())
				}
				if log.index("stopped; resuming from its checkpoints") < 0 {
					t.Error("no log line for the restart")
				}
			})
		}
	}
}

// coreOf returns the core of a polling or fan-out collector.
func coreOf(t *testing.T, c collector) *core {
	t.Helper()
	switch c := c.(type) {
	case *Polling:
		return &c.core
	case *FanOut:
		return &c.core
	}
	t.Fatalf("no core in %T", c)
	return nil
}

// waitFor polls cond (bounded) until it holds, failing the test if it never
// does.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
