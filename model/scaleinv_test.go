package model

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/results"
)

// perShard is a workload whose every shard carries the same load whatever
// the shard count: 500 payments/s a shard from one producer instance per 4
// shards (each at 2,000 records/s, its batches closed by their 50 ms
// linger), random keys, one consumer application.
const perShard = `
name: per-shard
target: {kind: model, sim: {latency: %s}}
stream: {shards: %d}
duration: 60s
warmup: 5s
drain: 10s
deadline: 1s
producers:
  - name: payments
    generator: payments
    rate: {profile: constant, rps: %d}
    partition_key: random
    concurrency: %d
    batch: {max_records: 500, linger: 50ms}
consumers:
  - %s
`

// Bounds of TestScaleInvariance: how far apart the latency percentiles of
// the same per-shard load on 4 and on many shards may be (relative, with
// floorMS absolute below which any difference passes). e2e is held
// tighter than its parts, whose tails come from fewer draws on many
// shards (the put delay is drawn once a step, 5 times a second on 1,000
// shards).
const (
	boundE2E   = 0.04
	boundParts = 0.08
	floorMS    = 1.0
)

// TestScaleInvariance: the same per-shard load on 4 shards and on 256,
// 512 and 1,000 gives the same latency distributions, though the model
// takes a step 50 to 200 times as long on many shards and records each
// cohort at fewer points.
func TestScaleInvariance(t *testing.T) {
	consumers := []struct{ name, spec string }{
		{"polling 250ms", "{name: reader, kind: polling, poll_interval: 250ms}"},
		{"polling 1s", "{name: reader, kind: polling, poll_interval: 1s}"},
		{"fan-out", "{name: pusher, kind: fanout}"},
	}
	hists := []struct {
		name  string
		bound float64
	}{
		{metrics.LatE2E, boundE2E}, {metrics.LatE2EUncorrected, boundParts}, {metrics.LatArrivalToConsumed, boundParts},
		{metrics.LatPut, boundParts}, {metrics.LatDelivery, boundParts}, {metrics.LatSendToArrival, boundParts},
	}
	for _, prof := range []string{"none", "aws"} {
		for _, c := range consumers {
			t.Run(prof+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				base := runPerShard(t, prof, c.spec, 4)
				for _, shards := range []int{256, 512, 1000} {
					s := runPerShard(t, prof, c.spec, shards)
					worst, what := 0.0, "nothing over 1 ms"
					for _, h := range hists {
						b, g := base.Latency[h.name], s.Latency[h.name]
						for _, q := range []struct {
							name      string
							want, got float64
						}{{"p50", b.P50, g.P50}, {"p99", b.P99, g.P99}} {
							d := math.Abs(q.got - q.want)
							if d > floorMS && d/q.want > worst {
								worst, what = d/q.want, h.name+" "+q.name
							}
							if d > floorMS && d > h.bound*q.want {
								t.Errorf("%d shards (step %v ms): %s %s %.1f ms, on 4 shards %.1f ms: %.1f%% apart, bound %.0f%%",
									shards, s.Target.Model.StepMS, h.name, q.name, q.got, q.want, 100*d/q.want, 100*h.bound)
							}
						}
					}
					t.Logf("%d shards (step %v ms): e2e p50 %.1f ms (%.1f on 4 shards), p99 %.1f ms (%.1f); furthest apart: %s, %.1f%%",
						shards, s.Target.Model.StepMS, s.Latency[metrics.LatE2E].P50, base.Latency[metrics.LatE2E].P50,
						s.Latency[metrics.LatE2E].P99, base.Latency[metrics.LatE2E].P99, what, 100*worst)
				}
			})
		}
	}
}

// runPerShard runs perShard on shards shards with latency profile prof and
// the consumer application consumer.
func runPerShard(t *testing.T, prof, consumer string, shards int) *results.Summary {
	t.Helper()
	sc := parse(t, fmt.Sprintf(perShard, prof, shards, 500*shards, shards/4, consumer))
	// The fewest records Run would draw: the keys' spread over the shards
	// is not what this test is about.
	res, err := Run(context.Background(), sc, Options{NoIntervals: true, Samples: 100_000})
	if err != nil {
		t.Fatal(err)
	}
	return res.Summary
}
