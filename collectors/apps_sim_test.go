package collectors

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/sim"
)

// putRounds writes rounds of per records per producer, every gap, so that
// records reach the collectors while they read, and returns how many were
// acknowledged. Sequence numbers continue from *next.
func putRounds(t *testing.T, c *kinesis.Client, stream string, run *metrics.Run, producers, rounds, per int, gap time.Duration, next *uint64) int64 {
	t.Helper()
	var n int64
	for range rounds {
		n += putEnveloped(t, c, stream, run, producers, *next, *next+uint64(per))
		*next += uint64(per)
		time.Sleep(gap)
	}
	return n
}

// p50 returns the median of l's recorded values.
func p50(l *metrics.Latency) time.Duration {
	l.Rotate()
	return time.Duration(l.Total().ValueAtQuantile(50))
}

func TestAppsAgainstSim(t *testing.T) {
	c := simClient(t, sim.DefaultConfig())
	createStream(t, c, "kb", 2)
	run := metrics.NewRun(2)
	type app struct {
		kind     string
		interval time.Duration
		app      *metrics.App
		tracker  *Tracker
		col      collector
	}
	apps := []*app{
		{kind: KindPolling, interval: time.Second},
		{kind: KindPolling, interval: 500 * time.Millisecond},
		{kind: KindFanOut},
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var wg sync.WaitGroup
	for i, a := range apps {
		name := a.kind + "-" + a.interval.String()
		a.app, a.tracker = metrics.NewApp(name), NewTracker(2)
		cfg := Config{
			Name: name, Stream: "kb", RunID: testRun, PollInterval: a.interval, Deadline: 300 * time.Millisecond,
			Primary: i == 0, Metrics: run, Tracker: a.tracker, App: a.app, Log: t.Logf,
		}
		var err error
		if a.kind == KindFanOut {
			a.col, err = NewFanOut(cfg, c)
		} else {
			a.col, err = NewPolling(cfg, c)
		}
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			if err := a.col.Run(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	var next uint64
	n := putRounds(t, c, "kb", run, 2, 15, 10, 200*time.Millisecond, &next)
	for _, a := range apps {
		waitSeen(t, a.tracker, n)
	}
	cancel()
	wg.Wait()

	for _, a := range apps {
		x := a.app
		x.Rotate()
		var perShard int64
		for _, id := range x.ShardIDs() {
			perShard += x.Shard(id).Consumed.Load()
		}
		t.Logf("%s: e2e p50 %v, arrival→consumed p50 %v, calls %d throttled %d, on time %d/%d",
			x.Name, p50(x.E2E), p50(x.ArrivalToConsumed), x.Calls.Load(), x.Throttled.Load(), x.OnTime.Load(), x.Measured.Load())
		if a.col.Kind() != a.kind {
			t.Errorf("%s: Kind %q, want %q", x.Name, a.col.Kind(), a.kind)
		}
		if a.tracker.Seen() != n || a.tracker.Lost(run) != 0 || a.tracker.Duplicates() > run.Retried.Load() {
			t.Errorf("%s: seen %d lost %d duplicates %d, want %d 0 ≤%d",
				x.Name, a.tracker.Seen(), a.tracker.Lost(run), a.tracker.Duplicates(), n, run.Retried.Load())
		}
		if x.Consumed.Load() != n || x.Measured.Load() != n || x.E2E.Total().TotalCount() != n ||
			x.ArrivalToConsumed.Total().TotalCount() != n || perShard != n || x.Calls.Load() == 0 {
			t.Errorf("%s: consumed %d measured %d e2e %d arrival %d per shard %d calls %d, want %d each and calls",
				x.Name, x.Consumed.Load(), x.Measured.Load(), x.E2E.Total().TotalCount(),
				x.ArrivalToConsumed.Total().TotalCount(), perShard, x.Calls.Load(), n)
		}
		if x.Producers() != 2 || x.Producer(0).Measured.Load()+x.Producer(1).Measured.Load() != n {
			t.Errorf("%s: per-producer measured %d + %d, want %d", x.Name, x.Producer(0).Measured.Load(), x.Producer(1).Measured.Load(), n)
		}
	}
	// The run holds the primary's numbers once.
	if run.Consumed.Load() != n || run.E2E.Rotate().TotalCount() != n || run.SendToArrival.Rotate().TotalCount() != n ||
		run.ArrivalToConsumed.Rotate().TotalCount() != n {
		t.Errorf("run consumed %d, e2e/send→arrival/arrival→consumed counts not %d", run.Consumed.Load(), n)
	}
	if fan, slow := p50(apps[2].app.E2E), p50(apps[0].app.E2E); fan >= slow {
		t.Errorf("fan-out e2e p50 %v not below the 1 s poller's %v", fan, slow)
	}
	// Only the polling applications' calls count against the shared quota.
	if got, want := run.GetRecordsCalls.Load(), apps[0].app.Calls.Load()+apps[1].app.Calls.Load(); got != want {
		t.Errorf("run GetRecords calls %d, want the pollers' %d", got, want)
	}
}

// startFanOut starts a fan-out collector efo of stream kb accounting into
// run and tr and logging to logf. The function it returns waits until tr
// has seen n records, stops the collector and returns its stats.
func startFanOut(t *testing.T, c *kinesis.Client, run *metrics.Run, tr *Tracker, logf func(string, ...any)) func(n int64) Stats {
	t.Helper()
	f, err := NewFanOut(Config{Name: "efo", Stream: "kb", RunID: testRun, Primary: true, Metrics: run,
		Tracker: tr, App: metrics.NewApp("efo"), Log: logf}, c)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	return func(n int64) Stats {
		t.Helper()
		waitSeen(t, tr, n)
		st := f.Stats()
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		return st
	}
}

func TestFanOutResubscribesWithoutLossOrDuplicates(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.SubscriptionDuration = 300 * time.Millisecond
	c := simClient(t, cfg)
	createStream(t, c, "kb", 2)
	run := metrics.NewRun(2)
	tr := NewTracker(2)
	stop := startFanOut(t, c, run, tr, t.Logf)
	// Records keep coming across several subscriptions' ends.
	var next uint64
	n := putRounds(t, c, "kb", run, 2, 14, 15, 250*time.Millisecond, &next)
	st := stop(n)
	if st.Calls < 2*3 {
		t.Errorf("%d subscriptions, want at least 3 per shard", st.Calls)
	}
	if tr.Seen() != n || tr.Lost(run) != 0 {
		t.Errorf("seen %d lost %d, want %d 0", tr.Seen(), tr.Lost(run), n)
	}
	switch {
	case run.Retried.Load() == 0 && tr.Duplicates() != 0:
		t.Errorf("%d duplicates from resubscribing", tr.Duplicates())
	case tr.Duplicates() > run.Retried.Load():
		t.Errorf("%d duplicates, more than the %d records sent twice", tr.Duplicates(), run.Retried.Load())
	}
}

// TestFanOutResubscribesWithoutError: the fan-out collector renews the
// one-second subscriptions of 16 shards about ten times each, and not one
// subscription may fail or be refused: the end of a subscription is no
// error, and its renewal none either.
func TestFanOutResubscribesWithoutError(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 16 shards by enhanced fan-out for 10 s")
	}
	cfg := sim.DefaultConfig()
	cfg.SubscriptionDuration = time.Second // AWS: 5 minutes
	c := simClient(t, cfg)
	const shards = 16
	createStream(t, c, "kb", shards)
	run := metrics.NewRun(1)
	tr := NewTracker(1)
	var mu sync.Mutex
	var failed []string
	logf := func(format string, args ...any) {
		line := fmt.Sprintf(format, args...)
		t.Log(line)
		if strings.Contains(line, "(retrying in") || strings.Contains(line, "(resubscribing in") {
			mu.Lock()
			failed = append(failed, line)
			mu.Unlock()
		}
	}
	stop := startFanOut(t, c, run, tr, logf)
	var next uint64
	n := putRounds(t, c, "kb", run, 1, 40, 32, 250*time.Millisecond, &next)
	st := stop(n)
	mu.Lock()
	defer mu.Unlock()
	if len(failed) > 0 {
		t.Errorf("%d of %d subscriptions failed or were refused:\n%s", len(failed), st.Calls, strings.Join(failed, "\n"))
	}
	if st.Calls < shards*8 || tr.Lost(run) != 0 {
		t.Errorf("%d subscriptions, %d records lost; want at least %d subscriptions (8 a shard) and none lost",
			st.Calls, tr.Lost(run), shards*8)
	}
}
