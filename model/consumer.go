package model

import (
	"math"
	"slices"
	"time"

	"github.com/kbench/kbench/scenarios"
)

// app is one consumer application: a reader per shard, polling GetRecords
// under the shard's shared read quota or pushed to by enhanced fan-out,
// each processing what it read before it reads again.
type app struct {
	e       *engine
	index   int // among the scenario's applications
	name    string
	kind    string
	fanOut  bool
	primary bool
	poll    int64
	limit   float64
	proc    float64 // mean processing time per record, ns
	workers []int64 // when each worker is free (Concurrency > 0), else nil
	readers []*reader

	calls, throttled float64
	consumed         float64
	processing       float64 // ns spent processing
	behindMax        int64
	st               *appStats
}

// startGap is how far apart the applications' first calls on a shard
// are: about what a GetRecords call takes on the simulator.
const startGap = int64(time.Millisecond)

// timerDrift is the most a timer's wait overshoots, ns: a polling
// reader's poll interval, a batch's linger.
const timerDrift = 1e6

// reader is one application's reader of one shard.
type reader struct {
	pos     int     // index of the next cohort to read
	part    float64 // records of that cohort already read
	next    int64   // polling: when it calls next; fan-out: when it is free
	backoff int64   // the next throttling backoff
	started bool
	done    bool // a closed shard read to its end
	doneAt  int64
	pace    bucket // fan-out: the subscription's 2 MiB/s
	subs    float64
}

func newApp(e *engine, name string, cs scenarios.Consumer, fanOut bool, index int) *app {
	a := &app{
		e: e, index: index, primary: index == 0, name: name, kind: cs.Kind, fanOut: fanOut,
		poll: int64(cs.PollInterval), limit: float64(min(max(cs.Limit, 1), maxGetRecords)),
		st: newAppStats(e),
	}
	if a.poll <= 0 {
		a.poll = int64(250e6)
	}
	if cs.Limit <= 0 {
		a.limit = maxGetRecords
	}
	pr := cs.Processing
	switch {
	case pr.Fixed > 0:
		a.proc = float64(pr.Fixed)
	case pr.Median > 0:
		// A log-normal with that median and p99: its mean.
		sigma := math.Log(float64(pr.P99)/float64(pr.Median)) / 2.3263478740408408
		a.proc = float64(pr.Median) * math.Exp(sigma*sigma/2)
	}
	if cs.Concurrency > 0 && a.proc > 0 {
		a.workers = make([]int64, cs.Concurrency)
	}
	return a
}

// readerOf returns the app's reader of shard idx, making it on first use.
func (a *app) readerOf(idx int) *reader {
	for len(a.readers) <= idx {
		k := len(a.readers)
		r := &reader{}
		sh := a.e.shards[k]
		r.started = len(sh.parents) == 0
		// Every application reads every shard from the start, as the
		// collectors do: the first calls go out together, in the
		// applications' order, a call's time apart.
		r.next = sh.opened + int64(a.index)*startGap
		r.pace = newBucket(fanOutBytes, 0)
		r.pos = sh.base
		a.readers = append(a.readers, r)
	}
	return a.readers[idx]
}

// backlog is the records accepted that the app has not read.
func (a *app) backlog() float64 {
	var n float64
	for _, sh := range a.e.shards {
		r := a.readerOf(sh.idx)
		for i := r.pos; i < sh.end(); i++ {
			n += sh.at(i).n
		}
		n -= r.part
	}
	return n
}

// readAll runs every read due before to. Polling readers of one shard
// call in time order across the applications, as they share the shard's
// read quota: the first to call takes the tokens, whichever application
// it belongs to. Fan-out readers have a quota each.
func (e *engine) readAll(to int64) {
	for _, a := range e.apps {
		if !a.fanOut {
			continue
		}
		for _, sh := range e.shards {
			if r := a.readerOf(sh.idx); a.begin(sh, r) {
				a.push(sh, r, to)
			}
		}
	}
	for _, sh := range e.shards {
		for {
			var first *app
			var fr *reader
			for _, a := range e.apps {
				if a.fanOut {
					continue
				}
				if r := a.readerOf(sh.idx); a.begin(sh, r) && r.next < to && (fr == nil || r.next < fr.next) {
					first, fr = a, r
				}
			}
			if first == nil {
				break
			}
			first.poll1(sh, fr)
		}
	}
}

// begin says whether r reads sh now: not read to its end, and its parents
// read to theirs (it starts when the last of them was).
func (a *app) begin(sh *shard, r *reader) bool {
	if r.done {
		return false
	}
	if !r.started {
		at, ok := a.parentsDone(sh)
		if !ok {
			return false
		}
		r.started = true
		r.next = max(r.next, at)
	}
	return true
}

// parentsDone says whether every parent of sh has been read to its end,
// and when the last of them was.
func (a *app) parentsDone(sh *shard) (int64, bool) {
	var at int64
	for _, p := range sh.parents {
		r := a.readerOf(p)
		if !r.done {
			return 0, false
		}
		at = max(at, r.doneAt)
	}
	return at, true
}

// poll1 is one GetRecords call of reader r on sh at r.next.
func (a *app) poll1(sh *shard, r *reader) {
	e := a.e
	tc := r.next
	if e.quotas {
		sh.rBytes.refill(tc)
		sh.rCalls.refill(tc)
		if tc < sh.penaltyUntil || sh.rBytes.tokens <= 0 || sh.rCalls.tokens < 1 {
			a.calls++
			a.throttled++
			a.st.sec.getThrottled++
			if r.backoff == 0 {
				r.backoff = throttleBase
			}
			// Up to a quarter more, drawn, as the collectors' jitter.
			r.next = tc + r.backoff + int64(uniform(&e.jitterSeq)*float64(r.backoff)/4)
			r.backoff = min(2*r.backoff, throttleCap)
			return
		}
		sh.rCalls.tokens--
	}
	a.calls++
	r.backoff = 0
	n, bytes, capped, busyUntil := a.take(sh, r, tc, tc, a.limit, maxReadBytes)
	if e.quotas {
		sh.rBytes.tokens -= bytes
		if capped || bytes >= maxReadBytes {
			sh.penaltyUntil = tc + bigReadPenalty
		}
	}
	gap := a.poll
	behind := a.visibleLeft(sh, r, tc)
	if n > 0 && behind {
		gap = min(gap, catchUpGap)
	}
	// A reader's wait overshoots by up to a millisecond (timers), so its
	// phase drifts against the producers' batches, as a real one's does.
	r.next = max(tc+gap+int64(uniform(&e.driftSeq)*timerDrift), busyUntil)
	if sh.closed && r.pos >= sh.end() && !behind && tc >= sh.closedAt {
		r.done, r.doneAt = true, tc
	}
}

// push delivers what sh holds to a fan-out reader until to: events of at
// most 10,000 records and 1 MiB, paced to 2 MiB/s, each as soon as its
// first record is visible and the reader is free, and while the reader
// keeps up, each record as it becomes visible.
func (a *app) push(sh *shard, r *reader, to int64) {
	e := a.e
	for r.pos < sh.end() {
		c := sh.at(r.pos)
		// When the first record not pushed yet becomes visible.
		t := max(r.next, c.push+int64(r.part/c.n*float64(c.span)))
		if t >= to {
			return
		}
		if e.quotas {
			t += r.pace.waitNanos(t)
		}
		n, bytes, _, done := a.take(sh, r, t, to-1, maxEventRecords, maxEventBytes)
		if n <= 0 {
			return
		}
		if e.quotas {
			r.pace.tokens -= bytes
		}
		r.next = done
	}
	if sh.closed && max(r.next, sh.closedAt) < to {
		r.done, r.doneAt = true, max(r.next, sh.closedAt)
	}
}

// visibleLeft says whether sh holds records visible at tc that r has not
// read.
func (a *app) visibleLeft(sh *shard, r *reader, tc int64) bool {
	if r.pos >= sh.end() {
		return false
	}
	_, n := sh.at(r.pos).ready(false, tc)
	return n-r.part > 1e-6
}

// take reads from r's position the records readable by until, up to limit
// records and maxBytes bytes, at tc, and consumes them: each after the ones
// before it were processed and once it is readable, once a worker is free
// (when workers are limited). A polling read takes what is visible at tc
// (until is tc); a fan-out reader takes records as they become visible.
// capped says the byte limit stopped it; done is when the processing of
// what it read ends.
func (a *app) take(sh *shard, r *reader, tc, until int64, limit, maxBytes float64) (n, bytes float64, capped bool, done int64) {
	start := tc
	w := -1
	if a.workers != nil && r.pos < sh.end() {
		w = slices.Index(a.workers, slices.Min(a.workers))
		start = max(tc, a.workers[w])
	}
	cur := float64(start) // when what was taken so far is processed
	for r.pos < sh.end() && n < limit {
		c := sh.at(r.pos)
		_, avail := c.ready(a.fanOut, until)
		k := min(avail-r.part, limit-n)
		if k <= 1e-9 {
			break
		}
		per := c.bytes / max(c.n, 1e-9)
		if bytes+k*per > maxBytes {
			k = math.Floor((maxBytes - bytes) / per)
			capped = true
			if k <= 0 {
				break
			}
		}
		piece := *c
		piece.split(r.part)
		got := piece.split(k)
		ready, _ := got.ready(a.fanOut, until)
		first := max(cur, float64(ready)) + a.proc
		last := max(first+(k-1)*a.proc, float64(ready+got.span)+a.proc)
		a.consume(sh, got, tc, first, last)
		cur = last
		n += k
		bytes += got.bytes
		r.part += k
		if r.part >= c.n-1e-9 {
			r.pos++
			r.part = 0
		}
		if capped || avail < c.n-1e-9 { // the rest is not readable yet
			break
		}
	}
	if n <= 0 { // an empty read takes no worker
		return 0, 0, capped, tc
	}
	if w >= 0 {
		a.workers[w] = int64(cur)
	}
	if r.pos < sh.end() {
		a.behindMax = max(a.behindMax, (tc-sh.at(r.pos).at)/1e6)
	}
	return n, bytes, capped, int64(cur)
}

// consume records the consumption of cohort c, read at tc, its records
// consumed evenly from first to last.
func (a *app) consume(sh *shard, c cohort, tc int64, first, last float64) {
	a.consumed += c.n
	a.processing += c.n * a.proc
	a.st.consumed(sh, c, float64(tc), first, last)
}
