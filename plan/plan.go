// Package plan recommends a Kinesis stream layout for a scenario's
// workload. It sizes the stream from the write quotas and the producers'
// key distribution (model.Workload), runs the scenario on the model target
// (package model) for each candidate layout — provisioned shard counts
// around the minimum, on-demand, polling and enhanced fan-out consumers —
// and picks the cheapest layout that passes the scenario's thresholds with
// under 1% of writes throttled and, when the scenario has a deadline, 99%
// of records on time. The result is a results.Plan; package reports
// renders it.
package plan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kbench/kbench/latency"
	"github.com/kbench/kbench/model"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/scenarios"
)

// Options tune a plan.
type Options struct {
	// Shards are the provisioned shard counts to try; nil picks them
	// around the minimum the quotas allow (see Candidates).
	Shards []int
	// Also are shard counts tried besides the candidates when Shards is
	// nil: a matrix's stream.shards values (see SplitMatrix).
	Also []int
	// Window is how long each layout runs after its warmup; zero picks
	// DefaultWindow for a steady workload and the scenario's own duration
	// for one whose rate changes.
	Window time.Duration
	// Parallel is how many layouts run at once; zero means GOMAXPROCS.
	Parallel int
	// KeepProducers plans with the scenario's producer fleet as it is, even
	// when it cannot send the workload's rate; by default the plan adds
	// producer instances until the producers are not the limit.
	KeepProducers bool
	// NoOnDemand leaves the on-demand layouts (cold and warm) out.
	NoOnDemand bool
	// Headroom is the share of its write quota the hottest shard keeps
	// free in a recommended provisioned layout; zero means DefaultHeadroom,
	// a negative value none.
	Headroom float64
	// Profile is the latency profile every layout runs with; nil takes the
	// scenario's (target.sim.latency, or its put and propagation delays).
	Profile *latency.Profile
	// Source names where the scenario came from, for plan.json.
	Source string
	// Version is kbench's version, for plan.json.
	Version string
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// Window defaults: a steady workload runs DefaultWindow after at most
// maxWarmup of warmup, then drains for at most maxDrain.
const (
	DefaultWindow = 10 * time.Second
	maxWarmup     = 2 * time.Second
	maxDrain      = 5 * time.Second
)

// DefaultHeadroom is the share of the hottest shard's write quota a
// recommended layout leaves free: a shard offered its full quota on
// average throttles at every burst, which the model's average rates hide.
const DefaultHeadroom = 0.1

// Needs a layout must meet to be recommended.
const (
	maxThrottle = 0.01
	minOnTime   = 0.99
	minAcked    = 0.99
)

// Make plans sc (one matrix cell). It blocks while the model runs the
// layouts, in parallel (seconds for hundreds of shards); cancelling ctx
// stops it with ctx's error. A scenario the model does not represent
// gives an error wrapping model.ErrRefused.
func Make(ctx context.Context, sc *scenarios.Scenario, o Options) (*results.Plan, error) {
	began := time.Now()
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Parallel <= 0 {
		o.Parallel = runtime.GOMAXPROCS(0)
	}
	switch {
	case o.Headroom == 0:
		o.Headroom = DefaultHeadroom
	case o.Headroom < 0 || o.Headroom >= 1:
		o.Headroom = 0
	}
	p := &results.Plan{
		SchemaVersion: results.PlanSchemaVersion, Scenario: sc.Name, Source: o.Source, Headroom: o.Headroom,
		Thresholds: slices.Clone(sc.Thresholds), Recommended: -1,
		PlanAbout: results.PlanAbout{Model: model.Note, GeneratedAt: began.UTC(), KbenchVersion: o.Version},
	}
	base, notes := prepare(sc, o.Window)
	p.Notes = notes
	if probs := model.Check(base); len(probs) > 0 {
		return nil, fmt.Errorf("%w: %w", model.ErrRefused, probs)
	}
	if o.Profile == nil {
		// The scenario's own profile, loaded once for every layout.
		switch t := sc.Target.Sim; {
		case t.Profile != nil:
			o.Profile = t.Profile
		case t.Latency != "" && t.Latency != latency.NameNone:
			prof, err := latency.Load(t.Latency)
			if err != nil {
				return nil, fmt.Errorf("%w: target.sim.latency: %w", model.ErrRefused, err)
			}
			o.Profile = prof
		}
	}
	if o.Profile != nil {
		p.LatencyProfile = o.Profile.Name
		note := fmt.Sprintf("Every layout runs with the latency profile %s (%s).", o.Profile.Name, o.Profile.Source)
		if len(o.Profile.Assumptions) > 0 {
			note += " Assumed rather than published: " + strings.Join(o.Profile.Assumptions, " ")
		}
		p.Notes = append(p.Notes, note)
	}
	p.Window = results.PlanWindow{WarmupS: base.Warmup.Seconds(), DurationS: base.Duration.Seconds(), DrainS: base.Drain.Seconds()}

	w, err := sizeWorkload(base, &p.Workload, 1-o.Headroom)
	if err != nil {
		return nil, err
	}
	for _, c := range sc.Consumers {
		p.Workload.Consumers = append(p.Workload.Consumers, results.PlanConsumer{Name: c.Name, Kind: c.Kind, Count: c.Count})
	}

	shards := slices.Compact(slices.Sorted(slices.Values(o.Shards)))
	if len(shards) == 0 {
		cs := Candidates(p.Workload.MinShards, p.Workload.HotMinShards, p.Workload.RoomMinShards)
		shards = slices.Compact(slices.Sorted(slices.Values(append(cs, o.Also...))))
	}
	if !o.KeepProducers {
		// The model's time step grows with the shard count, and a call
		// takes at least one step: the producers are fitted to the largest
		// stream tried, so they keep up on every layout.
		note, err := fitProducers(ctx, base, model.Options{NoIntervals: true, Workload: w, Profile: o.Profile}, slices.Max(shards))
		if err != nil {
			return nil, err
		}
		if note != "" {
			p.Notes = append(p.Notes, note)
		}
	}
	p.Workload.Producers = fleet(base)
	var common []string // the producers the plan fitted
	for i, pr := range base.Producers {
		if pr.Concurrency != sc.Producers[i].Concurrency {
			common = append(common, fmt.Sprintf("producers[%d].concurrency=%d", i, pr.Concurrency))
		}
	}
	var peak *onDemandPeak
	if !o.NoOnDemand {
		peak = &onDemandPeak{records: math.Ceil(p.Workload.PeakKinesisRPS), bytes: int64(math.Ceil(p.Workload.PeakSentBytesPerS))}
	}
	layouts := layoutsFor(base, shards, peak, common, &p.Notes)
	fmt.Fprintf(o.Log, "plan: %d layouts on the model (%s simulated each, %d at a time)\n",
		len(layouts), base.Duration+base.Drain, o.Parallel)
	avgRPS := averageRate(sc)
	if err := runAll(ctx, layouts, model.Options{NoIntervals: true, Workload: w, Profile: o.Profile, Version: o.Version}, o.Parallel); err != nil {
		return nil, err
	}
	for _, l := range layouts {
		p.Layouts = append(p.Layouts, l.judge(w, avgRPS, p.Workload.MeanRecordBytes, base, 1-o.Headroom))
	}
	recommend(p)
	p.ElapsedS = time.Since(began).Seconds()
	return p, nil
}

// prepare returns the scenario a plan runs: sc's workload over the plan's
// window, without the shard-count events (the plan picks the shard count).
func prepare(sc *scenarios.Scenario, window time.Duration) (*scenarios.Scenario, []string) {
	c := *sc
	c.Producers = slices.Clone(sc.Producers)
	c.Consumers = slices.Clone(sc.Consumers)
	c.Events = nil
	c.Matrix = nil
	var notes []string
	dropped := 0
	for _, ev := range sc.Events {
		if reshards(sc, ev) {
			dropped++
			continue
		}
		c.Events = append(c.Events, ev)
	}
	if dropped > 0 {
		notes = append(notes, fmt.Sprintf("The scenario's %d update_shard_count event(s) are left out: the plan chooses the shard count.", dropped))
	}
	steady := len(c.Events) == 0
	for _, pr := range c.Producers {
		steady = steady && (pr.Rate.Profile == "constant" || pr.Rate.Profile == "poisson")
	}
	switch {
	case window > 0:
		c.Warmup = min(sc.Warmup, maxWarmup)
		c.Duration = c.Warmup + window
		c.Drain = min(sc.Drain, maxDrain)
	case steady && sc.Duration-sc.Warmup > DefaultWindow:
		c.Warmup = min(sc.Warmup, maxWarmup)
		c.Duration = c.Warmup + DefaultWindow
		c.Drain = min(sc.Drain, maxDrain)
		notes = append(notes, fmt.Sprintf("The rate is steady, so each layout runs a window of %s after %s of warmup (the scenario runs %s).",
			DefaultWindow, c.Warmup, sc.Duration))
	default:
		c.Drain = min(sc.Drain, maxDrain)
	}
	if n := len(c.Events); n > 0 {
		c.Events = slices.DeleteFunc(c.Events, func(ev scenarios.Event) bool { return ev.At >= c.Duration })
		if cut := n - len(c.Events); cut > 0 {
			notes = append(notes, fmt.Sprintf("%d event(s) after the plan's window of %s are left out.", cut, c.Duration))
		}
	}
	return &c, notes
}

// reshards says whether ev changes the stream's shard count: with ev the
// only event, the count after it differs from stream.shards.
func reshards(sc *scenarios.Scenario, ev scenarios.Event) bool {
	one := *sc
	one.Events = []scenarios.Event{ev}
	return one.ShardCountAt(ev.At) != sc.Stream.Shards
}

// averageRate is the scenario's mean rate over its whole duration, rate
// events included: what a month of it is billed for.
func averageRate(sc *scenarios.Scenario) float64 {
	if sc.Duration <= 0 {
		return 0
	}
	var n float64
	for i := range sc.Producers {
		n += sc.Offered(i)
	}
	return n / sc.Duration.Seconds()
}

// sizeWorkload samples the workload and fills in the minimum shard counts;
// maxUse is the most of its quota the hottest shard may be offered with
// headroom.
func sizeWorkload(sc *scenarios.Scenario, pw *results.PlanWorkload, maxUse float64) (*model.Workload, error) {
	w, err := model.SampleWorkload(sc, 100_000)
	if err != nil {
		return nil, err
	}
	fill := func() {
		pw.PeakRPS = w.PeakRate()
		pw.MeanRecordBytes = w.MeanRecordBytes()
		pw.PeakBytesPerS = pw.PeakRPS * pw.MeanRecordBytes
		// Aggregates hold fewer records the more shards a producer's
		// records spread over: count the quotas on the shards they need.
		for n, i := 1, 0; i < 8; i++ {
			pw.PeakKinesisRPS, pw.PeakSentBytesPerS = w.Sent(n)
			pw.MinShardsRecords = int(math.Ceil(pw.PeakKinesisRPS / model.ShardWriteRecords))
			pw.MinShardsBytes = int(math.Ceil(pw.PeakSentBytesPerS / model.ShardWriteBytes))
			pw.MinShards = max(pw.MinShardsRecords, pw.MinShardsBytes, 1)
			if pw.MinShards <= n {
				break
			}
			n = pw.MinShards
		}
	}
	fill()
	// About 2,000 sampled records per shard keep a shard's share known to
	// a few percent.
	if n := min(4_000*pw.MinShards, 2_000_000); n > 100_000 {
		if w, err = model.SampleWorkload(sc, n); err != nil {
			return nil, err
		}
		fill()
	}
	pw.DeadlineMS = float64(sc.Deadline) / 1e6
	pw.Keys = keysText(sc)
	pw.HotUseAtMin = HotUse(w, pw.MinShards)
	pw.HotMinShards = hotMinimum(w, pw.MinShards, 1)
	pw.RoomMinShards = hotMinimum(w, max(pw.HotMinShards, pw.MinShards), maxUse)
	return w, nil
}

// HotUse is the hottest of n shards' offered load over its write quota:
// records or bytes, whichever is nearer its limit.
func HotUse(w *model.Workload, n int) float64 {
	hot := 0.0
	for _, s := range w.Offered(n) {
		hot = max(hot, s.RecordsPerS/model.ShardWriteRecords, s.BytesPerS/model.ShardWriteBytes)
	}
	return hot
}

// maxShards bounds the plan's search: AWS's default shard quota per
// account is far lower, and a stream of more is planned with --shards.
const maxShards = 10_000

// hotMinimum is the fewest shards, from from up, whose hottest shard is
// offered at most maxUse of its quota: every count up to 16 above from,
// then steps of an eighth; 0 when none up to maxShards or 8 times from is.
func hotMinimum(w *model.Workload, from int, maxUse float64) int {
	limit := min(maxShards, max(8*from, from+64))
	for n := from; n <= limit; {
		if HotUse(w, n) <= maxUse {
			return n
		}
		if n < from+16 {
			n++
		} else {
			n = max(n+1, n*9/8)
		}
	}
	return 0
}

// Candidates returns the provisioned shard counts a plan tries: the
// average's minimum, the fewest that keep the hottest shard within its
// quota (hotMin) and within it with headroom (roomMin), and a quarter and
// a half more than roomMin. A zero hotMin or roomMin (no count gets there)
// stands for twice the average's minimum.
func Candidates(minShards, hotMin, roomMin int) []int {
	base := max(minShards, 1)
	if hotMin == 0 {
		hotMin = 2 * base
	}
	if roomMin == 0 {
		roomMin = max(hotMin, 2*base)
	}
	cs := []int{base, hotMin, roomMin, roomMin + (roomMin+3)/4, (3*roomMin + 1) / 2}
	slices.Sort(cs)
	cs = slices.Compact(cs)
	return slices.DeleteFunc(cs, func(n int) bool { return n > maxShards })
}

// runAll runs every layout on the model with options mo, at most parallel
// at once. A layout the model cannot run keeps its error; cancelling ctx
// stops them all with ctx's error.
func runAll(ctx context.Context, ls []*layout, mo model.Options, parallel int) error {
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for _, l := range ls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			l.res, l.err = model.Run(ctx, l.sc, mo)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, l := range ls {
		if errors.Is(l.err, model.ErrRefused) {
			return l.err
		}
	}
	return nil
}
