package collectors

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kbench/kbench/internal/kind"
	"github.com/kbench/kbench/metrics"
)

func TestProcessingValidate(t *testing.T) {
	tests := []struct {
		p    Processing
		want string // "" for valid
		str  string
	}{
		{Processing{}, "", "none"},
		{Processing{Fixed: 2 * time.Millisecond}, "", "fixed 2ms"},
		{Processing{Median: time.Millisecond, P99: 10 * time.Millisecond}, "", "lognormal median 1ms p99 10ms"},
		{Processing{Median: time.Millisecond, P99: time.Millisecond}, "", "lognormal median 1ms p99 1ms"},
		{Processing{Fixed: -1}, "negative", ""},
		{Processing{Fixed: 1, Median: 2, P99: 3}, "cannot be combined", ""},
		{Processing{Median: 10, P99: 5}, "at least median", ""},
		{Processing{P99: 5}, "is required with p99", ""},
		{Processing{Fixed: 2 * time.Hour}, "at most 1h0m0s", ""},
		{Processing{Median: 10}, "is required with median", ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("fixed=%v,median=%v,p99=%v", tt.p.Fixed, tt.p.Median, tt.p.P99), func(t *testing.T) {
			err := kind.Join("", tt.p.Problems())
			if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("Problems = %v, want %q", err, tt.want)
			}
			if tt.str != "" && tt.p.String() != tt.str {
				t.Errorf("String = %q, want %q", tt.p.String(), tt.str)
			}
		})
	}
}

func TestProcessorLogNormal(t *testing.T) {
	tests := []struct{ median, p99 time.Duration }{
		{5 * time.Millisecond, 50 * time.Millisecond},
		{time.Millisecond, 1500 * time.Microsecond},
		{20 * time.Millisecond, 20 * time.Millisecond},
	}
	const draws = 100_000
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v-%v", tt.median, tt.p99), func(t *testing.T) {
			p := newProcessor(Processing{Median: tt.median, P99: tt.p99, Seed: 7}, 1)
			if !p.enabled() {
				t.Fatal("log-normal processor not enabled")
			}
			d := make([]time.Duration, draws)
			for i := range d {
				d[i] = p.next()
			}
			slices.Sort(d)
			near := func(got, want time.Duration, tol float64) bool {
				return float64(got) >= float64(want)*(1-tol) && float64(got) <= float64(want)*(1+tol)
			}
			if got := d[draws/2]; !near(got, tt.median, 0.03) {
				t.Errorf("median %v, want %v ± 3%%", got, tt.median)
			}
			if got := d[draws*99/100]; !near(got, tt.p99, 0.06) {
				t.Errorf("p99 %v, want %v ± 6%%", got, tt.p99)
			}
		})
	}
	if p := newProcessor(Processing{}, 1); p.enabled() || p.next() != 0 {
		t.Error("zero Processing takes time")
	}
}

// testSink returns a sink of a collector over cfg (Stream, RunID, Metrics,
// Tracker and App filled in when unset) whose clock reads *clock and whose
// waits are recorded in *waits and take no time.
func testSink(t *testing.T, cfg Config, clock *int64, waits *[]time.Duration) (*core, *sink) {
	t.Helper()
	if cfg.Stream == "" {
		cfg.Stream, cfg.RunID = "s", testRun
	}
	if cfg.Metrics == nil {
		cfg.Metrics = metrics.NewRun(3)
	}
	if cfg.Tracker == nil {
		cfg.Tracker = NewTracker(3)
	}
	if cfg.App == nil {
		cfg.App = metrics.NewApp("app")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	c := new(core)
	*c = newCore(cfg)
	c.now = func() int64 { return *clock }
	c.wait = func(ctx context.Context, d time.Duration) error {
		*waits = append(*waits, d)
		return ctx.Err()
	}
	return c, c.newSink("shard-0")
}

// records returns n records of producer p (seq from..from+n-1), intended and
// sent at the given time and arriving 1 ms later, with sequence numbers
// from..from+n-1.
func records(p uint32, from, n int, at int64) []types.Record {
	var out []types.Record
	for i := from; i < from+n; i++ {
		out = append(out, rec(testRun, p, uint64(i), at, at, i))
		out[len(out)-1].ApproximateArrivalTimestamp = aws.Time(time.Unix(0, at+int64(time.Millisecond)))
	}
	return out
}

func TestBatchFixedProcessing(t *testing.T) {
	const ms = time.Millisecond
	clock := recvTime
	var waits []time.Duration
	c, s := testSink(t, Config{Processing: Processing{Fixed: 10 * ms}, Deadline: 25 * ms, Primary: true}, &clock, &waits)
	if !s.batch(t.Context(), recvTime, records(0, 0, 3, recvTime)) {
		t.Fatal("batch stopped")
	}
	app := c.cfg.App
	// Records are consumed 10, 20 and 30 ms after receipt; the reader is
	// held for the batch's 30 ms.
	if got := app.ProcessingBusy.Load(); got != int64(30*ms) {
		t.Errorf("ProcessingBusy %v, want 30ms", time.Duration(got))
	}
	if !slices.Equal(waits, []time.Duration{30 * ms}) {
		t.Errorf("waits %v, want [30ms]", waits)
	}
	app.Rotate()
	h := app.E2E.Total()
	var got []time.Duration
	for _, b := range h.Distribution() {
		for range b.Count {
			got = append(got, time.Duration(b.From).Round(ms))
		}
	}
	if want := []time.Duration{10 * ms, 20 * ms, 30 * ms}; !slices.Equal(got, want) {
		t.Errorf("e2e values %v, want %v", got, want)
	}
	// Arrival was 1 ms after the send: arrival to consumed is 9, 19, 29 ms.
	if a := app.ArrivalToConsumed.Total(); a.TotalCount() != 3 || !a.ValuesAreEquivalent(a.Min(), int64(9*ms)) {
		t.Errorf("arrival to consumed count %d min %v", a.TotalCount(), time.Duration(a.Min()))
	}
	if app.OnTime.Load() != 2 || app.Measured.Load() != 3 {
		t.Errorf("on time %d of %d, want 2 of 3 (deadline 25ms)", app.OnTime.Load(), app.Measured.Load())
	}
}

func TestBatchCheckpoints(t *testing.T) {
	type step struct {
		at int64 // clock (s) when the batch is processed
		n  int   // records in it
	}
	tests := []struct {
		name         string
		interval     time.Duration
		steps        []step
		shardEnd     bool
		checkpoints  int64
		atRiskMax    int64
		atRiskAfter  int64
		checkpointed string
	}{
		{"every batch", 0, []step{{0, 3}, {1, 3}, {2, 0}, {3, 1}}, false, 3, 3, 0, fmt.Sprintf("%012d", 6)},
		{"interval", 2500 * time.Millisecond, []step{{0, 3}, {1, 3}, {2, 3}, {3, 1}, {4, 0}}, false, 1, 10, 0, fmt.Sprintf("%012d", 9)},
		{"interval not reached", 10 * time.Second, []step{{0, 3}, {1, 3}}, false, 0, 6, 6, ""},
		{"due on an empty batch", 1500 * time.Millisecond, []step{{0, 2}, {1, 0}, {2, 0}}, false, 1, 2, 0, fmt.Sprintf("%012d", 1)},
		{"shard end", time.Minute, []step{{0, 3}, {1, 2}}, true, 1, 5, 0, fmt.Sprintf("%012d", 4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var clock int64
			var waits []time.Duration
			c, s := testSink(t, Config{CheckpointInterval: tt.interval}, &clock, &waits)
			seq := 0
			for _, st := range tt.steps {
				clock = st.at * int64(time.Second)
				s.batch(t.Context(), clock, records(0, seq, st.n, clock))
				seq += st.n
			}
			if tt.shardEnd {
				s.shardEnd()
			}
			app := c.cfg.App
			if app.Checkpoints.Load() != tt.checkpoints || app.AtRiskMax.Load() != tt.atRiskMax ||
				c.atRisk.Load() != tt.atRiskAfter || s.checkpointed != tt.checkpointed {
				t.Errorf("checkpoints %d at-risk max %d after %d checkpointed %q, want %d %d %d %q",
					app.Checkpoints.Load(), app.AtRiskMax.Load(), c.atRisk.Load(), s.checkpointed,
					tt.checkpoints, tt.atRiskMax, tt.atRiskAfter, tt.checkpointed)
			}
			if len(waits) != 0 {
				t.Errorf("waited %v without processing", waits)
			}
		})
	}
}

func TestAtRiskSumsShards(t *testing.T) {
	var clock int64
	var waits []time.Duration
	c, s0 := testSink(t, Config{CheckpointInterval: time.Hour}, &clock, &waits)
	s1 := c.newSink("shard-1")
	s0.batch(t.Context(), 0, records(0, 0, 4, 0))
	s1.batch(t.Context(), 0, records(1, 0, 3, 0))
	s0.shardEnd()
	s1.batch(t.Context(), 0, records(1, 3, 2, 0))
	if got := c.cfg.App.AtRiskMax.Load(); got != 7 {
		t.Errorf("at-risk max %d, want 7 (4 on shard-0 + 3 on shard-1)", got)
	}
	if got := c.atRisk.Load(); got != 5 {
		t.Errorf("at risk now %d, want 5", got)
	}
}

func TestPerProducerDeadlines(t *testing.T) {
	const ms = time.Millisecond
	tests := []struct {
		name      string
		deadline  time.Duration
		deadlines []time.Duration
		onTime    [3]int64 // by producer; each has one record of e2e 75 ms
	}{
		{"one deadline", 100 * ms, nil, [3]int64{1, 1, 1}},
		{"producer 1 stricter", 100 * ms, []time.Duration{0, 50 * ms}, [3]int64{1, 0, 1}},
		{"only per producer", 0, []time.Duration{80 * ms, 70 * ms}, [3]int64{1, 0, 0}},
		{"none", 0, nil, [3]int64{0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := recvTime
			var waits []time.Duration
			c, s := testSink(t, Config{Deadline: tt.deadline, Deadlines: tt.deadlines, Primary: true}, &clock, &waits)
			for p := range uint32(3) {
				s.batch(t.Context(), recvTime, records(p, 0, 1, recvTime-int64(75*ms)))
			}
			app, run := c.cfg.App, c.cfg.Metrics
			var sum int64
			for p, want := range tt.onTime {
				pc := app.Producer(uint32(p))
				if pc.OnTime.Load() != want || pc.Measured.Load() != 1 {
					t.Errorf("producer %d on time %d of %d, want %d of 1", p, pc.OnTime.Load(), pc.Measured.Load(), want)
				}
				sum += want
			}
			if app.Producers() != 3 || app.OnTime.Load() != sum || run.OnTime.Load() != sum {
				t.Errorf("producers %d, app on time %d, run on time %d, want 3 %d %d",
					app.Producers(), app.OnTime.Load(), run.OnTime.Load(), sum, sum)
			}
		})
	}
}

func TestPrimaryAndSecondaryRecording(t *testing.T) {
	const ms = time.Millisecond
	run := metrics.NewRun(3)
	apps := []*metrics.App{metrics.NewApp("primary"), metrics.NewApp("secondary")}
	var sinks []*sink
	clock := recvTime
	var waits []time.Duration
	for i, app := range apps {
		_, s := testSink(t, Config{Primary: i == 0, Metrics: run, App: app, Tracker: NewTracker(3)}, &clock, &waits)
		sinks = append(sinks, s)
	}
	recs := records(0, 0, 4, recvTime-int64(40*ms)) // sent 40 ms ago, arrived 39 ms ago
	recs = append(recs, rec(testRun, 1, 0, recvTime, recvTime, 4))
	recs[4].ApproximateArrivalTimestamp = nil // no arrival time: no arrival latencies
	var bytes int64
	for _, r := range recs {
		bytes += recordBytes(r)
	}
	secondaryOnly := metrics.NewRun(3)
	_, alone := testSink(t, Config{Metrics: secondaryOnly, App: metrics.NewApp("alone"), Tracker: NewTracker(3)}, &clock, &waits)
	for _, s := range append(sinks, alone) {
		s.batch(t.Context(), recvTime, recs)
	}
	for _, app := range apps {
		app.Rotate()
		sh := app.Shard("shard-0")
		if app.Consumed.Load() != 5 || app.ConsumedBytes.Load() != bytes || app.Measured.Load() != 5 ||
			app.E2E.Total().TotalCount() != 5 || app.E2EUncorrected.Total().TotalCount() != 5 ||
			app.ArrivalToConsumed.Total().TotalCount() != 4 || sh.Consumed.Load() != 5 || sh.E2E.Total().TotalCount() != 5 {
			t.Errorf("%s: consumed %d bytes %d measured %d e2e %d uncorrected %d arrival %d shard %d/%d",
				app.Name, app.Consumed.Load(), app.ConsumedBytes.Load(), app.Measured.Load(),
				app.E2E.Total().TotalCount(), app.E2EUncorrected.Total().TotalCount(),
				app.ArrivalToConsumed.Total().TotalCount(), sh.Consumed.Load(), sh.E2E.Total().TotalCount())
		}
	}
	// The run holds the primary's view once, not both applications'.
	counts := func(r *metrics.Run) []int64 {
		out := []int64{r.Consumed.Load(), r.ConsumedBytes.Load(), r.Measured.Load(), r.Shard("shard-0").Consumed.Load()}
		for _, l := range []*metrics.Latency{r.E2E, r.E2EUncorrected, r.SendToArrival, r.ArrivalToConsumed} {
			out = append(out, l.Rotate().TotalCount())
		}
		return out
	}
	if got, want := counts(run), []int64{5, bytes, 5, 5, 5, 5, 4, 4}; !slices.Equal(got, want) {
		t.Errorf("run consumed, bytes, measured, shard, e2e, uncorrected, send→arrival, arrival→consumed = %v, want %v", got, want)
	}
	if got := counts(secondaryOnly); slices.ContainsFunc(got, func(v int64) bool { return v != 0 }) {
		t.Errorf("a secondary application wrote run-level numbers: %v", got)
	}
	if s2a := run.SendToArrival.Total(); !s2a.ValuesAreEquivalent(s2a.Max(), int64(ms)) {
		t.Errorf("send to arrival max %v, want 1ms", time.Duration(s2a.Max()))
	}
}

func TestConcurrencyLimitsProcessingShards(t *testing.T) {
	tests := []struct {
		concurrency int
		want        []time.Duration // sorted e2e of the four shards' one record each
	}{
		{0, []time.Duration{100, 100, 100, 100}},
		{1, []time.Duration{100, 200, 300, 400}},
		{2, []time.Duration{100, 100, 200, 200}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.concurrency), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				now := time.Now().UnixNano()
				f := &fakeStream{}
				for i := range 4 {
					f.shards = append(f.shards, &fakeShard{id: fmt.Sprintf("shard-%d", i),
						records: []types.Record{rec(testRun, 0, uint64(i), now, now, 0)}})
				}
				p, _ := newTestPolling(t, f, 1, func(c *Config) {
					c.Processing = Processing{Fixed: 100 * time.Millisecond}
					c.Concurrency = tt.concurrency
				})
				p.now = func() int64 { return time.Now().UnixNano() }
				if err := runFor(p, 2*time.Second); err != nil {
					t.Fatal(err)
				}
				app := p.cfg.App
				app.Rotate()
				var got []time.Duration
				for _, id := range app.ShardIDs() {
					got = append(got, time.Duration(app.Shard(id).E2E.Total().Max()).Round(time.Millisecond)/time.Millisecond)
				}
				slices.Sort(got)
				if !slices.Equal(got, tt.want) {
					t.Errorf("e2e per shard (ms) %v, want %v", got, tt.want)
				}
				if got := app.ProcessingBusy.Load(); got != int64(400*time.Millisecond) {
					t.Errorf("ProcessingBusy %v, want 400ms", time.Duration(got))
				}
			})
		})
	}
}

func TestProcessingSlowsPolling(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// 9 records, Limit 3, 1.5 s each: a batch takes 4.5 s to process, so
		// calls come every 4.5 s instead of every second.
		f, _ := twoShards(9)
		f.shards = f.shards[:1]
		p, _ := newTestPolling(t, f, 2, func(c *Config) { c.Processing = Processing{Fixed: 1500 * time.Millisecond} })
		if err := runFor(p, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		if got := p.Stats().Calls; got != 3 {
			t.Errorf("%d calls in 10 s, want 3 (at 0, 4.5 and 9 s)", got)
		}
	})
}
