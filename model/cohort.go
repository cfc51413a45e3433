package model

import "math"

// cohort is records that travel together: n records (a float: the model
// works in expected counts) of bytes bytes in all, whose intended send
// times spread evenly over [lo, hi], sent on average at sent and accepted
// by their shard evenly over [at, at+span]. Times are nanoseconds after
// the run's start. Records keep their order inside a cohort: the i-th of
// them is the i-th intended, sent and accepted, and when a cohort is split
// the first part holds the earliest. A step's calls reach a shard over the
// whole step, not at one instant: span keeps that when the step is long
// (on many shards), so that latencies do not depend on the step.
type cohort struct {
	n, bytes float64
	lo, hi   float64
	sent     float64
	at, span int64
	// vis and push are when the first record becomes visible to
	// GetRecords and to a fan-out subscription; each later record does so
	// as much later as it arrived later.
	vis, push int64
}

// ready returns when c's first record can be read (by GetRecords, or by
// fan-out when fanOut) and how many of its records can be by until.
func (c *cohort) ready(fanOut bool, until int64) (first int64, n float64) {
	first = c.vis
	if fanOut {
		first = c.push
	}
	switch {
	case first > until:
		return first, 0
	case first+c.span <= until:
		return first, c.n
	}
	return first, c.n * float64(until-first) / float64(c.span)
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
	d := int64(f * float64(c.span))
	out := cohort{n: k, bytes: c.bytes * f, lo: c.lo, hi: mid, sent: c.sent - (1-f)*float64(c.span)/2,
		at: c.at, span: d, vis: c.vis, push: c.push}
	c.n -= k
	c.bytes -= out.bytes
	c.lo = mid
	c.sent += f * float64(c.span) / 2
	c.at, c.vis, c.push, c.span = c.at+d, c.vis+d, c.push+d, c.span-d
	return out
}

// merge adds o to c, keeping the count, the bytes, the mean and the spread
// (variance) of the intended times and of the arrival times; the result
// spreads evenly again over intervals with those means and variances.
// Send times and the delays to visibility average.
func (c *cohort) merge(o cohort) {
	if o.n <= 0 {
		return
	}
	if c.n <= 0 {
		*c = o
		return
	}
	n := c.n + o.n
	c.lo, c.hi = mergeSpread(c.n, c.lo, c.hi, o.n, o.lo, o.hi)
	lo, hi := mergeSpread(c.n, float64(c.at), float64(c.at+c.span), o.n, float64(o.at), float64(o.at+o.span))
	c.sent = (c.n*c.sent + o.n*o.sent) / n
	avg := func(x, y int64) int64 { return int64((float64(x)*c.n + float64(y)*o.n) / n) }
	vis, push := avg(c.vis-c.at, o.vis-o.at), avg(c.push-c.at, o.push-o.at)
	c.at, c.span = int64(lo), int64(hi-lo)
	c.vis, c.push = c.at+vis, c.at+push
	c.n = n
	c.bytes += o.bytes
}

// mergeSpread returns the interval over which n1 values spread evenly over
// [lo1, hi1] and n2 over [lo2, hi2] spread evenly with the same mean and
// variance.
func mergeSpread(n1, lo1, hi1, n2, lo2, hi2 float64) (lo, hi float64) {
	n := n1 + n2
	m1, m2 := (lo1+hi1)/2, (lo2+hi2)/2
	mean := (n1*m1 + n2*m2) / n
	v1, v2 := (hi1-lo1)*(hi1-lo1)/12, (hi2-lo2)*(hi2-lo2)/12
	v := (n1*(v1+(m1-mean)*(m1-mean)) + n2*(v2+(m2-mean)*(m2-mean))) / n
	h := math.Sqrt(3 * v)
	return mean - h, mean + h
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
