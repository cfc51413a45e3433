package collectors

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kbench/kbench/metrics"
)

// twoShards returns a stream of two open shards holding records of two
// producers (n each, alternating shards), intended 100 ms and sent 40 ms
// before recvTime, and the total bytes.
func twoShards(n int) (*fakeStream, int64) {
	f := &fakeStream{shards: []*fakeShard{{id: "shard-0"}, {id: "shard-1"}}}
	var bytes int64
	for p := range uint32(2) {
		for seq := range uint64(n) {
			s := f.shards[(int(p)+int(seq))%2]
			r := rec(testRun, p, seq, recvTime-int64(100*time.Millisecond), recvTime-int64(40*time.Millisecond), len(s.records))
			s.records = append(s.records, r)
			bytes += recordBytes(r)
		}
	}
	return f, bytes
}

// ack marks seq 0..n-1 of every producer acknowledged.
func ack(run *metrics.Run, n int) {
	for p := range run.Producers() {
		for seq := range uint64(n) {
			run.AckedSet(uint32(p)).Add(seq)
		}
	}
}

func TestPollingReadsEveryShard(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 10
		f, bytes := twoShards(n)
		p, run := newTestPolling(t, f, 2, nil)
		ack(run, n)
		if err := runFor(p, 30*time.Second); err != nil {
			t.Fatal(err)
		}
		tr := p.cfg.Tracker
		if tr.Seen() != 2*n || tr.Duplicates() != 0 || tr.Lost(run) != 0 {
			t.Errorf("tracker seen %d dup %d lost %d, want %d 0 0", tr.Seen(), tr.Duplicates(), tr.Lost(run), 2*n)
		}
		if got := run.Consumed.Load(); got != 2*n {
			t.Errorf("consumed %d, want %d", got, 2*n)
		}
		if got := run.ConsumedBytes.Load(); got != bytes {
			t.Errorf("consumed bytes %d, want %d", got, bytes)
		}
		for _, id := range []string{"shard-0", "shard-1"} {
			if got := run.Shard(id).Consumed.Load(); got != n {
				t.Errorf("%s consumed %d, want %d", id, got, n)
			}
		}
		if run.Measured.Load() != 2*n {
			t.Errorf("measured %d, want %d", run.Measured.Load(), 2*n)
		}
		checkHist(t, run.E2E, 2*n, 100*time.Millisecond)
		checkHist(t, run.E2EUncorrected, 2*n, 40*time.Millisecond)
		st := p.Stats()
		if st.Seen != 2*n || st.Foreign != 0 || st.Calls == 0 || st.Throttled != 0 || st.Shards != 0 {
			t.Errorf("stats after run %+v", st)
		}
		if run.GetRecordsCalls.Load() != st.Calls {
			t.Errorf("metrics calls %d, stats calls %d", run.GetRecordsCalls.Load(), st.Calls)
		}
	})
}

// checkHist checks that l recorded count values, all equal to want within
// the histogram's precision.
func checkHist(t *testing.T, l *metrics.Latency, count int64, want time.Duration) {
	t.Helper()
	h := l.Rotate()
	if h.TotalCount() != count {
		t.Errorf("%s count %d, want %d", l.Name(), h.TotalCount(), count)
	}
	if !h.ValuesAreEquivalent(h.Min(), int64(want)) || !h.ValuesAreEquivalent(h.Max(), int64(want)) {
		t.Errorf("%s min %v max %v, want %v", l.Name(), time.Duration(h.Min()), time.Duration(h.Max()), want)
	}
}

func TestPollingStatsWhileRunning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f, _ := twoShards(4)
		f.shards[0].behind, f.shards[1].behind = 7000, 3000
		p, run := newTestPolling(t, f, 2, func(c *Config) { c.Limit = 1 })
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- p.Run(ctx) }()
		synctest.Wait()
		st := p.Stats()
		if st.Shards != 2 || st.MillisBehind != 7000 || p.MillisBehind() != 7000 || run.MillisBehind.Load() != 7000 {
			t.Errorf("stats while behind %+v, metrics millis behind %d", st, run.MillisBehind.Load())
		}
		time.Sleep(10 * time.Second)
		if st := p.Stats(); st.MillisBehind != 0 || st.Seen != 8 {
			t.Errorf("stats when caught up %+v", st)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

func TestPollingDuplicatesAndForeign(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &fakeStream{shards: []*fakeShard{{id: "shard-0"}}}
		s := f.shards[0]
		add := func(r types.Record) { s.records = append(s.records, r) }
		add(rec(testRun, 0, 0, recvTime, recvTime, 0))
		add(rec(testRun, 0, 1, recvTime, recvTime, 1))
		add(rec(testRun, 0, 0, recvTime, recvTime, 2)) // a producer's resend: a second Kinesis record
		add(rec(testRun+1, 0, 2, recvTime, recvTime, 3))
		add(rec(testRun, 9, 0, recvTime, recvTime, 4)) // producer id outside the run
		add(types.Record{Data: []byte("not kbench"), PartitionKey: aws.String("k"), SequenceNumber: aws.String("5")})
		p, run := newTestPolling(t, f, 1, nil)
		if err := runFor(p, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		st := p.Stats()
		if st.Seen != 2 || st.Duplicates != 1 || st.Foreign != 3 {
			t.Errorf("stats %+v, want seen 2 duplicates 1 foreign 3", st)
		}
		if run.Consumed.Load() != 2 || run.Duplicates.Load() != 1 || run.Foreign.Load() != 3 || p.cfg.Tracker.Duplicates() != 1 {
			t.Errorf("metrics consumed %d duplicates %d foreign %d, tracker duplicates %d",
				run.Consumed.Load(), run.Duplicates.Load(), run.Foreign.Load(), p.cfg.Tracker.Duplicates())
		}
	})
}

func TestPollingExpiredIteratorResumes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 10
		f, _ := twoShards(n)
		f.fail = func(shard string, call int) error {
			if shard == "shard-0" && (call == 3 || call == 4) {
				return &types.ExpiredIteratorException{Message: aws.String("expired")}
			}
			return nil
		}
		p, run := newTestPolling(t, f, 2, nil)
		ack(run, n)
		if err := runFor(p, 30*time.Second); err != nil {
			t.Fatal(err)
		}
		tr := p.cfg.Tracker
		if tr.Seen() != 2*n || tr.Duplicates() != 0 || tr.Lost(run) != 0 {
			t.Errorf("seen %d duplicates %d lost %d, want %d 0 0", tr.Seen(), tr.Duplicates(), tr.Lost(run), 2*n)
		}
		// Two calls of Limit 3 read records 0..5; both renewals resume after the 6th.
		want := fmt.Sprintf("iter shard-0 %s %012d", types.ShardIteratorTypeAfterSequenceNumber, 5)
		if got := strings.Count(strings.Join(f.events, "\n"), want); got != 2 {
			t.Errorf("%d renewals %q, want 2; events %q", got, want, f.events)
		}
	})
}

func TestPollingExpiredBeforeFirstRecordRestartsAtStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f, _ := twoShards(3)
		f.fail = func(shard string, call int) error {
			if call == 1 {
				return &types.ExpiredIteratorException{Message: aws.String("expired")}
			}
			return nil
		}
		p, _ := newTestPolling(t, f, 2, nil)
		if err := runFor(p, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		if st := p.Stats(); st.Seen != 6 || st.Duplicates != 0 {
			t.Errorf("stats %+v", st)
		}
		if got := strings.Count(strings.Join(f.events, "\n"), "iter shard-0 TRIM_HORIZON"); got != 2 {
			t.Errorf("%d TRIM_HORIZON iterators on shard-0, want 2: %q", got, f.events)
		}
	})
}

func TestPollingThrottlingBacksOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f, _ := twoShards(6)
		f.shards = f.shards[:1]
		f.fail = func(shard string, call int) error {
			if call == 2 || call == 3 {
				return &types.ProvisionedThroughputExceededException{Message: aws.String("slow down")}
			}
			return nil
		}
		p, run := newTestPolling(t, f, 2, nil)
		var mu sync.Mutex
		var waits []time.Duration
		p.wait = func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			waits = append(waits, d)
			mu.Unlock()
			return sleep(ctx, d)
		}
		if err := runFor(p, 20*time.Second); err != nil {
			t.Fatal(err)
		}
		if run.GetThrottled.Load() != 2 || p.Stats().Throttled != 2 {
			t.Errorf("throttled metrics %d stats %d, want 2", run.GetThrottled.Load(), p.Stats().Throttled)
		}
		if p.Stats().Seen != 6 {
			t.Errorf("seen %d, want 6", p.Stats().Seen)
		}
		// Waits: poll interval, then the two backoffs.
		if len(waits) < 3 {
			t.Fatalf("waits %v", waits)
		}
		if b1, b2 := waits[1], waits[2]; b1 < time.Second || b1 > 1250*time.Millisecond || b2 < 2*time.Second || b2 > 2500*time.Millisecond {
			t.Errorf("backoffs %v %v, want 1-1.25 s then 2-2.5 s", b1, b2)
		}
	})
}

func TestPollingTransientErrorsRetry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f, _ := twoShards(5)
		f.fail = func(shard string, call int) error {
			if call <= 4 {
				return errors.New("connection reset")
			}
			return nil
		}
		p, run := newTestPolling(t, f, 2, nil)
		if err := runFor(p, 20*time.Second); err != nil {
			t.Fatal(err)
		}
		if p.Stats().Seen != 10 || run.GetThrottled.Load() != 0 {
			t.Errorf("seen %d throttled %d, want 10 0", p.Stats().Seen, run.GetThrottled.Load())
		}
	})
}

func TestPollingCatchUpStaysWithinQuota(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f, _ := twoShards(20)
		f.shards = f.shards[:1]
		f.shards[0].behind = 5000
		p, _ := newTestPolling(t, f, 2, func(c *Config) { c.Limit = 1; c.PollInterval = 2 * time.Second })
		// In one second the reader catches up at 5 calls/s, not more.
		if err := runFor(p, time.Second+time.Millisecond); err != nil {
			t.Fatal(err)
		}
		if got := p.Stats().Calls; got != 6 {
			t.Errorf("%d calls in the first second (t=0 … t=1 s), want 6", got)
		}
		// Caught up, the reader polls every PollInterval.
		p2, _ := newTestPolling(t, f, 2, func(c *Config) { c.Limit = 100; c.PollInterval = 2 * time.Second })
		if err := runFor(p2, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		if got := p2.Stats().Calls; got != 3 {
			t.Errorf("%d calls in 5 s at 2 s interval, want 3", got)
		}
	})
}

func TestPollingReshardReadsParentsFirst(t *testing.T) {
	for _, hidden := range []bool{false, true} {
		t.Run(fmt.Sprintf("children-listed=%v", !hidden), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				// shard-0 splits into shard-2 and shard-3; shard-3 and shard-1
				// merge into shard-4. Producer 0 writes seq 0..3 to shard-0,
				// then 4..5 to shard-2; producer 1 seq 0..2 to shard-1, 3..4 to
				// shard-4.
				child := func(id string, parents ...string) types.ChildShard {
					return types.ChildShard{ShardId: aws.String(id), ParentShards: parents}
				}
				s0 := &fakeShard{id: "shard-0", closed: true, children: []types.ChildShard{child("shard-2", "shard-0"), child("shard-3", "shard-0")}}
				s1 := &fakeShard{id: "shard-1", closed: true, children: []types.ChildShard{child("shard-4", "shard-3", "shard-1")}}
				s2 := &fakeShard{id: "shard-2", parent: "shard-0", hidden: hidden}
				s3 := &fakeShard{id: "shard-3", parent: "shard-0", closed: true, hidden: hidden,
					children: []types.ChildShard{child("shard-4", "shard-3", "shard-1")}}
				s4 := &fakeShard{id: "shard-4", parent: "shard-3", adjacent: "shard-1", hidden: hidden}
				put := func(s *fakeShard, p uint32, seqs ...uint64) {
					for _, q := range seqs {
						s.records = append(s.records, rec(testRun, p, q, recvTime, recvTime, len(s.records)))
					}
				}
				put(s0, 0, 0, 1, 2, 3)
				put(s2, 0, 4, 5)
				put(s1, 1, 0, 1, 2)
				put(s4, 1, 3, 4)
				f := &fakeStream{shards: []*fakeShard{s0, s1, s2, s3, s4}}
				p, run := newTestPolling(t, f, 2, nil)
				ack(run, 4)
				if err := runFor(p, time.Minute); err != nil {
					t.Fatal(err)
				}
				if st := p.Stats(); st.Seen != 11 || st.Duplicates != 0 {
					t.Errorf("stats %+v, want 11 seen", st)
				}
				if lost := p.cfg.Tracker.Lost(run); lost != 0 {
					t.Errorf("lost %d", lost)
				}
				order := []struct{ parent, child string }{
					{"shard-0", "shard-2"}, {"shard-0", "shard-3"}, {"shard-3", "shard-4"}, {"shard-1", "shard-4"},
				}
				for _, o := range order {
					end, first := f.eventIndex("end "+o.parent), f.eventIndex("iter "+o.child+" ")
					if end < 0 || first < 0 || first < end {
						t.Errorf("%s ended at event %d, %s started at %d: %q", o.parent, end, o.child, first, f.events)
					}
				}
				for _, id := range []string{"shard-0", "shard-1", "shard-3"} {
					if !f.hasEvent("end " + id) {
						t.Errorf("%s not read to its end", id)
					}
				}
			})
		})
	}
}

func TestPollingNonPrimary(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f, _ := twoShards(5)
		s := f.shards[0]
		s.records = append(s.records, rec(testRun, 0, 0, recvTime, recvTime, len(s.records)))   // duplicate
		s.records = append(s.records, rec(testRun+1, 0, 0, recvTime, recvTime, len(s.records))) // foreign
		run := metrics.NewRun(2)
		ack(run, 5)
		var apps []*Polling
		for i, primary := range []bool{true, false} {
			p, err := NewPolling(Config{
				Name: fmt.Sprintf("app%d", i), Stream: "s", RunID: testRun, Limit: 4,
				Primary: primary, Metrics: run, Tracker: NewTracker(2), App: metrics.NewApp("t"),
			}, f)
			if err != nil {
				t.Fatal(err)
			}
			apps = append(apps, p)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		var wg sync.WaitGroup
		for _, p := range apps {
			wg.Go(func() {
				if err := p.Run(ctx); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		for _, p := range apps {
			if tr := p.cfg.Tracker; tr.Seen() != 10 || tr.Duplicates() != 1 || tr.Lost(run) != 0 {
				t.Errorf("%s: seen %d duplicates %d lost %d", p.cfg.Name, tr.Seen(), tr.Duplicates(), tr.Lost(run))
			}
		}
		if run.Consumed.Load() != 10 || run.Duplicates.Load() != 2 || run.Foreign.Load() != 1 {
			t.Errorf("consumed %d duplicates %d foreign %d, want 10 2 1",
				run.Consumed.Load(), run.Duplicates.Load(), run.Foreign.Load())
		}
		if got := run.E2E.Rotate().TotalCount(); got != 10 {
			t.Errorf("e2e count %d, want 10", got)
		}
		if got := run.GetRecordsCalls.Load(); got != apps[0].Stats().Calls+apps[1].Stats().Calls {
			t.Errorf("metrics calls %d, want both applications' calls", got)
		}
	})
}

func TestPollingStartErrors(t *testing.T) {
	tests := []struct {
		name    string
		stream  string
		listErr []error
		wantErr bool
	}{
		{"not found", "missing", nil, true},
		{"denied", "s", []error{&types.AccessDeniedException{Message: aws.String("no")}}, true},
		{"transient then ok", "s", []error{errors.New("dial tcp: refused"), &types.LimitExceededException{}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f, _ := twoShards(2)
				f.listErr = tt.listErr
				p, _ := newTestPolling(t, f, 2, func(c *Config) { c.Stream = tt.stream })
				err := runFor(p, 10*time.Second)
				if (err != nil) != tt.wantErr {
					t.Fatalf("Run error %v, want error %v", err, tt.wantErr)
				}
				if !tt.wantErr && p.Stats().Seen != 4 {
					t.Errorf("seen %d, want 4", p.Stats().Seen)
				}
			})
		})
	}
}

func TestPollingStartAtTimestamp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f, _ := twoShards(4)
		f.shards = f.shards[:1]
		s := f.shards[0]
		for i := range s.records {
			s.records[i].ApproximateArrivalTimestamp = aws.Time(time.Unix(int64(i), 0))
		}
		p, _ := newTestPolling(t, f, 2, func(c *Config) { c.StartAt = time.Unix(2, 0) })
		if err := runFor(p, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		if got := p.Stats().Seen; got != int64(len(s.records)-2) {
			t.Errorf("seen %d, want %d", got, len(s.records)-2)
		}
	})
}

func TestNewPollingRejectsBadConfig(t *testing.T) {
	good := func() Config {
		return Config{Stream: "s", Metrics: metrics.NewRun(1), Tracker: NewTracker(1), App: metrics.NewApp("t")}
	}
	tests := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"no stream", func(c *Config) { c.Stream = "" }, "empty stream"},
		{"negative interval", func(c *Config) { c.PollInterval = -1 }, "poll_interval: must be positive"},
		{"limit too big", func(c *Config) { c.Limit = 10001 }, "limit"},
		{"negative deadline", func(c *Config) { c.Deadline = -1 }, "deadline"},
		{"measure before warmup", func(c *Config) { c.WarmupEnd, c.MeasureEnd = 10, 5 }, "measure end"},
		{"no metrics", func(c *Config) { c.Metrics = nil }, "nil Metrics"},
		{"no tracker", func(c *Config) { c.Tracker = nil }, "nil Tracker"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good()
			tt.mod(&cfg)
			_, err := NewPolling(cfg, &fakeStream{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := NewPolling(good(), nil); err == nil {
		t.Error("nil Reader accepted")
	}
	p, err := NewPolling(good(), &fakeStream{})
	if err != nil || p.cfg.PollInterval != DefaultPollInterval || p.cfg.Limit != MaxLimit {
		t.Errorf("defaults: %v, interval %v, limit %d", err, p.cfg.PollInterval, p.cfg.Limit)
	}
}
