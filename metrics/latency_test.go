package metrics

import (
	"runtime"
	"sync"
	"testing"
	"time"
)

func TestLatencyRotateAndTotal(t *testing.T) {
	l := NewLatency("e2e")
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		r := l.Recorder()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 1; i <= 1000; i++ {
				r.Record(time.Duration(i) * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	iv := l.Rotate()
	if got := iv.TotalCount(); got != 4000 {
		t.Fatalf("interval count = %d, want 4000", got)
	}
	if again := l.Rotate(); again.TotalCount() != 0 {
		t.Fatalf("second rotate has %d values, want 0", again.TotalCount())
	}
	tot := l.Total()
	if tot.TotalCount() != 4000 {
		t.Fatalf("total = %d", tot.TotalCount())
	}
	p50 := time.Duration(tot.ValueAtQuantile(50))
	if p50 < 499*time.Millisecond || p50 > 501*time.Millisecond {
		t.Errorf("p50 = %v, want about 500ms", p50)
	}
}

func TestLatencyClampsOutOfRange(t *testing.T) {
	l := NewLatency("put")
	r := l.Recorder()
	r.Record(-time.Second)
	r.Record(2 * time.Hour)
	r.Record(time.Millisecond)
	l.Rotate()
	if l.Negative() != 1 || l.Clamped() != 1 {
		t.Errorf("negative=%d clamped=%d, want 1 and 1", l.Negative(), l.Clamped())
	}
	if got := l.Total().TotalCount(); got != 3 {
		t.Errorf("count = %d, want 3: clamped values must still be counted", got)
	}
}

// TestLatencyManyRecordersBoundedMemory gives a Latency 256 recorders, as a
// producer with in_flight 256 does: they must share a bounded set of
// histograms (one of ~200 KB each made 50 MB per metric and a Rotate that
// walked them all every second), and still count every value.
func TestLatencyManyRecordersBoundedMemory(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	l := NewLatency("put")
	recs := make([]*Recorder, 256)
	for i := range recs {
		recs[i] = l.Recorder()
	}
	runtime.ReadMemStats(&after)
	const limit = 16 << 20 // 32 stripes of ~200 KB and the total, with room
	if got := after.TotalAlloc - before.TotalAlloc; got > limit {
		t.Errorf("256 recorders allocated %d MB, want at most %d MB", got>>20, limit>>20)
	}
	var wg sync.WaitGroup
	for i, r := range recs {
		wg.Go(func() {
			for k := range 100 {
				r.Record(time.Duration(i*100+k+1) * time.Microsecond)
			}
		})
	}
	wg.Wait()
	if got := l.Rotate().TotalCount(); got != 25600 {
		t.Errorf("interval count = %d, want 25600", got)
	}
	if got := l.Total().Max(); got < int64(25599*time.Microsecond) {
		t.Errorf("max = %v, want about 25.6 ms", time.Duration(got))
	}
}

// BenchmarkRotate256 is the sampler's once-a-second Rotate of a Latency
// with 256 recorders, each of which recorded a value.
func BenchmarkRotate256(b *testing.B) {
	l := NewLatency("bench")
	recs := make([]*Recorder, 256)
	for i := range recs {
		recs[i] = l.Recorder()
	}
	b.ReportAllocs()
	for b.Loop() {
		for i, r := range recs {
			r.Record(time.Duration(i+1) * time.Millisecond)
		}
		l.Rotate()
	}
}

func BenchmarkRecord(b *testing.B) {
	r := NewLatency("bench").Recorder()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r.Record(time.Duration(i&0xffff) * time.Microsecond)
	}
}

// BenchmarkRecordShared records from 256 goroutines at once, each through
// its own recorder, as a producer's senders with in_flight 256 do.
func BenchmarkRecordShared(b *testing.B) {
	l := NewLatency("bench")
	b.SetParallelism(256 / runtime.GOMAXPROCS(0))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		r := l.Recorder()
		for i := 0; pb.Next(); i++ {
			r.Record(time.Duration(i&0xffff) * time.Microsecond)
		}
	})
}
