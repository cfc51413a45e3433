package metrics

import (
	"sync"
	"testing"
)

func TestAppProducer(t *testing.T) {
	tests := []struct {
		name string
		ids  []uint32
		want int // Producers afterwards
	}{
		{"none", nil, 0},
		{"first", []uint32{0}, 1},
		{"grows to the largest", []uint32{2, 0, 5}, 6},
		{"never shrinks", []uint32{7, 1}, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := NewApp("a")
			for _, id := range tt.ids {
				a.Producer(id).Measured.Add(1)
			}
			if a.Producers() != tt.want {
				t.Errorf("Producers = %d, want %d", a.Producers(), tt.want)
			}
			for _, id := range tt.ids {
				if got := a.Producer(id).Measured.Load(); got != 1 {
					t.Errorf("producer %d measured %d after growing, want 1", id, got)
				}
			}
		})
	}
}

// TestAppProducerConcurrent checks that counts survive the table growing
// under concurrent use (run with -race).
func TestAppProducerConcurrent(t *testing.T) {
	a := NewApp("a")
	const goroutines, per = 8, 1000
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range per {
				a.Producer(uint32((g*per + i) % 64)).OnTime.Add(1)
			}
		})
	}
	wg.Wait()
	var sum int64
	for id := range a.Producers() {
		sum += a.Producer(uint32(id)).OnTime.Load()
	}
	if a.Producers() != 64 || sum != goroutines*per {
		t.Errorf("producers %d sum %d, want 64 %d", a.Producers(), sum, goroutines*per)
	}
}
