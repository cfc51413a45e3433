package generators

import (
	"math"
	"testing"
	"time"
)

const ms = time.Millisecond

// TestSwitchDue checks exact due times around the switch, asking for
// records 0, 1, 2, … in order as producers do.
func TestSwitchDue(t *testing.T) {
	tests := []struct {
		name  string
		pacer func() Pacer
		want  map[uint64]time.Duration // record → due time; absent n up to the largest is not checked
		none  uint64                   // if > 0, the first record not sent
	}{
		{"on a boundary", func() Pacer { return Switch(Constant(10), sec, Constant(20)) },
			map[uint64]time.Duration{0: 0, 9: 900 * ms, 10: sec, 11: 1050 * ms, 12: 1100 * ms, 30: 2 * sec}, 0},
		{"between records", func() Pacer { return Switch(Constant(10), 950*ms, Constant(100)) },
			map[uint64]time.Duration{9: 900 * ms, 10: 950 * ms, 11: 960 * ms}, 0},
		{"rounded before", func() Pacer { return Switch(Constant(3), sec, Constant(10)) },
			map[uint64]time.Duration{1: 333333333, 2: 666666667, 3: sec, 4: 1100 * ms}, 0},
		{"slower after", func() Pacer { return Switch(Constant(100), sec, Constant(1)) },
			map[uint64]time.Duration{99: 990 * ms, 100: sec, 101: 2 * sec, 102: 3 * sec}, 0},
		{"at start", func() Pacer { return Switch(Constant(10), 0, Constant(20)) },
			map[uint64]time.Duration{0: 0, 1: 50 * ms}, 0},
		{"negative at", func() Pacer { return Switch(Constant(10), -sec, Constant(20)) },
			map[uint64]time.Duration{0: 0, 1: 50 * ms}, 0},
		{"before stops early", func() Pacer { return Switch(Steps([]Step{{10, sec}, {0, sec}}), 5*sec, Constant(10)) },
			map[uint64]time.Duration{9: 900 * ms, 10: 5 * sec, 11: 5100 * ms}, 0},
		{"before sends nothing", func() Pacer { return Switch(Constant(0), 2*sec, Constant(10)) },
			map[uint64]time.Duration{0: 2 * sec, 1: 2100 * ms}, 0},
		{"after sends nothing", func() Pacer { return Switch(Constant(10), sec, Constant(0)) },
			map[uint64]time.Duration{9: 900 * ms}, 10},
		{"nested", func() Pacer { return Switch(Switch(Constant(10), sec, Constant(20)), 2*sec, Constant(40)) },
			map[uint64]time.Duration{9: 900 * ms, 10: sec, 29: 1950 * ms, 30: 2 * sec, 31: 2025 * ms}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			last := tt.none
			for n := range tt.want {
				last = max(last, n)
			}
			p := tt.pacer()
			for n := uint64(0); n <= last; n++ {
				got, ok := p.Due(n)
				if tt.none > 0 && n >= tt.none {
					if ok {
						t.Errorf("Due(%d) = %v, true; want no record", n, got)
					}
					continue
				}
				want, check := tt.want[n]
				if !ok || check && got != want {
					t.Errorf("Due(%d) = %v, %v; want %v, true", n, got, ok, want)
				}
			}
			// Asked out of order, a fresh pacer gives the same times.
			q := tt.pacer()
			for _, n := range []uint64{last, 0, last / 2, last} {
				if want, check := tt.want[n]; check {
					if got, ok := q.Due(n); !ok || got != want {
						t.Errorf("out of order: Due(%d) = %v, %v; want %v", n, got, ok, want)
					}
				}
			}
		})
	}
}

// TestSwitchPoisson checks that Poisson before and after keep due times
// non-decreasing, that the records before the switch are those of the
// plain before pacer, and that those after are the after pacer's, shifted.
func TestSwitchPoisson(t *testing.T) {
	const at = sec
	p := Switch(Poisson(1000, 1), at, Poisson(3000, 2))
	plainBefore, plainAfter := Poisson(1000, 1), Poisson(3000, 2)
	var prev time.Duration
	nAt := uint64(math.MaxUint64)
	counts := [2]int{}
	for n := uint64(0); n < 20000; n++ {
		got, ok := p.Due(n)
		if !ok {
			t.Fatalf("Due(%d) sent nothing", n)
		}
		if got < prev {
			t.Fatalf("Due(%d) = %v, before Due(%d) = %v", n, got, n-1, prev)
		}
		prev = got
		if got >= 2*at {
			break
		}
		if got < at {
			counts[0]++
			if want, _ := plainBefore.Due(n); got != want {
				t.Fatalf("before the switch Due(%d) = %v, want the plain pacer's %v", n, got, want)
			}
			continue
		}
		counts[1]++
		nAt = min(nAt, n)
		if want, _ := plainAfter.Due(n - nAt); got != at+want {
			t.Fatalf("after the switch Due(%d) = %v, want %v + %v", n, got, at, want)
		}
	}
	// Poisson counts over 1 s: mean 1000 (sd ≈ 32) and 3000 (sd ≈ 55).
	if counts[0] < 850 || counts[0] > 1150 || counts[1] < 2750 || counts[1] > 3250 {
		t.Errorf("records before and after the switch = %v, want about [1000 3000]", counts)
	}
	if first, _ := p.Due(nAt); first != at {
		t.Errorf("first record after the switch due at %v, want %v", first, at)
	}
}

func TestSwitchRate(t *testing.T) {
	p := Switch(Constant(10), sec, Ramp(0, 100, 10*sec))
	nested := Switch(p, 3*sec, Constant(7))
	tests := []struct {
		name  string
		pacer Pacer
		at    time.Duration
		want  float64
	}{
		{"before", p, 500 * ms, 10},
		{"just before", p, sec - 1, 10},
		{"at the switch", p, sec, 0},
		{"after, shifted", p, 6 * sec, 50},
		{"nested first", nested, 0, 10},
		{"nested middle", nested, 2 * sec, 10},
		{"nested last", nested, 3 * sec, 7},
	}
	for _, tt := range tests {
		if got := tt.pacer.Rate(tt.at); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("%s: Rate(%v) = %g, want %g", tt.name, tt.at, got, tt.want)
		}
	}
}
