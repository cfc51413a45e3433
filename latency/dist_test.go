package latency

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

const ms = time.Millisecond

func near(t *testing.T, what string, got, want time.Duration, rel float64) {
	t.Helper()
	if math.Abs(float64(got-want)) > rel*float64(want) {
		t.Errorf("%s = %v, want %v ± %.1f%%", what, got, want, rel*100)
	}
}

func TestLogNormalQuantiles(t *testing.T) {
	d, err := LogNormal(30*ms, 120*ms)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "p50", d.Quantile(0.5), 30*ms, 1e-9)
	near(t, "p99", d.Quantile(0.99), 120*ms, 1e-9)
	if d.Quantile(0) != 0 {
		t.Errorf("p0 = %v, want 0", d.Quantile(0))
	}
	if q := d.Quantile(1); q <= d.Quantile(0.9999) || q > time.Hour {
		t.Errorf("Quantile(1) = %v: want finite and above p99.99", q)
	}
	// mean of a log-normal: median·exp(σ²/2), σ = ln 4 / z99
	sigma := math.Log(4) / z99
	near(t, "mean", d.Mean(), time.Duration(float64(30*ms)*math.Exp(sigma*sigma/2)), 1e-6)
	if d.IsZero() || d.Kind() != KindLogNormal {
		t.Errorf("IsZero %v, Kind %q", d.IsZero(), d.Kind())
	}
}

func TestSampleMatchesQuantiles(t *testing.T) {
	d, _ := LogNormal(30*ms, 120*ms)
	r := rand.New(rand.NewPCG(1, 2))
	const n = 200000
	xs := make([]time.Duration, n)
	for i := range xs {
		xs[i] = d.Sample(r)
	}
	slices.Sort(xs)
	near(t, "sampled p50", xs[n/2], 30*ms, 0.02)
	near(t, "sampled p99", xs[n*99/100], 120*ms, 0.04)
}

func TestTable(t *testing.T) {
	d, err := Table([]Point{{0, 10 * ms}, {0.5, 20 * ms}, {0.9, 60 * ms}, {1, 100 * ms}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0, 10 * ms}, {0.25, 15 * ms}, {0.5, 20 * ms}, {0.7, 40 * ms}, {0.95, 80 * ms}, {1, 100 * ms}, {-1, 10 * ms}} {
		if got := d.Quantile(c.q); got.Round(time.Microsecond) != c.want {
			t.Errorf("Quantile(%v) = %v, want %v", c.q, got, c.want)
		}
	}
	// mean of the piecewise-linear quantile function: 0.5·15 + 0.4·40 + 0.1·80
	near(t, "mean", d.Mean(), 31500*time.Microsecond, 1e-6)
	// a table not starting at 0 holds its first value below it
	d2, _ := Table([]Point{{0.5, 20 * ms}, {0.99, 50 * ms}})
	if d2.Quantile(0.1) != 20*ms || d2.Quantile(0.999) != 50*ms {
		t.Errorf("clamped table: p10 %v, p99.9 %v", d2.Quantile(0.1), d2.Quantile(0.999))
	}
}

func TestConstructorsRefuse(t *testing.T) {
	if _, err := Fixed(-ms); err == nil {
		t.Error("Fixed(-1ms) accepted")
	}
	for _, c := range [][2]time.Duration{{0, ms}, {2 * ms, ms}, {-ms, ms}} {
		if _, err := LogNormal(c[0], c[1]); err == nil {
			t.Errorf("LogNormal(%v, %v) accepted", c[0], c[1])
		}
	}
	for _, ps := range [][]Point{
		{{0, ms}},
		{{0, ms}, {0, 2 * ms}},
		{{0, 2 * ms}, {1, ms}},
		{{-0.1, ms}, {1, 2 * ms}},
		{{0, ms}, {1.5, 2 * ms}},
		{{0, -ms}, {1, ms}},
		{{0, ms}, {math.NaN(), 2 * ms}},
	} {
		if _, err := Table(ps); err == nil {
			t.Errorf("Table(%v) accepted", ps)
		}
	}
}

func TestZeroAndFixed(t *testing.T) {
	var z Dist
	r := rand.New(rand.NewPCG(1, 1))
	if !z.IsZero() || z.Quantile(0.99) != 0 || z.Sample(r) != 0 || z.Kind() != KindNone || z.String() != "none" {
		t.Errorf("zero Dist: %v %v %v %q", z.IsZero(), z.Quantile(0.99), z.Sample(r), z.Kind())
	}
	f, _ := Fixed(7 * ms)
	if f.IsZero() || f.Quantile(0.3) != 7*ms || f.Sample(r) != 7*ms || f.Mean() != 7*ms {
		t.Errorf("fixed: %v %v %v", f.Quantile(0.3), f.Sample(r), f.Mean())
	}
	if f0, _ := Fixed(0); !f0.IsZero() {
		t.Error("Fixed(0) is not zero")
	}
	tz, _ := Table([]Point{{0, 0}, {1, 0}})
	if !tz.IsZero() {
		t.Error("an all-zero table is not zero")
	}
}

func BenchmarkSampleLogNormal(b *testing.B) {
	d, _ := LogNormal(30*ms, 120*ms)
	r := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	for b.Loop() {
		_ = d.Sample(r)
	}
}
