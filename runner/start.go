package runner

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/kbench/kbench/collectors"
	"github.com/kbench/kbench/generators"
	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/scenarios"
)

// startCollectors starts every consumer application: polling ones read
// through poll, fan-out ones through push.
func (r *run) startCollectors(ctx context.Context, poll, push *kinesis.Client, start int64, wg *sync.WaitGroup, errc chan<- error) error {
	sc := r.sc
	var startAt time.Time
	if !r.created && !r.joined {
		startAt = time.Unix(0, start).Add(-time.Second)
	}
	measureEnd := start + int64(sc.Duration)
	deadlines := make([]time.Duration, len(r.specOf))
	for id, spec := range r.specOf {
		deadlines[id] = sc.ProducerDeadline(spec)
	}
	primary := true
	for i, cs := range sc.Consumers {
		for k := 0; k < cs.Count; k++ {
			name := cs.Name
			if cs.Count > 1 {
				name = fmt.Sprintf("%s-%d", cs.Name, k)
			}
			t := collectors.NewTracker(r.producers).SkipGivenUp(r.m)
			app := metrics.NewApp(name)
			cfg := collectors.Config{
				Name: name, Stream: sc.Stream.Name, RunID: r.runID,
				PollInterval: cs.PollInterval, Limit: int32(cs.Limit), StartAt: startAt,
				WarmupEnd: start + int64(sc.Warmup), MeasureEnd: measureEnd,
				Deadlines: deadlines, // resolved by ProducerDeadline, for every producer
				Processing: collectors.Processing{
					Fixed: cs.Processing.Fixed, Median: cs.Processing.Median, P99: cs.Processing.P99,
					Seed: int64(i)<<16 + int64(k),
				},
				Concurrency: cs.Concurrency, CheckpointInterval: cs.CheckpointInterval,
				Primary: primary, Metrics: r.m, Tracker: t, App: app,
				Inputs: r.correlation().Inputs, InputField: r.sc.CorrelateInput(),
				KeepConsumer: r.o.Worker != nil, Owns: r.owns(), Split: r.splits(),
				Log: func(format string, args ...any) { r.logf(format, args...) },
			}
			primary = false
			kind, ok := collectors.Kinds.Lookup(cs.Kind)
			if !ok {
				return fmt.Errorf("consumers[%d] %s: unknown consumer kind %q", i, name, cs.Kind)
			}
			c, err := kind.New(cfg, push, poll)
			if err != nil {
				return fmt.Errorf("consumers[%d] %s: %w", i, name, err)
			}
			r.trackers = append(r.trackers, t)
			r.pollers = append(r.pollers, c)
			r.apps = append(r.apps, app)
			r.consumers = append(r.consumers, results.ConsumerStats{Name: name, Kind: cs.Kind, Primary: cfg.Primary})
			r.appSpec = append(r.appSpec, i)
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := c.Run(ctx); err != nil && ctx.Err() == nil {
					errc <- targetErr(fmt.Errorf("consumer %s: %w", name, err))
				}
			}()
		}
	}
	return nil
}

// buildProducers makes every producer instance, and the summed target rate
// of all of them as a function of elapsed time, from pacers of their own.
func (r *run) buildProducers(c *kinesis.Client, start int64) ([]*Producer, func(time.Duration) float64, error) {
	sc := r.sc
	var prods []*Producer
	var ratePacers []generators.Pacer
	var rateShare []float64 // the part of each rate pacer this process sends
	id := uint32(0)
	for i, ps := range sc.Producers {
		for k := 0; k < ps.Concurrency; k++ {
			share := r.o.Worker.instanceShare(ps.Concurrency, k)
			seed := ps.Seed*1000003 + int64(k)
			if !share.Whole() && !share.Elsewhere {
				seed += r.o.Worker.seedOffset()
			}
			gen, err := generators.New(ps.Options, seed)
			if err != nil {
				return nil, nil, fmt.Errorf("producers[%d].options: %w", i, err)
			}
			if d, ok := gen.(generators.Divisible); ok { // the instances share a replayed file
				d.Divide(k, ps.Concurrency)
			}
			pacer, ratePacer, err := instancePacers(sc, i, k, gen)
			if err != nil {
				return nil, nil, err
			}
			if err := checkShare(share, gen, i); err != nil {
				return nil, nil, err
			}
			ratePacers = append(ratePacers, ratePacer)
			rateShare = append(rateShare, share.part())
			keys, err := generators.NewKeyStrategy(ps.PartitionKey, generators.KeyConfig{
				Shards: max(r.shards.Len(), 1), Seed: seed, HotKeys: ps.Keys.HotKeys, Skew: ps.Keys.Skew, Fixed: ps.Keys.Fixed,
			})
			if err != nil {
				return nil, nil, fmt.Errorf("producers[%d].partition_key: %w", i, err)
			}
			p, err := NewProducer(ProducerConfig{
				ID: id, RunID: r.runID, Stream: sc.Stream.Name,
				Generator: gen, Keys: keys, Pacer: pacer,
				Start: start, Duration: sc.Duration, Warmup: sc.Warmup, MaxOverrun: sc.MaxOverrun,
				MaxRecords: ps.Batch.MaxRecords, MaxBytes: ps.Batch.MaxBytes, Linger: ps.Batch.Linger,
				InFlight: ps.InFlight, Ordering: ps.Ordering, CallTimeout: ps.Timeout,
				Retry:    RetryPolicy{MaxAttempts: ps.Retry.MaxAttempts, Base: ps.Retry.Base, Cap: ps.Retry.Cap},
				ShardOf:  r.shards.Shard,
				Packing:  packingOf(&sc.Producers[i]),
				Metrics:  r.m,
				Envelope: ps.Envelope, Correlation: r.correlation(),
				Share: share,
				cost:  r.o.generateCost,
			}, c)
			if err != nil {
				return nil, nil, fmt.Errorf("producers[%d]: %w", i, err)
			}
			prods = append(prods, p)
			id++
		}
	}
	rate := func(elapsed time.Duration) float64 {
		var sum float64
		for i, p := range ratePacers {
			sum += p.Rate(elapsed) * rateShare[i]
		}
		return sum
	}
	return prods, rate, nil
}

// instancePacers returns the pacer of instance k of producers[i], and a
// second one for the target-rate line (Poisson pacers keep state, and the
// producer's is busy in another goroutine). A generator that paces itself
// (a replay with pace: recorded) gives both: its Rate is safe to call
// beside Due.
func instancePacers(sc *scenarios.Scenario, i, k int, gen generators.Generator) (generators.Pacer, generators.Pacer, error) {
	if pg, ok := gen.(generators.Paced); ok {
		if p := pg.Pacer(); p != nil {
			return p, p, nil
		}
	}
	pacer, err := sc.InstancePacer(i, k)
	if err != nil {
		return nil, nil, fmt.Errorf("producers[%d].rate: %w", i, err)
	}
	ratePacer, _ := sc.InstancePacer(i, k)
	return pacer, ratePacer, nil
}

// checkShare refuses to split a finite generator (a replayed file) record
// by record among workers: each worker would replay the file from its
// start, not its share of it. Whole instances split fine.
func checkShare(share Share, gen generators.Generator, i int) error {
	if share.Whole() || share.Elsewhere {
		return nil
	}
	if _, ok := gen.(generators.Finite); ok {
		return fmt.Errorf("producers[%d]: a replayed file is split among workers by whole instances only: give the producer a concurrency that is a multiple of the worker count", i)
	}
	return nil
}
