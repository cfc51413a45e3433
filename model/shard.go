package model

import (
	"math"

	"github.com/kbench/kbench/latency"
)

// shard is one shard of the modelled stream: its write quota, its shared
// read quota, and its backlog of accepted records as cohorts in arrival
// order. base is the index (counted since the shard opened) of cohorts[0];
// readers hold such indexes.
type shard struct {
	idx      int
	id       string
	parents  []int
	opened   int64
	closed   bool
	closedAt int64

	wRecs, wBytes  bucket
	rCalls, rBytes bucket
	penaltyUntil   int64
	// The delays of its records becoming visible to GetRecords and to
	// fan-out (engine.newDelays).
	propDelay, pushDelay *latency.Ordered

	cohorts []cohort
	base    int

	// Counters over the run: user records and their Kinesis bytes
	// accepted, Kinesis records accepted and throttled.
	records, bytes, kinesis, throttled float64
	first, last                        int64 // first and latest accepted write
	written                            bool
}

// end is the index one past the shard's last cohort.
func (sh *shard) end() int { return sh.base + len(sh.cohorts) }

// at returns the cohort at index i.
func (sh *shard) at(i int) *cohort { return &sh.cohorts[i-sh.base] }

// accept adds accepted records to the shard's backlog, merging them into
// the last cohort when that arrived in the same step (keep is false when
// no consumer will read them).
func (sh *shard) accept(c cohort, stepStart int64, keep bool) {
	sh.records += c.n
	sh.bytes += c.bytes
	if !sh.written {
		sh.first, sh.written = c.at, true
	}
	sh.last = max(sh.last, c.at+c.span)
	if !keep {
		return
	}
	if k := len(sh.cohorts); k > 0 && sh.cohorts[k-1].at >= stepStart {
		sh.cohorts[k-1].merge(c)
		return
	}
	sh.cohorts = append(sh.cohorts, c)
}

// deliver settles one group of calls reaching the shards from g.at-g.span
// to g.at, as of g.at (the quotas have refilled until the last call): each
// open shard takes what its write quota holds (a shortfall under half a
// record in all is taken as a debt instead), the rest is throttled. The
// calls with nothing throttled free their slots; the others back off and
// resend their throttled records, or fail them at the last attempt.
func (e *engine) deliver(p *producer, g *group) {
	at := g.at
	n := len(e.open)
	e.want = grow(e.want, n)
	e.take = grow(e.take, n)
	e.per = grow(e.per, n)
	e.size = grow(e.size, n)
	want, take, per, size := e.want, e.take, e.per, e.size
	var short, shortK float64
	for j, idx := range e.open {
		v := 0.0
		if g.v != nil && j < len(g.v) {
			v = g.v[j]
		} else if g.v == nil {
			v = g.n * p.lay.weight[j]
		}
		if v <= 0 {
			continue
		}
		want[j], take[j] = v, v
		per[j], size[j] = p.perShard(j, at)
		if !e.quotas {
			continue
		}
		sh := e.shards[idx]
		sh.wRecs.refill(at)
		sh.wBytes.refill(at)
		// The quotas count Kinesis records and their bytes; v and room
		// are in user records.
		room := max(min(sh.wRecs.tokens*per[j], sh.wBytes.tokens/size[j]), 0)
		if room < v {
			take[j] = room
			short += v - room
			shortK += (v - room) / per[j]
		}
	}
	if shortK < 0.5 {
		copy(take, want)
		short, shortK = 0, 0
	}
	perCall := g.calls * p.conc // calls of all instances
	var logClean float64
	e.retry = grow(e.retry, n)
	retry := e.retry
	for j, idx := range e.open {
		v := want[j]
		if v <= 0 {
			continue
		}
		sh := e.shards[idx]
		a := take[j]
		size, k := size[j], per[j]
		sh.wRecs.tokens -= a / k
		sh.wBytes.tokens -= a * size
		if a > 0 {
			first := at - g.span
			c := cohort{n: a, bytes: a * size, lo: g.lo, hi: g.hi, sent: g.sent, at: first, span: g.span,
				vis: first + int64(sh.propDelay.Delay(first)), push: first + int64(sh.pushDelay.Delay(first))}
			sh.accept(c, e.now, len(e.apps) > 0)
			sh.kinesis += a / k
			p.users += a
			p.kinesis += a / k
			p.sent += a * size
			e.out.accepted(p, g, c)
			e.out.ackedKinesis(a / k)
			if e.onDemand != nil {
				e.onDemand.winRecs += a / k
				e.onDemand.winBytes += a * size
			}
		}
		if t := v - a; t > 0 {
			sh.throttled += t / k
			retry[j] = t
			// Each Kinesis record of a call goes through or not: the
			// chance a call is clean counts its Kinesis records.
			if a <= 0 {
				logClean = math.Inf(-1)
			} else {
				logClean += v / k / perCall * math.Log(a/v)
			}
		}
	}
	e.out.call(p, g)
	kr := 0.0
	if short > 0 {
		kr = g.calls * (1 - math.Exp(logClean))
		kr = min(g.calls, max(kr, shortK/(p.conc*p.maxRecs)))
	}
	p.release(g.calls-kr, at)
	g.calls = 0
	if short <= 0 {
		return
	}
	e.out.throttled(shortK)
	if g.attempt+1 >= p.maxAttempts {
		e.out.failed(short)
		p.release(kr, at)
		return
	}
	// The throttled calls wait uniformly up to the attempt's backoff: as
	// one group (one arrival, as one call is), at a draw from that range.
	v := make([]float64, n)
	copy(v, retry)
	p.groups = append(p.groups, &group{
		calls: kr, n: short, v: v, lo: g.lo, hi: g.hi, sent: g.sent, span: g.span,
		at: at + int64(uniform(&e.backoffSeq)*p.backoffMax(g.attempt+1)), attempt: g.attempt + 1, waiting: true,
	})
	e.out.retried(short)
}

// grow returns s cleared and of length n, reusing its array.
func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// release frees k call slots at at.
func (p *producer) release(k float64, at int64) {
	if k <= 0 {
		return
	}
	if p.free < 1-1e-9 {
		p.freeAt = at
	}
	p.free = min(p.free+k, p.slots)
}

// observeDemand grows an on-demand stream's capacity once a second to
// twice the rate accepted in the second just ended.
func (e *engine) observeDemand(to int64) {
	d := e.onDemand
	if d == nil || to-d.winStart < second {
		return
	}
	secs := float64(to-d.winStart) / 1e9
	r, b := d.winRecs/secs, d.winBytes/secs
	d.winRecs, d.winBytes, d.winStart = 0, 0, to
	grew := false
	if 2*r > d.recs {
		d.recs, grew = 2*r, true
	}
	if 2*b > d.bytes {
		d.bytes, grew = 2*b, true
	}
	if grew {
		e.spreadDemand()
	}
}

// spreadDemand spreads an on-demand stream's capacity evenly over its open
// shards.
func (e *engine) spreadDemand() {
	d := e.onDemand
	n := float64(len(e.open))
	for _, idx := range e.open {
		sh := e.shards[idx]
		sh.wRecs.setRate(d.recs / n)
		sh.wBytes.setRate(d.bytes / n)
	}
}
