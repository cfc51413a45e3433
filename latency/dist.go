package latency

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Distribution kinds, as written in a profile file's `kind` field.
const (
	KindNone      = "none"      // always zero
	KindFixed     = "fixed"     // always one value
	KindLogNormal = "lognormal" // log-normal given by its median and p99
	KindTable     = "table"     // empirical: quantiles joined by straight lines
)

// z99 is the standard normal distribution's 0.99 quantile.
const z99 = 2.3263478740408408

// maxQ is the highest quantile Quantile evaluates: q at or above 1 is
// taken as this, so an unbounded distribution still gives a finite value.
const maxQ = 1 - 1e-12

// Dist is a distribution of durations. The zero value is always zero (kind
// none). Build one with Fixed, LogNormal or Table. A Dist is immutable and
// safe for concurrent use.
type Dist struct {
	kind string
	// fixed
	value time.Duration
	// lognormal: the log of the median and the log-space standard deviation
	median, p99 time.Duration
	mu, sigma   float64
	// table
	points []Point
}

// Point is one row of an empirical quantile table: Value is the duration
// at quantile Q (0 ≤ Q ≤ 1).
type Point struct {
	Q     float64
	Value time.Duration
}

// Fixed returns the distribution that is always d. Fixed(0) is the zero
// distribution.
func Fixed(d time.Duration) (Dist, error) {
	if d < 0 {
		return Dist{}, fmt.Errorf("fixed value %v is negative", d)
	}
	if d == 0 {
		return Dist{}, nil
	}
	return Dist{kind: KindFixed, value: d}, nil
}

// LogNormal returns the log-normal distribution whose median and 0.99
// quantile are the given ones: ln X is normal with mean ln(median) and
// standard deviation ln(p99/median)/2.326. It needs 0 < median ≤ p99
// (median == p99 is the fixed distribution).
func LogNormal(median, p99 time.Duration) (Dist, error) {
	if median <= 0 {
		return Dist{}, fmt.Errorf("median %v must be positive", median)
	}
	if p99 < median {
		return Dist{}, fmt.Errorf("p99 %v is below the median %v", p99, median)
	}
	return logNormal(median, p99), nil
}

// logNormal is LogNormal for arguments known to be valid.
func logNormal(median, p99 time.Duration) Dist {
	mu := math.Log(median.Seconds())
	return Dist{
		kind: KindLogNormal, median: median, p99: p99,
		mu: mu, sigma: (math.Log(p99.Seconds()) - mu) / z99,
	}
}

// Table returns the empirical distribution through the given points: the
// quantile function joins them with straight lines, is the first point's
// value below the first Q and the last point's value above the last Q. It
// needs at least two points, Q strictly increasing within [0, 1] and values
// not negative and not decreasing.
func Table(points []Point) (Dist, error) {
	if len(points) < 2 {
		return Dist{}, errors.New("a table needs at least two quantiles")
	}
	for i, p := range points {
		switch {
		case math.IsNaN(p.Q) || p.Q < 0 || p.Q > 1:
			return Dist{}, fmt.Errorf("quantile %v is outside [0, 1]", p.Q)
		case p.Value < 0:
			return Dist{}, fmt.Errorf("quantile %v: value %v is negative", p.Q, p.Value)
		case i > 0 && p.Q <= points[i-1].Q:
			return Dist{}, fmt.Errorf("quantile %v does not come after %v", p.Q, points[i-1].Q)
		case i > 0 && p.Value < points[i-1].Value:
			return Dist{}, fmt.Errorf("quantile %v: value %v is below the value %v at quantile %v",
				p.Q, p.Value, points[i-1].Value, points[i-1].Q)
		}
	}
	return Dist{kind: KindTable, points: slices.Clone(points)}, nil
}

// Kind returns the distribution's kind: KindNone, KindFixed, KindLogNormal
// or KindTable.
func (d Dist) Kind() string {
	if d.kind == "" {
		return KindNone
	}
	return d.kind
}

// IsZero says whether the distribution is always zero.
func (d Dist) IsZero() bool {
	switch d.kind {
	case "":
		return true
	case KindTable:
		return d.points[len(d.points)-1].Value == 0
	}
	return false
}

// Quantile returns the duration at quantile q (the inverse of the
// cumulative distribution). q is meant to lie in [0, 1); q below 0 is taken
// as 0 and q at or above 1 as 1 − 10⁻¹², so the result is always finite.
func (d Dist) Quantile(q float64) time.Duration {
	q = max(0, min(q, maxQ))
	switch d.kind {
	case KindFixed:
		return d.value
	case KindLogNormal:
		if q == 0 {
			return 0
		}
		z := math.Sqrt2 * math.Erfinv(2*q-1)
		return seconds(math.Exp(d.mu + d.sigma*z))
	case KindTable:
		return d.tableQuantile(q)
	}
	return 0
}

func (d Dist) tableQuantile(q float64) time.Duration {
	ps := d.points
	i, _ := slices.BinarySearchFunc(ps, q, func(p Point, q float64) int {
		switch {
		case p.Q < q:
			return -1
		case p.Q > q:
			return 1
		}
		return 0
	})
	switch {
	case i == 0:
		return ps[0].Value
	case i == len(ps):
		return ps[len(ps)-1].Value
	}
	a, b := ps[i-1], ps[i]
	f := (q - a.Q) / (b.Q - a.Q)
	return a.Value + time.Duration(math.Round(f*float64(b.Value-a.Value)))
}

// Sample draws one duration from the distribution using r; it is
// Quantile(r.Float64()).
func (d Dist) Sample(r *rand.Rand) time.Duration {
	if d.kind == "" || d.kind == KindFixed {
		return d.value
	}
	return d.Quantile(r.Float64())
}

// Mean returns the distribution's mean: exact for fixed and log-normal
// distributions, and for a table the mean of its piecewise-linear quantile
// function.
func (d Dist) Mean() time.Duration {
	switch d.kind {
	case KindFixed:
		return d.value
	case KindLogNormal:
		return seconds(math.Exp(d.mu + d.sigma*d.sigma/2))
	case KindTable:
		ps := d.points
		sum := ps[0].Q*float64(ps[0].Value) + (1-ps[len(ps)-1].Q)*float64(ps[len(ps)-1].Value)
		for i := 1; i < len(ps); i++ {
			sum += (ps[i].Q - ps[i-1].Q) * float64(ps[i].Value+ps[i-1].Value) / 2
		}
		return time.Duration(math.Round(sum))
	}
	return 0
}

// Median returns Quantile(0.5).
func (d Dist) Median() time.Duration { return d.Quantile(0.5) }

// Points returns a table's points (nil for other kinds); the caller may
// not change them.
func (d Dist) Points() []Point {
	if d.kind != KindTable {
		return nil
	}
	return d.points
}

// String describes the distribution in one line, such as
// "lognormal(median 30ms, p99 120ms)".
func (d Dist) String() string {
	switch d.kind {
	case KindFixed:
		return "fixed(" + d.value.String() + ")"
	case KindLogNormal:
		return fmt.Sprintf("lognormal(median %v, p99 %v)", d.median, d.p99)
	case KindTable:
		parts := make([]string, len(d.points))
		for i, p := range d.points {
			parts[i] = "p" + strconv.FormatFloat(p.Q*100, 'g', -1, 64) + " " + p.Value.String()
		}
		return "table(" + strings.Join(parts, ", ") + ")"
	}
	return KindNone
}

// seconds converts s seconds to a Duration, rounding to the nanosecond and
// saturating at the largest Duration.
func seconds(s float64) time.Duration {
	ns := s * 1e9
	if ns >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(math.Round(ns))
}
