package model

import "math"

// cohort is records that travel together: n records (a float: the model
// works in expected counts) of bytes bytes in all, whose intended send
// times spread evenly over [lo, hi], first sent on average at sent and
// accepted by their shard at at. Times are nanoseconds after the run's
// start. Records keep their order inside a cohort: when a cohort is split,
// the first part holds the earliest intended times.
type cohort struct {
	n, bytes float64
	lo, hi   float64
	sent     float64
	at       int64
	// vis and push are when the records become visible to GetRecords and
	// to a fan-out subscription.
	vis, push int64
}

// split removes the first k of c's n records and returns them as a cohort
// of their own.
func (c *cohort) split(k float64) cohort {
	if k >= c.n {
		out := *c
		c.n, c.bytes = 0, 0
		return out
	}
	f := k / c.n
	mid := c.lo + f*(c.hi-c.lo)
	out := cohort{n: k, bytes: c.bytes * f, lo: c.lo, hi: mid, sent: c.sent, at: c.at, vis: c.vis, push: c.push}
	c.n -= k
	c.bytes -= out.bytes
	c.lo = mid
	return out
}

// merge adds o to c, keeping the count, the bytes, the mean and the spread
// (variance) of the intended times; the result spreads evenly again over an
// interval with that mean and variance. Arrival and send times average.
func (c *cohort) merge(o cohort) {
	if o.n <= 0 {
		return
	}
	if c.n <= 0 {
		*c = o
		return
	}
	n := c.n + o.n
	m1, m2 := (c.lo+c.hi)/2, (o.lo+o.hi)/2
	mean := (c.n*m1 + o.n*m2) / n
	v1, v2 := (c.hi-c.lo)*(c.hi-c.lo)/12, (o.hi-o.lo)*(o.hi-o.lo)/12
	v := (c.n*(v1+(m1-mean)*(m1-mean)) + o.n*(v2+(m2-mean)*(m2-mean))) / n
	h := math.Sqrt(3 * v)
	c.sent = (c.n*c.sent + o.n*o.sent) / n
	avg := func(x, y int64) int64 { return int64((float64(x)*c.n + float64(y)*o.n) / n) }
	c.at, c.vis, c.push = avg(c.at, o.at), avg(c.vis, o.vis), avg(c.push, o.push)
	c.lo, c.hi = mean-h, mean+h
	c.n = n
	c.bytes += o.bytes
}

// bucket is a token bucket refilled at rate tokens per second, holding at
// most one second's worth, as the simulator's: take refuses what it does
// not hold, debit may go into debt (reads).
type bucket struct {
	rate, tokens float64
	last         int64
}

func newBucket(rate float64, now int64) bucket { return bucket{rate: rate, tokens: rate, last: now} }

func (b *bucket) refill(now int64) {
	if now > b.last {
		b.tokens = min(b.rate, b.tokens+float64(now-b.last)*b.rate/1e9)
		b.last = now
	}
}

// waitNanos is how long from now until the bucket is out of debt.
func (b *bucket) waitNanos(now int64) int64 {
	b.refill(now)
	if b.tokens > 0 {
		return 0
	}
	return int64(-b.tokens/b.rate*1e9) + 1
}

// setRate changes the rate (and burst), keeping the tokens held up to it.
func (b *bucket) setRate(rate float64) {
	b.rate = rate
	b.tokens = min(b.tokens, rate)
}
