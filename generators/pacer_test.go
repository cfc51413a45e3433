package generators

import (
	"math"
	"testing"
	"time"
)

const sec = time.Second

func TestPacerDue(t *testing.T) {
	tests := []struct {
		name  string
		pacer Pacer
		n     uint64
		want  time.Duration
		ok    bool
	}{
		{"constant first", Constant(100), 0, 0, true},
		{"constant", Constant(100), 1, 10 * time.Millisecond, true},
		{"constant later", Constant(100), 250, 2500 * time.Millisecond, true},
		{"constant fractional", Constant(3), 1, 333333333, true},
		{"constant zero", Constant(0), 0, 0, false},
		{"constant negative", Constant(-5), 3, 0, false},
		{"constant NaN", Constant(math.NaN()), 3, 0, false},
		{"ramp up first", Ramp(0, 100, 10*sec), 0, 0, true},
		{"ramp up", Ramp(0, 100, 10*sec), 125, 5 * sec, true}, // 5t² = 125
		{"ramp up end", Ramp(0, 100, 10*sec), 500, 10 * sec, true},
		{"ramp up hold", Ramp(0, 100, 10*sec), 600, 11 * sec, true},
		{"ramp down", Ramp(100, 0, 10*sec), 375, 5 * sec, true}, // 100t − 5t² = 375
		{"ramp down past the end", Ramp(100, 0, 10*sec), 500, 0, false},
		{"ramp 50→150", Ramp(50, 150, 10*sec), 1000, 10 * sec, true},
		{"ramp flat", Ramp(20, 20, 10*sec), 100, 5 * sec, true},
		{"ramp zero", Ramp(0, 0, 10*sec), 0, 0, false},
		{"ramp without duration", Ramp(5, 10, 0), 20, 2 * sec, true},
		{"steps skip a zero start", Steps([]Step{{0, 5 * sec}, {100, 10 * sec}, {0, 5 * sec}, {50, 10 * sec}}), 0, 5 * sec, true},
		{"steps within", Steps([]Step{{0, 5 * sec}, {100, 10 * sec}, {0, 5 * sec}, {50, 10 * sec}}), 999, 14990 * time.Millisecond, true},
		{"steps skip a zero middle", Steps([]Step{{0, 5 * sec}, {100, 10 * sec}, {0, 5 * sec}, {50, 10 * sec}}), 1000, 20 * sec, true},
		{"steps hold the last", Steps([]Step{{0, 5 * sec}, {100, 10 * sec}, {0, 5 * sec}, {50, 10 * sec}}), 1550, 31 * sec, true},
		{"steps end at zero", Steps([]Step{{10, sec}, {0, sec}}), 10, 0, false},
		{"steps skip empty steps", Steps([]Step{{999, 0}, {10, sec}, {999, -sec}}), 15, 1500 * time.Millisecond, true},
		{"steps none", Steps(nil), 0, 0, false},
		{"sine whole period", Sine(100, 50, 10*sec), 1000, 10 * sec, true},
		{"sine half period", Sine(100, 10*math.Pi, 10*sec), 600, 5 * sec, true}, // 500 + A·P/π
		{"sine flat", Sine(100, 0, 10*sec), 50, 500 * time.Millisecond, true},
		{"sine zero", Sine(0, 0, sec), 0, 0, false},
		{"poisson first", Poisson(100, 1), 0, 0, true},
		{"poisson zero", Poisson(0, 1), 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.pacer.Due(tt.n)
			if ok != tt.ok || (ok && (got-tt.want).Abs() > time.Microsecond) {
				t.Errorf("Due(%d) = %v, %v; want %v, %v", tt.n, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestPacerRate(t *testing.T) {
	tests := []struct {
		name  string
		pacer Pacer
		at    time.Duration
		want  float64
	}{
		{"constant", Constant(250), 7 * sec, 250},
		{"ramp start", Ramp(10, 110, 10*sec), 0, 10},
		{"ramp middle", Ramp(10, 110, 10*sec), 5 * sec, 60},
		{"ramp after", Ramp(10, 110, 10*sec), 20 * sec, 110},
		{"ramp before start", Ramp(10, 110, 10*sec), -sec, 10},
		{"steps first", Steps([]Step{{5, sec}, {7, sec}}), 500 * time.Millisecond, 5},
		{"steps boundary", Steps([]Step{{5, sec}, {7, sec}}), sec, 7},
		{"steps hold", Steps([]Step{{5, sec}, {7, sec}}), time.Hour, 7},
		{"steps none", Steps(nil), sec, 0},
		{"sine peak", Sine(100, 40, 4*sec), sec, 140},
		{"sine trough", Sine(100, 40, 4*sec), 3 * sec, 60},
		{"sine amplitude capped", Sine(100, 400, 4*sec), 3 * sec, 0},
		{"poisson", Poisson(33, 1), time.Hour, 33},
	}
	for _, tt := range tests {
		if got := tt.pacer.Rate(tt.at); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("%s: Rate(%v) = %g, want %g", tt.name, tt.at, got, tt.want)
		}
	}
}

// profiles are pacers with the integral of their rate, for the property
// tests.
var profiles = []struct {
	name     string
	pacer    func() Pacer
	integral func(t float64) float64 // records due in [0, t seconds)
}{
	{"constant", func() Pacer { return Constant(1000) }, func(t float64) float64 { return 1000 * t }},
	{"ramp", func() Pacer { return Ramp(0, 2000, 5*sec) }, func(t float64) float64 {
		if t < 5 {
			return 200 * t * t
		}
		return 5000 + 2000*(t-5)
	}},
	{"steps", func() Pacer { return Steps([]Step{{500, 2 * sec}, {0, sec}, {1500, 2 * sec}}) }, func(t float64) float64 {
		switch {
		case t < 2:
			return 500 * t
		case t < 3:
			return 1000
		}
		return 1000 + 1500*(t-3)
	}},
	{"sine", func() Pacer { return Sine(1000, 700, 3*sec) }, func(t float64) float64 {
		return 1000*t + 700*3/(2*math.Pi)*(1-math.Cos(2*math.Pi*t/3))
	}},
	{"sine to zero", func() Pacer { return Sine(1000, 1000, 2*sec) }, func(t float64) float64 {
		return 1000*t + 1000*2/(2*math.Pi)*(1-math.Cos(2*math.Pi*t/2))
	}},
}

// TestPacerCountMatchesIntegral checks that Due is monotonic and that the
// records due in [0, T) match the integral of the rate within 1.
func TestPacerCountMatchesIntegral(t *testing.T) {
	for _, p := range profiles {
		t.Run(p.name, func(t *testing.T) {
			pacer := p.pacer()
			const horizon = 8 * sec
			var due []time.Duration
			for n := uint64(0); ; n++ {
				d, ok := pacer.Due(n)
				if !ok {
					t.Fatalf("Due(%d) not ok", n)
				}
				if n > 0 && d < due[n-1] {
					t.Fatalf("Due(%d) = %v before Due(%d) = %v", n, d, n-1, due[n-1])
				}
				due = append(due, d)
				if d >= horizon {
					break
				}
			}
			for T := 100 * time.Millisecond; T <= horizon; T += 100 * time.Millisecond {
				count := 0
				for _, d := range due {
					if d < T {
						count++
					}
				}
				if want := p.integral(T.Seconds()); math.Abs(float64(count)-want) > 1 {
					t.Errorf("%d records due before %v, integral %.2f", count, T, want)
				}
			}
		})
	}
}

// TestSineSolvesIntegral checks Due against the closed-form integral far
// into the run, where whole periods are skipped.
func TestSineSolvesIntegral(t *testing.T) {
	s := Sine(5000, 5000, 7*sec)
	for _, n := range []uint64{1, 17499, 17500, 26250, 1e6, 1e9, 1e9 + 12345} {
		d, ok := s.Due(n)
		if !ok {
			t.Fatalf("Due(%d) not ok", n)
		}
		x := d.Seconds()
		if got := 5000*x + 5000*7/(2*math.Pi)*(1-math.Cos(2*math.Pi*x/7)); math.Abs(got-float64(n)) > 0.01 {
			t.Errorf("Due(%d) = %v, where the integral is %.4f", n, d, got)
		}
	}
}

func TestPoisson(t *testing.T) {
	const rps, n = 1000.0, 100000
	p := Poisson(rps, 42)
	var prev time.Duration
	gaps := make([]float64, 0, n)
	for i := range uint64(n + 1) {
		d, ok := p.Due(i)
		if !ok || d < prev {
			t.Fatalf("Due(%d) = %v, %v after %v", i, d, ok, prev)
		}
		if i > 0 {
			gaps = append(gaps, (d - prev).Seconds())
		}
		prev = d
	}
	mean, above := 0.0, 0
	for _, g := range gaps {
		mean += g
	}
	mean /= n
	variance := 0.0
	for _, g := range gaps {
		variance += (g - mean) * (g - mean)
		if g > 1/rps {
			above++
		}
	}
	cv := math.Sqrt(variance/n) / mean
	if math.Abs(mean*rps-1) > 0.02 {
		t.Errorf("mean gap %.6f s, want %.6f ± 2%%", mean, 1/rps)
	}
	if math.Abs(cv-1) > 0.03 {
		t.Errorf("coefficient of variation %.3f, want 1 ± 0.03", cv)
	}
	// For exponential gaps, P(gap > mean) = 1/e.
	if got := float64(above) / n; math.Abs(got-1/math.E) > 0.01 {
		t.Errorf("share of gaps above the mean %.4f, want %.4f", got, 1/math.E)
	}
}

func TestPoissonDeterministic(t *testing.T) {
	a, b, c := Poisson(500, 7), Poisson(500, 7), Poisson(500, 8)
	var at [50]time.Duration
	same := true
	for i := range uint64(50) {
		da, _ := a.Due(i)
		db, _ := b.Due(i)
		dc, _ := c.Due(i)
		if da != db {
			t.Fatalf("Due(%d): %v and %v for one seed", i, da, db)
		}
		same = same && (i == 0 || da == dc)
		at[i] = da
	}
	if same {
		t.Error("different seeds gave the same times")
	}
	// Asking again, or going back, replays the same times.
	for _, i := range []uint64{49, 49, 10, 11, 30} {
		if d, _ := a.Due(i); d != at[i] {
			t.Errorf("Due(%d) = %v on replay, was %v", i, d, at[i])
		}
	}
}
