package generators

import "math"

// zipf draws ranks 0..n-1 with probability proportional to (rank+1)^-s by
// binary search in a precomputed cumulative table.
type zipf struct {
	cdf []float64
}

// newZipf returns a sampler over n ranks with exponent s.
func newZipf(n int, s float64) zipf {
	cdf := make([]float64, n)
	sum := 0.0
	for k := range n {
		sum += math.Pow(float64(k+1), -s)
		cdf[k] = sum
	}
	for k := range cdf {
		cdf[k] /= sum
	}
	return zipf{cdf: cdf}
}

// draw maps a uniform u in [0, 1) to a rank: the first k with cdf[k] > u.
func (z zipf) draw(u float64) int {
	lo, hi := 0, len(z.cdf)-1
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if z.cdf[mid] > u {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}
