package runner

import (
	"cmp"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kbench/kbench/generators"
	"github.com/kbench/kbench/metrics"
)

// fakeKeyFunc is a KeyStrategy from a function.
type fakeKeyFunc func(entity string) (string, string)

func (f fakeKeyFunc) Key(entity string) (string, string) { return f(entity) }

func TestProducerBatching(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name       string
		pacer      generators.Pacer
		size       int
		sizeOf     func(i int) int
		keys       generators.KeyStrategy
		maxRecords int
		maxBytes   int
		linger     time.Duration
		want       [][]uint64      // seqs of each call
		wantAt     []time.Duration // when each call went out, if set
		wantFailed map[string]int64
	}{
		{
			name: "max records", pacer: fakePacer{limit: 1200}, maxRecords: 500,
			want: [][]uint64{seqRange(0, 500), seqRange(500, 1000), seqRange(1000, 1200)},
		},
		{
			// 40 + 960 + 1 = 1,001 bytes a record: four fit in 5,000.
			name: "max bytes", pacer: fakePacer{limit: 10}, size: 960, maxBytes: 5000,
			want: [][]uint64{{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9}},
		},
		{
			name: "record over max bytes goes alone", pacer: fakePacer{limit: 3}, size: 200, maxBytes: 100,
			want: [][]uint64{{0}, {1}, {2}},
		},
		{
			name: "linger flushes a partial batch", pacer: fakeListPacer{0, 10 * ms, 20 * ms, 500 * ms, 520 * ms, 900 * ms},
			linger: 50 * ms,
			want:   [][]uint64{{0, 1, 2}, {3, 4}, {5}},
			// The last batch goes at once: the schedule has ended.
			wantAt: []time.Duration{50 * ms, 550 * ms, 900 * ms},
		},
		{
			name: "zero linger sends what is due", pacer: fakeListPacer{0, 0, 0, 5 * ms, 5 * ms, 6 * ms},
			want:   [][]uint64{{0, 1, 2}, {3, 4}, {5}},
			wantAt: []time.Duration{0, 5 * ms, 6 * ms},
		},
		{
			name: "too large", pacer: fakePacer{limit: 5},
			sizeOf: func(i int) int {
				if i == 2 {
					return MaxRecordSize - 40 // + envelope + key > 1 MiB
				}
				return 10
			},
			want:       [][]uint64{{0, 1, 3, 4}},
			wantFailed: map[string]int64{ReasonTooLarge: 1},
		},
		{
			name: "bad key", pacer: fakePacer{limit: 5},
			keys: fakeKeyFunc(func(e string) (string, string) {
				if e == "c" {
					return "", ""
				}
				return e, ""
			}),
			want:       [][]uint64{{0, 1, 3, 4}},
			wantFailed: map[string]int64{ReasonBadKey: 1},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				m := metrics.NewRun(1)
				cfg := prodConfig(m, fakePacer{})
				cfg.Pacer = tc.pacer
				cfg.Generator = &fakeGen{size: tc.size, sizeOf: tc.sizeOf}
				if tc.keys != nil {
					cfg.Keys = tc.keys
				}
				if tc.maxRecords > 0 {
					cfg.MaxRecords = tc.maxRecords
				}
				if tc.maxBytes > 0 {
					cfg.MaxBytes = tc.maxBytes
				}
				cfg.Linger = tc.linger
				put := &fakePutter{}
				prodRun(t, cfg, put, nil)

				calls := put.sentCalls() // senders run concurrently: order by first seq
				slices.SortFunc(calls, func(a, b []fakeSent) int { return cmp.Compare(a[0].seq, b[0].seq) })
				var got [][]uint64
				for i, c := range calls {
					var seqs []uint64
					bytes := 0
					for _, r := range c {
						seqs = append(seqs, r.seq)
						bytes += r.size
					}
					got = append(got, seqs)
					if len(c) > 1 && bytes > cfg.MaxBytes {
						t.Errorf("call %d: %d bytes > MaxBytes %d", i, bytes, cfg.MaxBytes)
					}
					if tc.wantAt != nil && i < len(tc.wantAt) && c[0].sent != cfg.Start+int64(tc.wantAt[i]) {
						t.Errorf("call %d went out at %v, want %v", i, time.Duration(c[0].sent-cfg.Start), tc.wantAt[i])
					}
				}
				if !slices.EqualFunc(got, tc.want, slices.Equal) {
					t.Errorf("calls = %v, want %v", got, tc.want)
				}
				for reason, n := range tc.wantFailed {
					if m.FailReasons()[reason] != n {
						t.Errorf("failed %q = %d, want %d", reason, m.FailReasons()[reason], n)
					}
				}
			})
		})
	}
}

func seqRange(from, to uint64) []uint64 {
	var s []uint64
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}
