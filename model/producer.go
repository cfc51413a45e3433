package model

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/kbench/kbench/generators"
)

// producer is one scenario producer: its instances are alike, so the model
// runs one instance's batcher and calls in flight and multiplies what they
// carry by the instance count.
type producer struct {
	e     *engine
	idx   int
	name  string
	pacer generators.Pacer
	conc  float64
	smp   *sample
	lay   layout

	maxRecs, maxBytes float64
	linger            int64
	slots             float64 // calls in flight allowed (one instance)
	free              float64 // of them, free now
	freeAt            int64   // since when the free slots are free
	maxAttempts       int
	base, cap         int64
	cutoff            int64 // duration + max_overrun + linger + 1 s: the producer stops

	carry     float64 // records due not yet whole
	open      float64 // records in the open batch
	openBytes float64
	openLo    int64
	openHi    int64
	// due is when the open batch's linger ends as the runner sees it: its
	// timer wakes the runner's loop up to a millisecond late (timerDrift),
	// and records intended by then still join the batch. So a batch spans
	// the linger, the overshoot and the wait for the record after, and the
	// batches drift against the readers' polls as on the simulator.
	due       int64
	lingerSeq float64 // overshoot draws
	queue     []batch // closed batches waiting for a free slot
	// behind holds records due while the producer was blocked (its queue
	// full, as the runner's schedule blocks on a full channel): they are
	// generated late, as fast as the queue takes them, in full batches.
	behind  cohort
	groups  []*group // calls in flight or backing off
	stopped bool

	// pk is the producer's packing (nil for none); per, size and wait are
	// its user records per Kinesis record, Kinesis bytes sent per user
	// record and mean wait in an aggregate at the current rate, over all
	// shards (1, the sample's mean and 0 without packing).
	pk        *packing
	per, size float64
	wait      int64
	// late is how much later than spread user records a batch its linger
	// closes leaves, its aggregates arriving one at a time.
	late           int64
	users, kinesis float64 // user and Kinesis records accepted, all instances
	sent           float64 // their Kinesis bytes
}

// batch is one closed PutRecords batch of one instance.
type batch struct {
	n, bytes float64
	lo, hi   int64 // intended times of its first and last record
	closed   int64
}

// group is calls that left together: calls calls (one instance's; they
// carry conc times their records), with records per open shard (v nil:
// spread like the producer's keys), at attempt attempt.
type group struct {
	calls   float64
	n       float64 // records, all instances
	v       []float64
	lo, hi  float64
	sent    float64 // when the records were first sent, on average
	start   int64   // when this attempt's last call started
	at      int64   // when it reaches the shards (or, backing off, when it is resent)
	span    int64   // the calls started (reach the shards) evenly over span up to start (at), in the records' order
	attempt int
	waiting bool // backing off
}

func (e *engine) newProducer(i, samples int) (*producer, error) {
	sc := e.sc
	ps := sc.Producers[i]
	pacer, err := sc.InstancePacer(i, 0)
	if err != nil {
		return nil, err
	}
	var smp *sample
	if w := e.o.Workload; w != nil && i < len(w.samples) {
		smp = w.samples[i]
	} else if smp, err = drawSample(sc, i, len(e.open), samples); err != nil {
		return nil, err
	}
	p := &producer{
		e: e, idx: i, name: ps.Name, pacer: pacer, conc: float64(ps.Concurrency), smp: smp,
		lay:     smp.spread(len(e.open)),
		maxRecs: float64(ps.Batch.MaxRecords), maxBytes: float64(ps.Batch.MaxBytes), linger: int64(ps.Batch.Linger),
		slots: float64(ps.InFlight), free: float64(ps.InFlight),
		maxAttempts: ps.Retry.MaxAttempts, base: int64(ps.Retry.Base), cap: int64(ps.Retry.Cap),
		cutoff: int64(sc.Duration+sc.MaxOverrun+ps.Batch.Linger) + second,
		per:    1, size: smp.mean,
	}
	if p.pk, err = newPacking(sc, i); err != nil {
		return nil, err
	}
	if p.pk != nil {
		p.cutoff += p.pk.linger
		p.repack(0)
	}
	return p, nil
}

// relayout spreads the producer's keys over n new shards; calls backing
// off are spread like the keys too.
func (p *producer) relayout(n int) {
	p.lay = p.smp.spread(n)
	p.repack(p.e.now)
	for _, g := range p.groups {
		g.v = nil
	}
}

// idle says the producer has stopped and has nothing queued or in flight.
func (p *producer) idle() bool {
	return (p.stopped || p.e.now >= p.e.duration) && p.open == 0 && len(p.queue) == 0 && len(p.groups) == 0 && p.behind.n <= 1e-9
}

// generate makes the records due in [from, to), closes the batches that
// fill or linger out, and starts the calls that have a free slot.
func (p *producer) generate(from, to int64) {
	e := p.e
	if p.stopped {
		return
	}
	if from >= p.cutoff {
		p.stop()
		return
	}
	if p.open > 0 && p.due < from {
		p.closeBatch(from)
	}
	p.repack(from)
	p.catchUp(from)
	if from < e.duration {
		end := min(to, e.duration)
		mid := time.Duration((from + end) / 2)
		due := p.pacer.Rate(mid)*float64(end-from)/1e9 + p.carry
		m := math.Floor(due)
		p.carry = due - m
		switch {
		case m <= 0:
		case p.blocked() || p.behind.n > 0:
			p.behind.merge(cohort{n: m, lo: float64(from), hi: float64(end - 1)})
			p.e.out.produce(m*p.conc, end)
		default:
			p.batchUp(from, end, m)
		}
	}
	if p.open > 0 && p.due < to {
		p.closeBatch(max(p.due, from))
	}
	p.dispatch(to)
}

// repack sets per, size and wait for the rate at now (one instance's,
// spread over the shards like the keys).
func (p *producer) repack(now int64) {
	if p.pk == nil {
		return
	}
	rate := p.pacer.Rate(time.Duration(now))
	var kin, size, wait float64
	for _, w := range p.lay.weight {
		if w <= 0 {
			continue
		}
		k := p.pk.users(rate * w)
		kin += w / k
		size += w * p.pk.sent(k)
		wait += w * float64(p.pk.wait(rate*w))
	}
	if kin > 0 {
		p.per, p.size, p.wait = 1/kin, size, int64(wait)
	}
	// Aggregates reach the batch one at a time, every tau: a batch its
	// linger closes holds 1+m of them, the first waiting the whole linger,
	// where spreading the user records evenly has them wait half of it on
	// average. late is the difference.
	p.late = 0
	if kps := rate / p.per; p.pk.aggregate && kps > 0 && kps*float64(p.linger)/1e9 < p.maxRecs {
		tau := 1e9 / kps
		m := math.Floor(float64(p.linger) / tau)
		p.late = int64((float64(p.linger) - tau*m) / 2)
	}
}

// perShard returns the user records per Kinesis record and the Kinesis
// bytes per user record on the producer's j-th open shard at at.
func (p *producer) perShard(j int, at int64) (k, size float64) {
	if p.pk == nil {
		return 1, p.lay.bytes[j]
	}
	k = p.pk.users(p.pacer.Rate(time.Duration(at)) * p.lay.weight[j])
	return k, p.pk.sent(k)
}

// blocked says the producer's queue is full: the runner's schedule would
// be blocked handing over a batch, generating nothing.
func (p *producer) blocked() bool { return float64(len(p.queue)) >= p.slots+1 }

// catchUp generates the records that fell behind while the producer was
// blocked, at now, in batches as full as they get, while the queue takes
// them.
func (p *producer) catchUp(now int64) {
	for p.behind.n > 1e-9 && !p.blocked() {
		if p.open == 0 {
			p.openBatch(int64(p.behind.lo))
		}
		space := p.maxRecs*p.per - p.open
		if p.maxBytes > 0 {
			space = max(min(space, math.Floor((p.maxBytes-p.openBytes)/p.size)), 1)
		}
		c := p.behind.split(min(space, p.behind.n))
		p.open += c.n
		p.openBytes += c.n * p.size
		p.openHi = int64(c.hi)
		if p.open >= space-1e-9 || p.behind.n > 1e-9 {
			p.closeBatch(now)
		}
	}
}

// batchUp puts m records due evenly over [from, to) into batches, closing
// each when it is full or its linger ends.
func (p *producer) batchUp(from, to int64, m float64) {
	per := float64(to-from) / m // nanoseconds between records
	size := p.size
	cur := float64(from)
	for left := m; left > 1e-9; {
		if p.open == 0 {
			p.openBatch(int64(cur))
		}
		deadline := float64(p.due)
		space := p.maxRecs*p.per - p.open
		if p.maxBytes > 0 {
			space = min(space, math.Floor((p.maxBytes-p.openBytes)/size))
		}
		space = max(space, 1)
		if space <= left && cur+(space-1)*per <= deadline {
			p.add(space, size, int64(cur+(space-1)*per))
			cur += space * per
			left -= space
			p.closeBatch(int64(cur - per))
			continue
		}
		if deadline < float64(to) && cur+(left-1)*per > deadline {
			k := math.Floor((deadline-cur)/per) + 1
			if k > 0 {
				p.add(k, size, int64(cur+(k-1)*per))
				cur += k * per
				left -= k
			}
			p.closeBatch(int64(deadline))
			continue
		}
		p.add(left, size, int64(cur+(left-1)*per))
		left = 0
	}
}

// openBatch opens a batch whose first record is intended at at.
func (p *producer) openBatch(at int64) {
	p.openLo, p.openHi = at, at
	p.due = at + p.linger + int64(uniform(&p.lingerSeq)*timerDrift)
}

func (p *producer) add(k, size float64, last int64) {
	p.e.out.produce(k*p.conc, last)
	p.open += k
	p.openBytes += k * size
	p.openHi = last
}

// closeBatch queues the open batch, closed at at.
func (p *producer) closeBatch(at int64) {
	if p.open <= 0 {
		return
	}
	// A user record waited in its aggregate before the batch took it: the
	// batch's records were intended up to that wait earlier.
	if p.open < p.maxRecs*p.per-1 && (p.maxBytes <= 0 || p.openBytes < p.maxBytes-p.size) {
		at += p.late // closed by its linger
	}
	p.queue = append(p.queue, batch{n: p.open, bytes: p.openBytes, lo: p.openLo - p.wait, hi: max(p.openHi, p.openLo), closed: at})
	p.open, p.openBytes = 0, 0
}

// aggregates says whether the producer packs user records into KPL
// aggregates.
func (p *producer) aggregates() bool { return p.pk != nil && p.pk.aggregate }

// dispatch starts queued batches on free slots, at most one call per slot,
// merging the batches that start in this step into one group.
func (p *producer) dispatch(to int64) {
	var g *group
	for len(p.queue) > 0 && p.free >= 1-1e-9 {
		b := p.queue[0]
		start := max(b.closed, p.freeAt)
		if start >= to {
			break
		}
		p.queue = p.queue[1:]
		p.free--
		n := b.n * p.conc
		p.e.out.sent(p, b, start)
		// A record's actual send time (e2e_uncorrected's start) is when its
		// call starts, as the runner stamps it; an aggregated user record's is
		// when it was packed, which on schedule is its intended time.
		sent := float64(start)
		if p.aggregates() {
			sent = (float64(b.lo) + float64(b.hi)) / 2
		}
		if g == nil {
			g = &group{lo: float64(b.lo), hi: float64(b.hi), sent: sent, start: start}
		} else {
			c := cohort{n: g.n, lo: g.lo, hi: g.hi, sent: g.sent}
			c.merge(cohort{n: n, lo: float64(b.lo), hi: float64(b.hi), sent: sent})
			g.lo, g.hi, g.sent = c.lo, c.hi, c.sent
			// The batches leave in order: the first call's start stays.
			g.span += max(start-g.start, 0)
			g.start = max(g.start, start)
		}
		g.calls++
		g.n += n
	}
	if g != nil {
		g.at = g.start + next(p.e.put, &p.e.putSeq)
		p.groups = append(p.groups, g)
	}
	if len(p.queue) == 0 {
		p.queue = nil // let the backing array go
	}
}

// stop ends the producer at its cutoff: what it still holds was never
// settled (unsent, overrun).
func (p *producer) stop() {
	p.stopped = true
	p.e.out.unsent(p.behind.n * p.conc)
	p.open, p.queue, p.groups, p.behind = 0, nil, nil, cohort{}
}

// backoff is the retry policy's backoff before attempt (1 = the first
// resend): uniform between 0 and base·2^attempt, capped.
func (p *producer) backoffMax(attempt int) float64 {
	if attempt <= 0 || p.base <= 0 {
		return 0
	}
	if attempt >= 62 || p.base > p.cap>>attempt {
		return float64(p.cap)
	}
	return float64(p.base << attempt)
}

// writeStep delivers every group of calls whose first call reaches the
// shards before to, in time order, and settles it: accepted records join
// their shard's backlog, throttled ones back off and are resent or, at the
// last attempt, fail.
func (e *engine) writeStep(to int64) {
	type arrival struct {
		p *producer
		g *group
	}
	var due []arrival
	for _, p := range e.prods {
		for _, g := range p.groups {
			if g.at-g.span < to {
				due = append(due, arrival{p, g})
			}
		}
	}
	slices.SortFunc(due, func(a, b arrival) int { return cmp.Compare(a.g.at-a.g.span, b.g.at-b.g.span) })
	for _, d := range due {
		if d.g.waiting { // backoff over: resend
			d.g.waiting = false
			d.g.start = d.g.at
			if !d.p.aggregates() { // the runner restamps a plain record each attempt
				d.g.sent = float64(d.g.at - d.g.span/2)
			}
			d.g.at += next(e.put, &e.putSeq)
			if d.g.at-d.g.span < to {
				e.deliver(d.p, d.g)
			}
			continue
		}
		e.deliver(d.p, d.g)
	}
	for _, p := range e.prods {
		p.groups = slices.DeleteFunc(p.groups, func(g *group) bool { return g.calls <= 0 })
		p.dispatch(to)
	}
	e.observeDemand(to)
}
