package generators

import (
	"math"
	"math/bits"
)

// rng is a small, fast, seedable pseudo-random generator (wyrand). Its
// stream depends only on its seed, never on the Go version, so generator
// output stays byte-identical across builds.
type rng struct {
	s uint64
	// spare holds the second normal deviate of the last polar draw.
	spare    float64
	hasSpare bool
}

// Salts keep the streams of the different uses of one seed apart.
const (
	saltUniverse  = 0x5bd1e9955bd1e995
	saltPayments  = 0x27d4eb2f165667c5
	saltIoT       = 0x94d049bb133111eb
	saltAcoustic  = 0xbf58476d1ce4e5b9
	saltKeys      = 0x9e3779b97f4a7c15
	saltPoisson   = 0xd6e8feb86659fd93
	saltTxnID     = 0xc2b2ae3d27d4eb4f
	saltRandomKey = 0x165667b19e3779f9
	saltReplay    = 0x85ebca77c2b2ae63
	saltBlob      = 0x61c8864680b583eb
)

// newRNG returns a generator whose stream is fixed by seed and salt.
func newRNG(seed int64, salt uint64) rng {
	return rng{s: mix64(uint64(seed) ^ salt)}
}

// mix64 is the splitmix64 finaliser: a bijection on uint64 that scatters
// neighbouring inputs.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// mix32 is a bijection on uint32 (lowbias32).
func mix32(x uint32) uint32 {
	x ^= x >> 16
	x *= 0x7feb352d
	x ^= x >> 15
	x *= 0x846ca68b
	return x ^ (x >> 16)
}

// Uint64 returns 64 random bits.
func (r *rng) Uint64() uint64 {
	var x uint64
	r.s, x = wyStep(r.s)
	return x
}

// wyStep advances a wyrand state and returns the new state and 64 bits.
func wyStep(s uint64) (uint64, uint64) {
	s += 0xa0761d6478bd642f
	hi, lo := bits.Mul64(s, s^0xe7037ed1a0b428db)
	return s, hi ^ lo
}

// Float64 returns a uniform value in [0, 1).
func (r *rng) Float64() float64 {
	return float64(r.Uint64()>>11) * 0x1p-53
}

// IntN returns a value in [0, n) for n > 0 (multiply-shift; the bias is
// below n/2^64).
func (r *rng) IntN(n int) int {
	hi, _ := bits.Mul64(r.Uint64(), uint64(n))
	return int(hi)
}

// Norm returns a standard normal deviate (Marsaglia's polar method).
func (r *rng) Norm() float64 {
	if r.hasSpare {
		r.hasSpare = false
		return r.spare
	}
	for {
		u := 2*r.Float64() - 1
		v := 2*r.Float64() - 1
		s := u*u + v*v
		if s > 0 && s < 1 {
			f := math.Sqrt(-2 * math.Log(s) / s)
			r.spare, r.hasSpare = v*f, true
			return u * f
		}
	}
}

// Exp returns an exponential deviate with mean 1.
func (r *rng) Exp() float64 {
	return -math.Log1p(-r.Float64())
}

// weighted picks an index with probability proportional to its weight,
// given the cumulative weights (the last one is the total).
func weighted(cum []float64, u float64) int {
	x := u * cum[len(cum)-1]
	for i, c := range cum {
		if x < c {
			return i
		}
	}
	return len(cum) - 1
}

// cumulative returns the running sums of w.
func cumulative(w []float64) []float64 {
	out := make([]float64, len(w))
	sum := 0.0
	for i, x := range w {
		sum += x
		out[i] = sum
	}
	return out
}
