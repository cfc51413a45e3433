package metrics

import (
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

func BenchmarkRecord(b *testing.B) {
	r := NewLatency("bench").Recorder()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r.Record(time.Duration(i&0xffff) * time.Microsecond)
	}
}
