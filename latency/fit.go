package latency

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// fitSamples is how many quasi-random points the fit's forward model uses.
const fitSamples = 10000

// FitLogNormal returns the log-normal distribution V such that V + W, with
// W uniform on [0, wait) and independent of V, has about the observed
// quantiles (each point: the value observed at quantile Q, 0 < Q < 1), and
// the largest relative error of the fitted sum's quantiles against them.
// wait 0 fits V to the observations themselves. It is the deconvolution
// `kbench calibrate` applies to a polling consumer's arrival_to_consumed
// histogram, where W is the wait for the next poll.
//
// The fit minimises the squared differences of the logs of the quantiles,
// by Nelder–Mead over (ln median, ln σ), computing the sum's quantiles from
// a fixed quasi-random sample, so it is deterministic.
func FitLogNormal(observed []Point, wait time.Duration) (Dist, float64, error) {
	var obs []Point
	for _, p := range observed {
		if p.Q > 0 && p.Q < 1 && p.Value > 0 {
			obs = append(obs, p)
		}
	}
	if len(obs) < 2 {
		return Dist{}, 0, errors.New("fit: fewer than two positive quantiles to fit")
	}
	m := newSumModel(wait)
	loss := func(x [2]float64) float64 {
		var sum float64
		for i, q := range m.quantiles(x[0], math.Exp(x[1]), obs) {
			d := math.Log(q) - math.Log(obs[i].Value.Seconds())
			sum += d * d
		}
		return sum
	}
	median := obs[len(obs)/2].Value.Seconds()
	for _, p := range obs {
		if p.Q <= 0.5 {
			median = p.Value.Seconds()
		}
	}
	start := math.Log(max(median-wait.Seconds()/2, median/10, 1e-6))
	x := nelderMead(loss, [2]float64{start, math.Log(0.5)}, [2]float64{0.3, 0.5})
	mu, sigma := x[0], math.Exp(x[1])
	med := seconds(math.Exp(mu)).Round(time.Microsecond)
	p99 := seconds(math.Exp(mu + sigma*z99)).Round(time.Microsecond)
	d, err := LogNormal(max(med, time.Microsecond), max(p99, med, time.Microsecond))
	if err != nil {
		return Dist{}, 0, fmt.Errorf("fit: %w", err)
	}
	var worst float64
	for i, q := range m.quantiles(d.mu, d.sigma, obs) {
		want := obs[i].Value.Seconds()
		worst = max(worst, math.Abs(q-want)/want)
	}
	return d, worst, nil
}

// sumModel computes quantiles of exp(μ + σZ) + W from fixed quasi-random
// points: stratified normal quantiles for Z, and a golden-ratio sequence for
// W, so the loss is a smooth, repeatable function of (μ, σ).
type sumModel struct {
	z, w []float64
	buf  []float64
}

func newSumModel(wait time.Duration) *sumModel {
	m := &sumModel{z: make([]float64, fitSamples), w: make([]float64, fitSamples), buf: make([]float64, fitSamples)}
	const golden = 0.6180339887498949
	for i := range fitSamples {
		u := (float64(i) + 0.5) / fitSamples
		m.z[i] = math.Sqrt2 * math.Erfinv(2*u-1)
		m.w[i] = wait.Seconds() * math.Mod(0.5+float64(i)*golden, 1)
	}
	return m
}

// quantiles returns the sum's quantiles, in seconds, at the points' Q.
func (m *sumModel) quantiles(mu, sigma float64, at []Point) []float64 {
	for i := range m.buf {
		m.buf[i] = math.Exp(mu+sigma*m.z[i]) + m.w[i]
	}
	slices.Sort(m.buf)
	out := make([]float64, len(at))
	for i, p := range at {
		out[i] = m.buf[min(int(p.Q*fitSamples), fitSamples-1)]
	}
	return out
}

// nelderMead minimises f over two dimensions from x0 with initial steps,
// for at most 400 iterations or until the simplex's values agree to 1e-12.
func nelderMead(f func([2]float64) float64, x0, step [2]float64) [2]float64 {
	type vertex struct {
		x [2]float64
		v float64
	}
	s := []vertex{{x0, f(x0)}}
	for i := range 2 {
		x := x0
		x[i] += step[i]
		s = append(s, vertex{x, f(x)})
	}
	lerp := func(a, b [2]float64, t float64) [2]float64 {
		return [2]float64{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
	}
	for range 400 {
		slices.SortFunc(s, func(a, b vertex) int { return cmpFloat(a.v, b.v) })
		if s[2].v-s[0].v < 1e-12 {
			break
		}
		c := lerp(s[0].x, s[1].x, 0.5) // centroid of the best two
		r := lerp(c, s[2].x, -1)
		fr := f(r)
		switch {
		case fr < s[0].v:
			if e := lerp(c, s[2].x, -2); f(e) < fr {
				s[2] = vertex{e, f(e)}
			} else {
				s[2] = vertex{r, fr}
			}
		case fr < s[1].v:
			s[2] = vertex{r, fr}
		default:
			if k := lerp(c, s[2].x, 0.5); f(k) < s[2].v {
				s[2] = vertex{k, f(k)}
				continue
			}
			for i := 1; i < 3; i++ { // shrink towards the best
				x := lerp(s[0].x, s[i].x, 0.5)
				s[i] = vertex{x, f(x)}
			}
		}
	}
	slices.SortFunc(s, func(a, b vertex) int { return cmpFloat(a.v, b.v) })
	return s[0].x
}
