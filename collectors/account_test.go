package collectors

import (
	"testing"
	"time"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/metrics"
)

func TestSinkAccounting(t *testing.T) {
	const ms = int64(time.Millisecond)
	const recv = 10_000 * ms
	env := func(run uint64, producer uint32, seq uint64, intended, sent int64) []byte {
		e := envelope.Envelope{RunID: run, ProducerID: producer, Seq: seq, Intended: intended, Sent: sent}
		return e.Append(nil)
	}
	type want struct {
		seen, dup, foreign                          int64 // collector stats
		consumed, bytes, measured, within, e2eCount int64 // metrics
		metricsDup, metricsForeign, shardConsumed   int64
		e2e, uncorrected                            time.Duration // smallest recorded, 0 to skip the check
	}
	tests := []struct {
		name    string
		cfg     func(*Config)
		records [][]byte
		want    want
	}{
		{"measured", nil, [][]byte{env(testRun, 0, 0, recv-300*ms, recv-100*ms)},
			want{seen: 1, consumed: 1, bytes: envelope.Size + 3, measured: 1, e2eCount: 1, shardConsumed: 1,
				e2e: 300 * time.Millisecond, uncorrected: 100 * time.Millisecond}},
		{"within deadline", func(c *Config) { c.Deadline = 300 * time.Millisecond }, [][]byte{
			env(testRun, 0, 0, recv-300*ms, recv), env(testRun, 0, 1, recv-301*ms, recv)},
			want{seen: 2, consumed: 2, bytes: 2 * (envelope.Size + 3), measured: 2, within: 1, e2eCount: 2, shardConsumed: 2,
				e2e: 300 * time.Millisecond}},
		{"warmup and measure end", func(c *Config) { c.WarmupEnd, c.MeasureEnd = 1000*ms, 2000*ms }, [][]byte{
			env(testRun, 0, 0, 999*ms, 999*ms), env(testRun, 0, 1, 1000*ms, 1000*ms),
			env(testRun, 0, 2, 1999*ms, 1999*ms), env(testRun, 0, 3, 2000*ms, 2000*ms)},
			want{seen: 4, consumed: 4, bytes: 4 * (envelope.Size + 3), measured: 2, e2eCount: 2, shardConsumed: 4,
				e2e: time.Duration(recv - 1999*ms), uncorrected: time.Duration(recv - 1999*ms)}},
		{"duplicate", nil, [][]byte{env(testRun, 1, 5, recv, recv), env(testRun, 1, 5, recv, recv)},
			want{seen: 1, dup: 1, consumed: 1, bytes: envelope.Size + 3, measured: 1, e2eCount: 1, metricsDup: 1, shardConsumed: 1}},
		{"foreign", nil, [][]byte{
			env(testRun+1, 0, 0, recv, recv), env(testRun, 2, 0, recv, recv), env(testRun, 0, maxSeq, recv, recv),
			[]byte("short"), append([]byte("XX"), make([]byte, envelope.Size)...)},
			want{foreign: 5, metricsForeign: 5}},
		{"not primary", func(c *Config) { c.Primary = false }, [][]byte{
			env(testRun, 0, 0, recv, recv), env(testRun, 0, 0, recv, recv), []byte("short")},
			want{seen: 1, dup: 1, foreign: 1, metricsDup: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := metrics.NewRun(2)
			cfg := Config{Stream: "s", RunID: testRun, Primary: true, Metrics: run, Tracker: NewTracker(2), App: metrics.NewApp("t")}
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			cfg, err := cfg.withDefaults()
			if err != nil {
				t.Fatal(err)
			}
			c := newCore(cfg)
			s := c.newSink("shard-0")
			for _, r := range tt.records {
				s.record(recv, r, "key", 0)
			}
			e2e, uncorr := run.E2E.Rotate(), run.E2EUncorrected.Rotate()
			st := c.stats()
			got := want{
				seen: st.Seen, dup: st.Duplicates, foreign: st.Foreign,
				consumed: run.Consumed.Load(), bytes: run.ConsumedBytes.Load(), measured: run.Measured.Load(),
				within: run.OnTime.Load(), e2eCount: e2e.TotalCount(),
				metricsDup: run.Duplicates.Load(), metricsForeign: run.Foreign.Load(),
				shardConsumed: run.Shard("shard-0").Consumed.Load(),
				e2e:           tt.want.e2e, uncorrected: tt.want.uncorrected,
			}
			if tt.want.e2e != 0 && !e2e.ValuesAreEquivalent(e2e.Min(), int64(tt.want.e2e)) {
				got.e2e = time.Duration(e2e.Min())
			}
			if tt.want.uncorrected != 0 && !uncorr.ValuesAreEquivalent(uncorr.Min(), int64(tt.want.uncorrected)) {
				got.uncorrected = time.Duration(uncorr.Min())
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestTrackerLost(t *testing.T) {
	tests := []struct {
		name      string
		producers int // tracker's
		acked     map[uint32][]uint64
		seen      map[uint32][]uint64
		want      int64
	}{
		{"nothing", 2, nil, nil, 0},
		{"all seen", 2, map[uint32][]uint64{0: {0, 1}, 1: {0}}, map[uint32][]uint64{0: {0, 1}, 1: {0}}, 0},
		{"some lost", 2, map[uint32][]uint64{0: {0, 1, 2, 70000}, 1: {5}}, map[uint32][]uint64{0: {1}}, 4},
		{"seen but never acked is not lost", 2, map[uint32][]uint64{0: {0}}, map[uint32][]uint64{0: {0, 1, 2}}, 0},
		{"tracker with fewer producers", 1, map[uint32][]uint64{1: {0, 1}}, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := metrics.NewRun(2)
			tr := NewTracker(tt.producers)
			for p, seqs := range tt.acked {
				for _, s := range seqs {
					run.AckedSet(p).Add(s)
				}
			}
			for p, seqs := range tt.seen {
				for _, s := range seqs {
					tr.add(p, s)
				}
			}
			if got := tr.Lost(run); got != tt.want {
				t.Errorf("Lost = %d, want %d", got, tt.want)
			}
		})
	}
}
