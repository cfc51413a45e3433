package runner

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/metrics"
)

func TestNewProducerReportsEveryProblem(t *testing.T) {
	_, err := NewProducer(ProducerConfig{ID: 3, Metrics: metrics.NewRun(1), MaxRecords: 501, Warmup: -1,
		Retry: RetryPolicy{MaxAttempts: 2, Cap: -1}}, nil)
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{"Stream", "Generator", "Keys", "Pacer", "ID 3", "Start", "Duration", "Warmup",
		"batch.max_records: must be between 1 and 500, got 501", "batch.max_bytes", "in_flight", "retry.base", "retry.cap", "Putter"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
	cfg := prodConfig(metrics.NewRun(1), fakePacer{gap: time.Millisecond})
	if p, err := NewProducer(cfg, &fakePutter{}); err != nil || *p.in.StreamName != "s" || p.in.StreamARN != nil {
		t.Errorf("valid config: %v", err)
	}
	cfg.Stream = "arn:aws:kinesis:us-east-1:123456789012:stream/s"
	if p, err := NewProducer(cfg, &fakePutter{}); err != nil || *p.in.StreamARN != cfg.Stream || p.in.StreamName != nil {
		t.Errorf("stream ARN: %v", err)
	}
}

// TestProducerSchedule: every record goes out at exactly its intended time
// (fake time does not pass while the producer works), in sequence order,
// with the envelope the pacer dictates.
func TestProducerSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := metrics.NewRun(1)
		pacer := fakePacer{gap: 7 * time.Millisecond}
		cfg := prodConfig(m, pacer)
		cfg.Warmup = 100 * time.Millisecond
		put := &fakePutter{}
		prodRun(t, cfg, put, nil)

		want := uint64(143) // 0, 7ms, … 994ms
		var next uint64
		for _, call := range put.sentCalls() {
			for _, r := range call {
				if r.seq != next {
					t.Fatalf("seq %d, want %d", r.seq, next)
				}
				due, _ := pacer.Due(r.seq)
				if r.intended != cfg.Start+int64(due) || r.sent != r.intended {
					t.Fatalf("seq %d: intended %d sent %d, want both %d", r.seq, r.intended, r.sent, cfg.Start+int64(due))
				}
				next++
			}
		}
		if next != want || m.Acked.Load() != int64(want) || m.Produced.Load() != int64(want) {
			t.Errorf("sent %d, acked %d, produced %d; want %d", next, m.Acked.Load(), m.Produced.Load(), want)
		}
		measured := int64(want - 15) // 0..98 ms are warmup
		// HDR's smallest bucket (below metrics.Lowest) holds exact zeros.
		if h := m.Lateness.Rotate(); h.TotalCount() != measured || h.Max() >= metrics.Lowest {
			t.Errorf("lateness: %d values, max %d; want %d values of 0", h.TotalCount(), h.Max(), measured)
		}
		if h := m.Delivery.Rotate(); h.TotalCount() != measured {
			t.Errorf("delivery: %d values, want %d", h.TotalCount(), measured)
		}
		if m.Late.Load() != 0 {
			t.Errorf("late = %d, want 0", m.Late.Load())
		}
	})
}

// TestProducerSlowPutterShowsBacklog: a target that accepts a tenth of the
// offered rate makes the producer fall behind; records keep their intended
// times, so lateness and delivery latency grow instead of the rate dropping
// silently (coordinated-omission correction).
func TestProducerSlowPutterShowsBacklog(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := metrics.NewRun(1)
		pacer := fakePacer{gap: time.Millisecond} // 1,000/s offered
		cfg := prodConfig(m, pacer)
		cfg.MaxRecords, cfg.InFlight = 10, 1 // 10 records per 100 ms call: 100/s
		cfg.MaxOverrun = 10 * time.Second    // time to send all of it
		put := &fakePutter{delay: 100 * time.Millisecond}
		prodRun(t, cfg, put, nil)

		if m.Acked.Load() != 1000 {
			t.Fatalf("acked %d, want 1000", m.Acked.Load())
		}
		for _, call := range put.sentCalls() {
			for _, r := range call {
				due, _ := pacer.Due(r.seq)
				if r.intended != cfg.Start+int64(due) {
					t.Fatalf("seq %d: intended moved to %d", r.seq, r.intended)
				}
			}
		}
		late, del := m.Lateness.Rotate(), m.Delivery.Rotate()
		// The last record is due at 999 ms and goes out after 100 calls of 100 ms.
		if late.Max() < int64(8*time.Second) || del.Max() < int64(9*time.Second) {
			t.Errorf("lateness max %v, delivery max %v: backlog not visible", time.Duration(late.Max()), time.Duration(del.Max()))
		}
		if p50 := time.Duration(del.ValueAtQuantile(50)); p50 < 4*time.Second {
			t.Errorf("delivery p50 %v, want ≥ 4s", p50)
		}
		if m.Late.Load() < 900 {
			t.Errorf("late = %d, want most of 1000", m.Late.Load())
		}
	})
}

// TestProducerStopsAtCutoff: the same slow target, but the producer may not
// overrun its duration: it stops at Duration + Linger + 1 s whatever is
// still due, and every record of the schedule is accounted for: the ones
// cut off are unsent (overrun or not_generated) and late.
func TestProducerStopsAtCutoff(t *testing.T) {
	for _, overrun := range []time.Duration{0, 2 * time.Second} {
		t.Run(overrun.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				m := metrics.NewRun(1)
				cfg := prodConfig(m, fakePacer{gap: time.Millisecond}) // 1,000 due in 1 s
				cfg.MaxRecords, cfg.InFlight, cfg.Linger = 10, 1, 0    // 100/s
				cfg.MaxOverrun = overrun
				put := &fakePutter{delay: 100 * time.Millisecond}
				prodRun(t, cfg, put, nil)
				cutoff := cfg.Duration + overrun + cutoffAllowance
				if el := time.Duration(envelope.Now() - cfg.Start); el > cutoff+100*time.Millisecond {
					t.Errorf("Run returned %v after start, want by the cutoff %v", el, cutoff)
				}
				causes := m.UnsentCauses()
				a, u := m.Acked.Load(), m.Unsent.Load()
				// One 100 ms call after another until the cutoff, each settling.
				if calls, want := m.Calls.Load(), int64(cutoff/(100*time.Millisecond)); calls < want-1 || calls > want+1 {
					t.Errorf("%d calls, want %d, one after another until the cutoff", calls, want)
				}
				if a < 10*(m.Calls.Load()-3) {
					t.Errorf("acked %d in %d calls", a, m.Calls.Load())
				}
				if a+m.Failed.Load()+u != 1000 {
					t.Errorf("acked %d + failed %d + unsent %d != 1000 scheduled", a, m.Failed.Load(), u)
				}
				if causes[metrics.UnsentOverrun] == 0 || causes[metrics.UnsentRunStopped] != 0 {
					t.Errorf("unsent by cause %v: want overrun, not run_stopped", causes)
				}
				if overrun == 0 && causes[metrics.UnsentNotGenerated] == 0 {
					t.Errorf("unsent by cause %v: want not_generated", causes)
				}
				if got := m.Scheduled(0); got != 1000 {
					t.Errorf("scheduled %d, want 1000 (the not generated ones count)", got)
				}
				if m.Late.Load() < u {
					t.Errorf("late %d < unsent %d: records cut off must count as late", m.Late.Load(), u)
				}
			})
		})
	}
}

func TestProducerCancel(t *testing.T) {
	for _, tc := range []struct {
		name        string
		put         *fakePutter
		wantAcked   bool
		wantElapsed time.Duration // at most, after cancel
	}{
		// Calls finish within the grace period: their records are acked.
		{"calls settle", &fakePutter{delay: 50 * time.Millisecond}, true, time.Second},
		// Calls hang: cut off after the grace period, their records are unsent.
		{"calls cut off", &fakePutter{delay: time.Hour}, false, defaultGrace + time.Millisecond},
		// Throttled records waiting to be resent are left unsent.
		{"backoff", &fakePutter{code: func(uint64, int) string { return codeThroughput }}, false, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				m := metrics.NewRun(1)
				cfg := prodConfig(m, fakePacer{gap: time.Millisecond})
				cfg.MaxRecords, cfg.Duration = 10, time.Hour
				cfg.Retry = RetryPolicy{MaxAttempts: 100, Base: time.Second, Cap: time.Second}
				pr, err := NewProducer(cfg, tc.put)
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithCancel(t.Context())
				time.AfterFunc(305*time.Millisecond, cancel)
				if err := pr.Run(ctx); !errors.Is(err, context.Canceled) {
					t.Errorf("Run = %v, want context.Canceled", err)
				}
				if el := time.Duration(envelope.Now() - cfg.Start); el > 305*time.Millisecond+tc.wantElapsed {
					t.Errorf("Run returned %v after start", el)
				}
				prodCheckBuckets(t, m)
				if m.Unsent.Load() == 0 {
					t.Error("nothing unsent")
				}
				if got := m.Acked.Load() > 0; got != tc.wantAcked {
					t.Errorf("acked %d, want some: %v", m.Acked.Load(), tc.wantAcked)
				}
			})
		})
	}
}

// TestProducerManySendersBoundedMemory runs a producer with in_flight 256,
// the most allowed. Its senders must share the run's latency histograms: a
// set of three per sender (~600 KB) came to 150 MB, and the sampler's
// once-a-second merge of all of them took hundreds of milliseconds and
// starved the run (docs/performance.md). Every value must still count.
func TestProducerManySendersBoundedMemory(t *testing.T) {
	m := metrics.NewRun(1)
	cfg := prodConfig(m, fakePacer{gap: time.Millisecond, limit: 200})
	cfg.InFlight = 256
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	prodRun(t, cfg, newBenchPutter(), nil)
	for _, l := range m.Latencies() {
		l.Rotate()
	}
	runtime.ReadMemStats(&after)
	got := after.TotalAlloc - before.TotalAlloc
	t.Logf("the run allocated %.1f MB", float64(got)/(1<<20))
	if got > 32<<20 {
		t.Errorf("the run allocated %d MB, want at most 32 MB", got>>20)
	}
	if got := m.Delivery.Total().TotalCount(); got != 200 {
		t.Errorf("delivery latencies %d, want 200", got)
	}
	if got, calls := m.Put.Total().TotalCount(), m.Calls.Load(); got != calls || calls == 0 {
		t.Errorf("put latencies %d, want one per call (%d)", got, calls)
	}
}

// benchPutter acknowledges everything without work.
type benchPutter struct{ outs []*kinesis.PutRecordsOutput }

func newBenchPutter() *benchPutter {
	ok := make([]types.PutRecordsResultEntry, MaxBatchRecords)
	id := "shardId-000000000000"
	for i := range ok {
		ok[i].ShardId = &id
	}
	p := &benchPutter{outs: make([]*kinesis.PutRecordsOutput, MaxBatchRecords+1)}
	for n := range p.outs {
		p.outs[n] = &kinesis.PutRecordsOutput{Records: ok[:n]}
	}
	return p
}

func (p *benchPutter) PutRecords(_ context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	return p.outs[len(in.Records)], nil
}

// BenchmarkProducer measures the producing path per record (scheduling,
// envelope, generation into the batch, batching, stamping and settling)
// with every record due at once and a Putter that does nothing.
func BenchmarkProducer(b *testing.B) {
	for _, size := range []int{100, 1000} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			m := metrics.NewRun(1)
			cfg := prodConfig(m, fakePacer{gap: 0, limit: uint64(b.N)})
			cfg.Generator = &fakeGen{size: size}
			cfg.Duration, cfg.InFlight = time.Hour, 4
			pr, err := NewProducer(cfg, newBenchPutter())
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			if err := pr.Run(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if m.Acked.Load() != int64(b.N) {
				b.Fatalf("acked %d of %d", m.Acked.Load(), b.N)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/record")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
