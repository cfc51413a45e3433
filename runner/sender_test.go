package runner

import (
	"context"
	"errors"
	"net"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/kbench/kbench/metrics"
)

// TestProducerPartialFailure: only the records a PutRecords answer marks
// failed are resent, in request order; throttles are counted per shard.
func TestProducerPartialFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := metrics.NewRun(1)
		cfg := prodConfig(m, fakePacer{limit: 20})
		put := &fakePutter{code: func(seq uint64, attempt int) string {
			switch {
			case attempt > 1:
				return ""
			case seq%2 == 1:
				return codeThroughput
			case seq%5 == 0:
				return "InternalFailure"
			}
			return ""
		}}
		var waits []time.Duration
		prodRun(t, cfg, put, func(p *Producer) {
			p.backoff = func(ctx context.Context, d time.Duration) error {
				waits = append(waits, d)
				time.Sleep(time.Millisecond)
				return nil
			}
		})

		calls := put.sentCalls()
		if len(calls) != 2 {
			t.Fatalf("%d calls, want 2", len(calls))
		}
		var resent []uint64
		for _, r := range calls[1] {
			resent = append(resent, r.seq)
			first := calls[0][r.seq]
			if r.intended != first.intended || r.sent <= first.sent {
				t.Errorf("seq %d resent with intended %d sent %d; first intended %d sent %d",
					r.seq, r.intended, r.sent, first.intended, first.sent)
			}
		}
		if want := []uint64{0, 1, 3, 5, 7, 9, 10, 11, 13, 15, 17, 19}; !slices.Equal(resent, want) {
			t.Errorf("resent %v, want %v", resent, want)
		}
		if len(waits) != 1 || waits[0] > cfg.Retry.MaxBackoff(1) {
			t.Errorf("backoffs %v, want one ≤ %v", waits, cfg.Retry.MaxBackoff(1))
		}
		for name, c := range map[string]struct{ got, want int64 }{
			"acked":          {m.Acked.Load(), 20},
			"throttled":      {m.Throttled.Load(), 10},
			"retried":        {m.Retried.Load(), 12},
			"calls":          {m.Calls.Load(), 2},
			"call errors":    {m.CallErrors.Load(), 0},
			"failed":         {m.Failed.Load(), 0},
			"shard-b thr":    {m.Shard("shard-b").Throttled.Load(), 5}, // seqs 1, 5, 9, 13, 17
			"shard-d thr":    {m.Shard("shard-d").Throttled.Load(), 5},
			"shard-a thr":    {m.Shard("shard-a").Throttled.Load(), 0},
			"shard-a recs":   {m.Shard("shard-a").Records.Load(), 5},
			"shard-a bytes":  {m.Shard("shard-a").Bytes.Load(), 5 * (40 + 60 + 1)},
			"produced bytes": {m.ProducedBytes.Load(), 20 * (40 + 60 + 1)},
		} {
			if c.got != c.want {
				t.Errorf("%s = %d, want %d", name, c.got, c.want)
			}
		}
	})
}

// checkByProducer checks that the producers' own counters add up to the
// run's, which live metrics break down by producer.
func checkByProducer(t *testing.T, m *metrics.Run) {
	t.Helper()
	var produced, acked, throttled, failed int64
	for id := range m.Producers() {
		p := m.ByProducer(uint32(id))
		produced += p.Produced.Load()
		acked += p.Acked.Load()
		throttled += p.Throttled.Load()
		failed += p.Failed.Load()
	}
	if m.ByProducer(uint32(m.Producers())) != nil {
		t.Errorf("ByProducer(%d) of a run of %d producers is not nil", m.Producers(), m.Producers())
	}
	got := [4]int64{produced, acked, throttled, failed}
	want := [4]int64{m.Produced.Load(), m.Acked.Load(), m.Throttled.Load(), m.Failed.Load()}
	if got != want {
		t.Errorf("by producer: produced, acked, throttled, failed %v; the run's %v", got, want)
	}
}

// TestProducerGiveUp: records still failing after MaxAttempts fail with the
// last reason; the waits between attempts grow and are capped.
func TestProducerGiveUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := metrics.NewRun(1)
		cfg := prodConfig(m, fakePacer{limit: 10})
		cfg.Retry = RetryPolicy{MaxAttempts: 5, Base: 10 * time.Millisecond, Cap: 50 * time.Millisecond}
		put := &fakePutter{code: func(seq uint64, attempt int) string {
			switch {
			case seq == 3:
				return "InternalFailure"
			case seq%2 == 0:
				return codeThroughput
			}
			return ""
		}}
		var mu sync.Mutex
		var waits []time.Duration
		prodRun(t, cfg, put, func(p *Producer) {
			p.backoff = func(ctx context.Context, d time.Duration) error {
				mu.Lock()
				waits = append(waits, d)
				mu.Unlock()
				return nil
			}
		})
		if len(waits) != 4 {
			t.Fatalf("%d backoffs, want 4", len(waits))
		}
		for i, d := range waits {
			if max := cfg.Retry.MaxBackoff(i + 1); d < 0 || d > max {
				t.Errorf("backoff before attempt %d = %v, want in [0, %v]", i+1, d, max)
			}
		}
		want := map[string]int64{codeThroughput: 5, "InternalFailure": 1}
		if got := m.FailReasons(); len(got) != 2 || got[codeThroughput] != 5 || got["InternalFailure"] != 1 {
			t.Errorf("fail reasons %v, want %v", got, want)
		}
		if m.Acked.Load() != 4 || m.Throttled.Load() != 25 || m.Retried.Load() != 24 || m.Calls.Load() != 5 {
			t.Errorf("acked %d throttled %d retried %d calls %d; want 4 25 24 5",
				m.Acked.Load(), m.Throttled.Load(), m.Retried.Load(), m.Calls.Load())
		}
	})
}

// TestProducerCallErrors: a whole call failing is retried whole; throttling
// errors count every record as throttled, transport errors never do.
func TestProducerCallErrors(t *testing.T) {
	closed := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("use of closed network connection")}
	for _, tc := range []struct {
		name       string
		err        error
		failFirst  bool // only the first call fails
		wantReason string
		throttled  bool
		short      bool // answers lack a result
	}{
		{"transport", &smithy.OperationError{ServiceID: "Kinesis", OperationName: "PutRecords", Err: closed}, false, ReasonTransport, false, false},
		{"deserialization", &smithy.DeserializationError{Err: closed}, false, ReasonTransport, false, false},
		{"deadline", context.DeadlineExceeded, false, ReasonTransport, false, false},
		{"throughput", &smithy.OperationError{Err: &types.ProvisionedThroughputExceededException{Message: aws.String("slow down")}}, false, codeThroughput, true, false},
		{"limit", &types.LimitExceededException{}, false, "LimitExceededException", true, false},
		{"api error", &smithy.GenericAPIError{Code: "AccessDeniedException"}, false, "AccessDeniedException", false, false},
		{"recovers", closed, true, "", false, false},
		{"short answer", nil, false, ReasonBadResponse, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				m := metrics.NewRun(1)
				cfg := prodConfig(m, fakePacer{limit: 8})
				cfg.Retry.MaxAttempts = 2
				put := &fakePutter{short: tc.short, callErr: func(call int) error {
					if tc.failFirst && call > 0 {
						return nil
					}
					return tc.err
				}}
				prodRun(t, cfg, put, nil)

				wantCallErrors, wantFailed, wantThrottled := int64(2), int64(8), int64(0)
				if tc.failFirst {
					wantCallErrors, wantFailed = 1, 0
				}
				if tc.throttled {
					wantThrottled = 16
				}
				if m.CallErrors.Load() != wantCallErrors || m.Failed.Load() != wantFailed || m.Throttled.Load() != wantThrottled {
					t.Errorf("call errors %d failed %d throttled %d; want %d %d %d", m.CallErrors.Load(),
						m.Failed.Load(), m.Throttled.Load(), wantCallErrors, wantFailed, wantThrottled)
				}
				if tc.wantReason != "" && m.FailReasons()[tc.wantReason] != 8 {
					t.Errorf("fail reasons %v, want 8 × %q", m.FailReasons(), tc.wantReason)
				}
				if tc.throttled && m.Shard("shard-a").Throttled.Load() != 4 {
					t.Errorf("shard-a throttled %d, want 4", m.Shard("shard-a").Throttled.Load())
				}
				if m.Retried.Load() != 8 || m.Calls.Load() != 2 {
					t.Errorf("retried %d calls %d, want 8 and 2", m.Retried.Load(), m.Calls.Load())
				}
			})
		})
	}
}

// TestProducerInFlightBound: never more than InFlight calls at once, and the
// bound is reached when the target is slow.
func TestProducerInFlightBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := metrics.NewRun(1)
		cfg := prodConfig(m, fakePacer{gap: time.Millisecond, limit: 300})
		cfg.MaxRecords, cfg.InFlight = 5, 3
		put := &fakePutter{delay: 20 * time.Millisecond}
		prodRun(t, cfg, put, nil)
		if got := put.maxInflight.Load(); got != 3 {
			t.Errorf("max in flight %d, want 3", got)
		}
		if m.Acked.Load() != 300 {
			t.Errorf("acked %d, want 300", m.Acked.Load())
		}
	})
}
