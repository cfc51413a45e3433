package model

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/kbench/kbench/collectors"
	"github.com/kbench/kbench/latency"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/scenarios"
	"github.com/kbench/kbench/sim"
)

// Kinesis's quotas, as the simulator enforces them.
const (
	shardWriteRecords = 1000
	shardWriteBytes   = 1 << 20
	shardReadCalls    = 5
	shardReadBytes    = 2 << 20
	fanOutBytes       = 2 << 20
	maxGetRecords     = 10000
	maxReadBytes      = 10 << 20
	bigReadPenalty    = int64(5 * time.Second)
	maxEventRecords   = 10000
	maxEventBytes     = 1 << 20
	onDemandShards    = 4
	subscription      = int64(5 * time.Minute)
	// The collectors' throttling backoff and catch-up gap.
	throttleBase = int64(time.Second)
	throttleCap  = int64(5 * time.Second)
	catchUpGap   = int64(200 * time.Millisecond)
	second       = int64(time.Second)
)

// engine is one model run in progress.
type engine struct {
	sc   *scenarios.Scenario
	o    Options
	log  io.Writer
	step int64
	// profile holds the latency distributions: put draws walk a
	// low-discrepancy sequence through it (next), each shard draws its
	// propagation and fan-out delays as the simulator does (newDelays).
	put, prop, fanOut latency.Dist
	putSeq            float64
	profile           *latency.Profile // for the summary
	points            int              // the most points a cohort's latencies are recorded at
	backoffSeq        float64          // retry backoff draws
	driftSeq          float64          // poll wait overshoot draws
	jitterSeq         float64          // throttled readers' backoff jitter draws
	quotas            bool
	onDemand          *demand

	prods  []*producer
	shards []*shard // every shard ever, by index (shardId-N)
	open   []int    // the open shards, in hash key order
	apps   []*app
	events []reshard

	start    time.Time
	now      int64 // the current step's start
	duration int64
	warmup   int64
	end      int64 // duration + drain: the latest the run goes on

	out *outputs
	// Scratch space of deliver.
	want, take, retry []float64
	per, size         []float64
}

// stepSizes are the steps the model picks from: each divides a second, so
// the run's seconds (timeseries rows, histogram intervals) end on a step.
var stepSizes = []time.Duration{
	time.Millisecond, 2 * time.Millisecond, 4 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond,
	20 * time.Millisecond, 25 * time.Millisecond, 40 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 125 * time.Millisecond, 200 * time.Millisecond,
}

// reshard is an update_shard_count event, applied at its time plus the
// simulator's update delay.
type reshard struct {
	at      int64
	target  int
	applied bool
}

// simProfile is the latency profile the simulator applies with cfg: the
// one cfg names, or its fixed put_delay and propagation_delay (named none
// when both are zero, fixed otherwise).
func simProfile(cfg sim.Config) (*latency.Profile, error) {
	if cfg.Profile != nil {
		return cfg.Profile, nil
	}
	if cfg.Latency != "" && cfg.Latency != latency.NameNone {
		return latency.Load(cfg.Latency)
	}
	p := latency.None()
	if cfg.PutDelay == 0 && cfg.PropagationDelay == 0 {
		return p, nil
	}
	p.Name, p.Source = "fixed", "target.sim put_delay and propagation_delay"
	var err1, err2 error
	p.Put, err1 = latency.Fixed(cfg.PutDelay)
	p.Propagation, err2 = latency.Fixed(cfg.PropagationDelay)
	p.FanOut = p.Propagation
	return p, errors.Join(err1, err2)
}

// next returns the next draw from d: its quantiles along the
// low-discrepancy sequence whose state is *seq, so a few hundred draws
// already follow d's shape.
func next(d latency.Dist, seq *float64) int64 {
	*seq += 0.6180339887498949
	*seq -= math.Floor(*seq)
	return int64(d.Quantile(*seq))
}

// uniform returns the next of the low-discrepancy sequence in [0, 1) whose
// state is *seq: each use of uniform draws keeps a sequence of its own, so
// each stays evenly spread.
func uniform(seq *float64) float64 {
	*seq += 0.7548776662466927
	*seq -= math.Floor(*seq)
	return *seq
}

func newEngine(sc *scenarios.Scenario, o Options) (*engine, error) {
	e := &engine{
		sc: sc, o: o, log: o.Log,
		quotas:   sc.Target.Sim.Quotas != sim.QuotasOff,
		start:    time.Now(),
		duration: int64(sc.Duration),
		warmup:   int64(sc.Warmup),
		end:      int64(sc.Duration + sc.Drain),
	}
	if e.log == nil {
		e.log = io.Discard
	}
	pr := o.Profile
	if pr == nil {
		var err error
		if pr, err = simProfile(sc.Target.Sim); err != nil {
			return nil, fmt.Errorf("target.sim.latency: %w", err)
		}
	}
	e.put, e.prop, e.fanOut, e.profile = pr.Put, pr.Propagation, pr.FanOut, pr
	shards := sc.Stream.Shards
	if sc.Stream.Mode == "on-demand" {
		var recs, bytes float64
		shards, recs, bytes = sc.Target.Sim.OnDemandStart()
		e.onDemand = &demand{recs: recs, bytes: bytes}
	}
	e.step = int64(o.Step)
	if e.step <= 0 {
		peak := max(shards, sc.PeakShards())
		want := min(max(time.Duration(peak)*200*time.Microsecond, time.Millisecond), 200*time.Millisecond)
		e.step = int64(time.Millisecond)
		for _, d := range stepSizes {
			if d <= want {
				e.step = int64(d)
			}
		}
	}
	if e.step <= 0 || second%e.step != 0 {
		return nil, fmt.Errorf("model: step %v must divide a second", time.Duration(e.step))
	}
	for i := 0; i < shards; i++ {
		e.addShard(nil)
	}
	if e.onDemand != nil {
		e.spreadDemand()
	}
	for _, ev := range sc.Events {
		if r, ok := ev.Action.(*scenarios.ReshardEvent); ok {
			e.events = append(e.events, reshard{at: int64(ev.At + sc.Target.Sim.UpdateDelay), target: r.Shards})
		}
	}
	samples := o.Samples
	if samples <= 0 {
		samples = defaultSamples(max(shards, sc.PeakShards()))
	}
	for i := range sc.Producers {
		p, err := e.newProducer(i, samples)
		if err != nil {
			return nil, err
		}
		e.prods = append(e.prods, p)
	}
	for i, cs := range sc.Consumers {
		k, ok := collectors.Kinds.Lookup(cs.Kind)
		if !ok {
			return nil, fmt.Errorf("consumers[%d]: unknown consumer kind %q", i, cs.Kind)
		}
		for n := 0; n < cs.Count; n++ {
			name := cs.Name
			if cs.Count > 1 {
				name = fmt.Sprintf("%s-%d", cs.Name, n)
			}
			e.apps = append(e.apps, newApp(e, name, cs, k.FanOut, len(e.apps)))
		}
	}
	e.out = newOutputs(e)
	e.points = maxPoints(len(e.open))
	return e, nil
}

// run steps the clock from the start until the producers are done and the
// consumers have read everything, or the drain ends.
func (e *engine) run(ctx context.Context) error {
	for e.now = 0; ; e.now += e.step {
		if e.now%(1000*e.step) == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		to := e.now + e.step
		e.applyEvents()
		for _, p := range e.prods {
			p.generate(e.now, to)
		}
		e.writeStep(to)
		e.observeProducers()
		e.readAll(to)
		e.trim()
		if to%second == 0 {
			if err := e.out.second(to); err != nil {
				return err
			}
		}
		if to >= e.end || to >= e.duration && e.settled() {
			if to%second != 0 {
				if err := e.out.second(to); err != nil {
					return err
				}
			}
			e.out.ended = to
			return nil
		}
	}
}

// observeProducers integrates the producers' busy call slots over the
// measured window and keeps how far behind schedule they fell.
func (e *engine) observeProducers() {
	for _, p := range e.prods {
		if e.now >= e.warmup && e.now < e.duration {
			e.out.busyTime += (p.slots - p.free) * p.conc * float64(e.step)
			e.out.slotTime += p.slots * p.conc * float64(e.step)
		}
		if p.behind.n > 0 {
			e.out.lagMax = max(e.out.lagMax, e.now-int64(p.behind.lo))
		}
	}
}

// settled says nothing is left to do: every producer has stopped with
// nothing queued or in flight, and every consumer has read every record.
func (e *engine) settled() bool {
	for _, p := range e.prods {
		if !p.idle() {
			return false
		}
	}
	for _, a := range e.apps {
		if a.backlog() > 0.5 {
			return false
		}
	}
	return true
}

// applyEvents reshards the stream when an update_shard_count event is due.
func (e *engine) applyEvents() {
	for i := range e.events {
		ev := &e.events[i]
		if ev.applied || ev.at >= e.now+e.step {
			continue
		}
		ev.applied = true
		parents := e.open
		e.open = nil
		for k := 0; k < ev.target; k++ {
			var ps []int
			for j, idx := range parents {
				// Parent j covers [j/np, (j+1)/np) of the key space,
				// child k [k/n, (k+1)/n).
				if j*ev.target < (k+1)*len(parents) && k*len(parents) < (j+1)*ev.target {
					ps = append(ps, idx)
				}
			}
			e.addShard(ps)
		}
		for _, idx := range parents {
			e.shards[idx].closed = true
			e.shards[idx].closedAt = max(ev.at, e.now)
		}
		for _, p := range e.prods {
			p.relayout(len(e.open))
		}
		e.points = maxPoints(len(e.open))
		e.out.events = append(e.out.events, results.EventResult{
			AtS: time.Duration(ev.at).Seconds(), Action: "update_shard_count",
			Detail: fmt.Sprintf("%d -> %d shards", len(parents), ev.target), OK: true,
		})
	}
}

// addShard opens a new shard with the given parents.
func (e *engine) addShard(parents []int) {
	recs, bytes := float64(shardWriteRecords), float64(shardWriteBytes)
	n := len(e.open) + 1
	if e.onDemand != nil {
		recs, bytes = e.onDemand.recs/float64(max(n, onDemandShards)), e.onDemand.bytes/float64(max(n, onDemandShards))
	}
	sh := &shard{
		idx: len(e.shards), id: shardID(len(e.shards)), parents: parents, opened: e.now,
		wRecs: newBucket(recs, e.now), wBytes: newBucket(bytes, e.now),
		rCalls: newBucket(shardReadCalls, e.now), rBytes: newBucket(shardReadBytes, e.now),
	}
	sh.propDelay, sh.pushDelay = e.newDelays(sh.idx)
	e.shards = append(e.shards, sh)
	e.open = append(e.open, sh.idx)
}

// newDelays returns the delay processes of shard idx's records becoming
// visible to GetRecords and to fan-out, as the simulator draws them
// (latency.Ordered): each follows its distribution and keeps the shard's
// records in order, and being a process in time, not one draw per cohort,
// it gives the same delays whatever the step, where independent draws
// would hold a shard's later cohorts behind a slow one more often the more
// cohorts a second holds.
func (e *engine) newDelays(idx int) (prop, push *latency.Ordered) {
	seed := uint64(idx+1) * 0x9e3779b97f4a7c15
	return latency.NewOrdered(e.prop, seed), latency.NewOrdered(e.fanOut, seed+1)
}

// shardID is the simulator's (and Kinesis's) name of shard idx.
func shardID(idx int) string { return fmt.Sprintf("shardId-%012d", idx) }

// trim drops the cohorts every consumer application has read.
func (e *engine) trim() {
	for _, sh := range e.shards {
		if len(sh.cohorts) == 0 {
			continue
		}
		low := sh.base + len(sh.cohorts)
		for _, a := range e.apps {
			low = min(low, a.readers[sh.idx].pos)
		}
		if len(e.apps) == 0 {
			low = sh.base + len(sh.cohorts)
		}
		if k := low - sh.base; k > 0 {
			clear(sh.cohorts[:k])
			sh.cohorts = sh.cohorts[k:]
			sh.base = low
		}
	}
}

// demand is an on-demand stream's write capacity: it starts at 4,000
// records/s and 4 MiB/s (warm, at twice target.sim's previous peak:
// sim.Config.OnDemandStart) and grows, once a second, to twice the rate
// accepted in the second just ended, spread over the open shards.
type demand struct {
	recs, bytes       float64
	winRecs, winBytes float64
	winStart          int64
}
