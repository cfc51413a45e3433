package metrics

import "sync"

// TimeGauge is a gauge that also integrates its value over time, so a
// sampler can take its mean over any window from two readings of Area. It is
// safe for concurrent use. Times are process-clock nanoseconds.
type TimeGauge struct {
	mu         sync.Mutex
	v          int64
	area, last int64 // value·ns accumulated up to last
}

// Add changes the gauge by d at time now.
func (g *TimeGauge) Add(now, d int64) {
	g.mu.Lock()
	g.advance(now)
	g.v += d
	g.mu.Unlock()
}

// Value returns the gauge's current value.
func (g *TimeGauge) Value() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.v
}

// Area returns the integral of the gauge's value over time up to now, in
// value·nanoseconds.
func (g *TimeGauge) Area(now int64) int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.advance(now)
	return g.area
}

func (g *TimeGauge) advance(now int64) {
	if g.last != 0 && now > g.last {
		g.area += g.v * (now - g.last)
	}
	if now > g.last {
		g.last = now
	}
}
