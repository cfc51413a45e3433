package model

import (
	"context"
	"testing"
	"time"
)

// TestPollOrderAcrossApps: polling applications sharing a shard's 5
// GetRecords calls/s take them in the order they call, whatever their
// order in the scenario. With a 200 ms step, handling a step's calls
// application by application gave the first application every call it
// made and the second all the throttling.
func TestPollOrderAcrossApps(t *testing.T) {
	sc := parse(t, `
name: order
target: {kind: model}
stream: {shards: 1}
duration: 20s
warmup: 2s
drain: 5s
producers:
  - name: payments
    generator: payments
    rate: {profile: constant, rps: 500}
consumers:
  - {name: app, kind: polling, poll_interval: 250ms, count: 2}
`)
	res, err := Run(context.Background(), sc, Options{NoIntervals: true, Samples: 2000, Step: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Summary.Consumers
	a, b := c[0].Throttled, c[1].Throttled
	if a+b == 0 || min(a, b) < (a+b)/4 {
		t.Errorf("throttled calls: %s %d, %s %d: want them shared", c[0].Name, a, c[1].Name, b)
	}
	t.Logf("throttled calls: %d and %d; calls %d and %d", a, b, c[0].Calls, c[1].Calls)
}

// TestReadersStartTogether: every application reads every shard from the
// start, as the collectors do, so polling applications that together read
// more than a shard's 2 MiB/s throttle each other from the first second.
// Three applications polling every second a shard written at 0.9 MiB/s:
// two 12 s simulator runs throttled 26% and 35% of their GetRecords calls;
// readers starting spread over the poll interval throttled 17%.
func TestReadersStartTogether(t *testing.T) {
	sc := parse(t, `
name: bytes
target: {kind: model}
stream: {shards: 1}
duration: 12s
warmup: 3s
drain: 10s
producers:
  - name: blobs
    generator: blob
    options: {bytes: 8000}
    rate: {profile: constant, rps: 115}
    partition_key: random
consumers:
  - {name: app, kind: polling, poll_interval: 1s, count: 3}
`)
	res, err := Run(context.Background(), sc, Options{NoIntervals: true, Samples: 2000})
	if err != nil {
		t.Fatal(err)
	}
	tot := res.Summary.Totals
	r := float64(tot.GetThrottled) / float64(tot.GetRecordsCalls)
	if r < 0.22 || r > 0.40 {
		t.Errorf("%d of %d GetRecords calls throttled (%.3f): want about 0.3, as on the simulator", tot.GetThrottled, tot.GetRecordsCalls, r)
	}
}
