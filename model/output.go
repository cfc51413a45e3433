package model

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/results"
)

// counts are record counters, over the run or over one second.
type counts struct {
	produced, acked, ackedBytes, throttled, failed, retried float64
	consumed, consumedBytes, measured, onTime, getThrottled float64
	// kinesis counts the Kinesis records accepted (throttled counts
	// Kinesis record attempts; the others count user records).
	kinesis float64
}

// outputs collects what the run measures: totals, one row a second and
// the latency histograms.
type outputs struct {
	e                                *engine
	put, delivery, lateness, sendArr *hist
	total, sec                       counts
	calls, late, scheduled           float64
	notGen                           float64
	rows                             []results.Row
	events                           []results.EventResult
	ended                            int64
	last                             int64      // start of the current second
	files                            []*os.File // streamed .hlog files
	// busyTime and slotTime integrate the producers' busy call slots and
	// all their slots over the measured window; lagMax is the furthest
	// behind its schedule a producer fell, ns.
	busyTime, slotTime float64
	lagMax             int64
	streamed           bool
}

// appStats is one application's own measurements.
type appStats struct {
	e                *engine
	e2e, e2eUnc, a2c *hist
	total, sec       counts
	shardE2E         map[int]*hdrhistogram.Histogram
	shardCarry       map[int]*float64
	shardConsumed    map[int]float64
	shardSeq         float64 // the per-shard histograms' points (spread)
}

func newOutputs(e *engine) *outputs {
	keep := !e.o.NoIntervals
	return &outputs{
		e:        e,
		put:      newHist(metrics.LatPut, keep),
		delivery: newHist(metrics.LatDelivery, keep),
		lateness: newHist(metrics.LatLateness, keep),
		sendArr:  newHist(metrics.LatSendToArrival, keep),
	}
}

func newAppStats(e *engine) *appStats {
	keep := !e.o.NoIntervals
	return &appStats{
		e: e, e2e: newHist(metrics.LatE2E, keep), e2eUnc: newHist(metrics.LatE2EUncorrected, keep),
		a2c:      newHist(metrics.LatArrivalToConsumed, keep),
		shardE2E: map[int]*hdrhistogram.Histogram{}, shardCarry: map[int]*float64{}, shardConsumed: map[int]float64{},
	}
}

// measured says whether records intended around t count in the measured
// window.
func (o *outputs) measured(t float64) bool {
	return t >= float64(o.e.warmup) && t < float64(o.e.duration)
}

// produce counts k generated records intended at about t.
func (o *outputs) produce(k float64, t int64) {
	o.sec.produced += k
	o.total.produced += k
	if o.measured(float64(t)) {
		o.scheduled += k
	}
}

// sent records batch b of producer p leaving at start: its lateness.
func (o *outputs) sent(p *producer, b batch, start int64) {
	n := b.n * p.conc
	if o.measured(float64(b.lo+b.hi) / 2) {
		o.lateness.addSpread(float64(start-b.hi), float64(start-b.lo), n, o.e.points)
	}
	// Sent later than a pacer tick after intended (linger allowed for).
	if late := float64(start - b.lo - p.linger - int64(10*time.Millisecond)); late > 0 {
		o.late += n * shareAtMost(float64(start-b.hi), float64(start-b.lo), float64(start-b.lo)-late)
	}
}

// putPoints is the most points a group's put latencies are recorded at.
const putPoints = 32

// call records one group of calls answered at g.at. The group's one put
// draw times its records' arrival, but each call of a real run takes a
// draw of its own, and a step on many shards holds hundreds of calls: the
// put histogram takes their latencies at up to putPoints stratified
// quantiles of the put distribution.
func (o *outputs) call(p *producer, g *group) {
	calls := g.calls * p.conc
	o.calls += calls
	if !o.measured((g.lo + g.hi) / 2) {
		return
	}
	k := min(int(math.Ceil(calls)), putPoints)
	if k <= 1 {
		o.put.add(float64(g.at-g.start), calls)
		return
	}
	off := uniform(&o.put.seq)
	for i := range k {
		o.put.add(float64(o.e.put.Quantile((float64(i)+off)/float64(k))), calls/float64(k))
	}
}

// accepted records c, accepted from group g.
func (o *outputs) accepted(p *producer, g *group, c cohort) {
	o.sec.acked += c.n
	o.sec.ackedBytes += c.bytes
	o.total.acked += c.n
	o.total.ackedBytes += c.bytes
	if o.measured((c.lo + c.hi) / 2) {
		at := float64(c.at)
		o.delivery.addSpread(at-c.lo, at+float64(c.span)-c.hi, c.n, o.e.points)
		o.sendArr.add(float64(c.at+c.span-g.start), c.n)
	}
}

// ackedKinesis counts n Kinesis records accepted.
func (o *outputs) ackedKinesis(n float64) {
	o.sec.kinesis += n
	o.total.kinesis += n
}

func (o *outputs) throttled(n float64) {
	o.sec.throttled += n
	o.total.throttled += n
}

func (o *outputs) failed(n float64) {
	o.sec.failed += n
	o.total.failed += n
}

func (o *outputs) retried(n float64) { o.total.retried += n }

// unsent counts records never settled when the producers stopped, of
// which notGenerated were never generated; the others (sent or batched)
// are what produced less acked and failed leaves.
func (o *outputs) unsent(notGenerated float64) {
	o.notGen += notGenerated
}

// consumed records cohort c read by app st's reader of sh at tc, its
// records consumed evenly from first to last.
func (st *appStats) consumed(sh *shard, c cohort, tc, first, last float64) {
	st.sec.consumed += c.n
	st.sec.consumedBytes += c.bytes
	st.total.consumed += c.n
	st.total.consumedBytes += c.bytes
	st.shardConsumed[sh.idx] += c.n
	st.record(sh, c, first, last)
}

// record adds the latencies of a consumed cohort in the measured window.
func (st *appStats) record(sh *shard, c cohort, first, last float64) {
	e := st.e
	if !e.out.measured((c.lo + c.hi) / 2) {
		return
	}
	a, b := first-c.lo, last-c.hi
	span := float64(c.span) // over which the records were sent and arrived
	st.e2e.addSpread(a, b, c.n, e.points)
	st.e2eUnc.addSpread(first-(c.sent-span/2), last-(c.sent+span/2), c.n, e.points)
	st.a2c.addSpread(first-float64(c.at), last-float64(c.at)-span, c.n, e.points)
	st.sec.measured += c.n
	st.total.measured += c.n
	if d := e.sc.Deadline; d > 0 {
		ok := c.n * shareAtMost(a, b, float64(d))
		st.sec.onTime += ok
		st.total.onTime += ok
	}
	h := st.shardE2E[sh.idx]
	if h == nil {
		h = shardHistogram(len(e.shards))
		st.shardE2E[sh.idx] = h
		st.shardCarry[sh.idx] = new(float64)
	}
	spread(h, st.shardCarry[sh.idx], &st.shardSeq, a, b, c.n, min(spreadPoints(a, b, c.n, e.points), 4))
}

// shardHistogram is a per-shard e2e histogram: three significant digits
// for up to 64 shards, two beyond, so a thousand shards stay small.
func shardHistogram(shards int) *hdrhistogram.Histogram {
	if shards <= 64 {
		return metrics.NewHistogram()
	}
	return hdrhistogram.New(metrics.Lowest, metrics.Highest, 2)
}

// allHists are the histograms the results directory holds as .hlog files:
// the run's and the primary application's.
func (o *outputs) allHists() []*hist {
	hs := o.hists()
	if len(o.e.apps) > 0 {
		st := o.e.apps[0].st
		hs = append(hs, st.e2e, st.e2eUnc, st.a2c)
	}
	return hs
}

// openHlogs starts a .hlog file in dir for every histogram; with dir ""
// it does nothing.
func (o *outputs) openHlogs(dir string) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	for _, h := range o.allHists() {
		f, err := os.Create(filepath.Join(dir, h.name+results.HlogExt))
		if err != nil {
			return fmt.Errorf("model: %w", err)
		}
		o.files = append(o.files, f)
		if h.w, err = results.NewHlogWriter(f, o.e.start); err != nil {
			return err
		}
		o.streamed = true
	}
	return nil
}

// closeHlogs closes the files openHlogs started.
func (o *outputs) closeHlogs() error {
	var errs []error
	for _, f := range o.files {
		errs = append(errs, f.Close())
	}
	o.files = nil
	return errors.Join(errs...)
}
