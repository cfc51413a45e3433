package latency

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestOrderedKeepsOrderAndDistribution feeds records at a steady rate with
// jitter and checks that no record becomes visible before an earlier one
// and that the delays, over a long run, have the distribution's quantiles.
func TestOrderedKeepsOrderAndDistribution(t *testing.T) {
	lognormal, _ := LogNormal(30*ms, 120*ms)
	slowTail, _ := LogNormal(300*ms, 700*ms)
	table, _ := Table([]Point{{0, 5 * ms}, {0.5, 40 * ms}, {0.9, 90 * ms}, {0.99, 200 * ms}, {1, 300 * ms}})
	for _, d := range []Dist{lognormal, slowTail, table, AWS().FanOut} {
		t.Run(d.String(), func(t *testing.T) {
			o := NewOrdered(d, 7)
			r := rand.New(rand.NewPCG(3, 4))
			const n = 400000 // 400 s at ~1,000 records/s
			delays := make([]time.Duration, 0, n)
			var at, lastVisible int64
			for range n {
				at += int64(r.IntN(2000)) * int64(time.Microsecond)
				dl := o.Delay(at)
				if at+int64(dl) < lastVisible {
					t.Fatalf("record at %d visible at %d, before the previous one at %d", at, at+int64(dl), lastVisible)
				}
				lastVisible = at + int64(dl)
				delays = append(delays, dl)
			}
			slices.Sort(delays)
			for _, q := range []float64{0.1, 0.5, 0.9, 0.99} {
				near(t, "p"+strconv.FormatFloat(q*100, 'g', -1, 64), delays[int(q*n)], d.Quantile(q), 0.06)
			}
			if DriftRate(d) <= MinDriftRate {
				t.Errorf("drift rate %v: at the floor, so order was kept by raising delays", DriftRate(d))
			}
		})
	}
}

func TestOrderedFixedAndZero(t *testing.T) {
	f, _ := Fixed(25 * ms)
	o := NewOrdered(f, 1)
	if o.Delay(10) != 25*ms || o.Delay(5) != 25*ms {
		t.Error("fixed delay changed")
	}
	if NewOrdered(Dist{}, 1).Delay(10) != 0 {
		t.Error("zero delay is not 0")
	}
}

// TestOrderedIdleGap checks that a long pause restarts the process instead
// of stepping through it, and delays stay in range.
func TestOrderedIdleGap(t *testing.T) {
	d, _ := LogNormal(30*ms, 120*ms)
	o := NewOrdered(d, 1)
	o.Delay(0)
	dl := o.Delay(int64(24 * time.Hour))
	if dl <= 0 || dl > time.Second {
		t.Errorf("delay after a day idle = %v", dl)
	}
}

func BenchmarkOrderedDelay(b *testing.B) {
	d, _ := LogNormal(30*ms, 120*ms)
	o := NewOrdered(d, 1)
	var at int64
	b.ReportAllocs()
	for b.Loop() {
		at += int64(time.Millisecond)
		_ = o.Delay(at)
	}
}
