package latency

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

var fitQs = []float64{0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99}

// observeSum draws n values of V + U(0, wait) and returns their quantiles.
func observeSum(v Dist, wait time.Duration, n int, seed uint64) []Point {
	r := rand.New(rand.NewPCG(seed, 1))
	xs := make([]time.Duration, n)
	for i := range xs {
		xs[i] = v.Sample(r) + time.Duration(r.Float64()*float64(wait))
	}
	slices.Sort(xs)
	out := make([]Point, len(fitQs))
	for i, q := range fitQs {
		out[i] = Point{Q: q, Value: xs[int(q*float64(n))]}
	}
	return out
}

func TestFitLogNormalDeconvolvesPollWait(t *testing.T) {
	for _, c := range []struct {
		median, p99, wait time.Duration
	}{
		{300 * ms, 600 * ms, 200 * ms},
		{100 * ms, 300 * ms, 1000 * ms},
		{30 * ms, 120 * ms, 0},
		{89 * ms, 270 * ms, 250 * ms},
	} {
		v, _ := LogNormal(c.median, c.p99)
		obs := observeSum(v, c.wait, 20000, 5)
		fit, worst, err := FitLogNormal(obs, c.wait)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%v + U(0, %v): fitted %v, worst quantile error %.1f%%", v, c.wait, fit, worst*100)
		near(t, v.String()+" fitted median", fit.Quantile(0.5), c.median, 0.05)
		near(t, v.String()+" fitted p99", fit.Quantile(0.99), c.p99, 0.10)
		if worst > 0.05 {
			t.Errorf("worst quantile error %.1f%%", worst*100)
		}
	}
}

func TestFitLogNormalRefuses(t *testing.T) {
	if _, _, err := FitLogNormal([]Point{{0.5, 10 * ms}, {1, 20 * ms}}, 0); err == nil {
		t.Error("fitted from one usable quantile")
	}
}
