package model

import (
	"context"
	"fmt"
	"testing"
)

// TestOnDemandWarm: 20,000 records/s into a new (cold) on-demand stream
// throttle until its capacity has grown from 4,000 records/s; into a warm
// one whose previous peak was that rate, nothing throttles, over the 40
// shards twice the peak takes.
func TestOnDemandWarm(t *testing.T) {
	const workload = `
name: od
target: {kind: model%s}
stream: {mode: on-demand}
duration: 10s
warmup: 0s
drain: 5s
producers:
  - name: payments
    generator: payments
    rate: {profile: constant, rps: 20000}
    concurrency: 4
    partition_key: random
consumers:
  - {name: reader, kind: fanout}
`
	run := func(sim string) *Result {
		t.Helper()
		res, err := Run(context.Background(), parse(t, fmt.Sprintf(workload, sim)), Options{NoIntervals: true, Samples: 20000})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	cold := run("")
	if r := cold.Summary.ThrottleRatio; r < 0.05 {
		t.Errorf("cold: throttle ratio %.3f; a new on-demand stream takes 4,000 records/s at first", r)
	}
	if n := len(cold.Summary.PerShard); n != 4 {
		t.Errorf("cold: %d shards, want 4", n)
	}
	warm := run(", sim: {on_demand_peak_records: 20000, on_demand_peak_bytes: 5242880}")
	s := warm.Summary
	if s.ThrottleRatio != 0 || s.Totals.Acked != s.Totals.Scheduled {
		t.Errorf("warm: throttle ratio %.3f, %d of %d acknowledged", s.ThrottleRatio, s.Totals.Acked, s.Totals.Scheduled)
	}
	if n := len(s.PerShard); n != 40 {
		t.Errorf("warm: %d shards, want 40 (40,000 records/s at 1,000 a shard)", n)
	}
}
