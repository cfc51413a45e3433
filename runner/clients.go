package runner

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/kbench/kbench/targets"
)

// clients are the run's three Kinesis clients.
type clients struct {
	// ctrl makes control-plane calls (stream, shards, events) with the
	// SDK's retries; data carries the producers' and pollers' calls, which
	// kbench retries itself; push holds fan-out subscriptions, without a
	// per-request timeout.
	ctrl, data, push *kinesis.Client
}

// dataClients opens the run's data and push clients, once the stream's
// shards are known: sized for the calls in flight the producers really keep
// (see callsInFlight) and every consumer's shard readers, at the most
// shards the stream has during the run.
func (r *run) dataClients(ctx context.Context, cl *clients) error {
	sc := r.sc
	shards := r.peakShards()
	calls, timeout := 0, 30*time.Second
	for _, p := range sc.Producers {
		calls += callsInFlight(p.Ordering, p.InFlight, shards) * p.Concurrency
		timeout = max(timeout, p.Timeout) // each call has its own
	}
	readers := r.consumerApps() * max(shards, 4)
	var err error
	cl.data, err = r.o.Target.Client(ctx, targets.ClientOptions{
		MaxAttempts: 1,
		MaxConns:    calls + readers + 8,
		Timeout:     timeout,
	})
	if err != nil {
		return targetErr(err)
	}
	// SubscribeToShard streams last up to 5 minutes: a per-request timeout
	// would cut them off, so fan-out readers get a client without one.
	if cl.push, err = r.o.Target.Client(ctx, targets.ClientOptions{MaxAttempts: 1, MaxConns: readers + 8}); err != nil {
		return targetErr(err)
	}
	return nil
}

// callsInFlight is the most PutRecords calls one producer instance keeps in
// flight with the stream at shards open shards: inFlight, except that with
// ordering per_key each shard's lane has one call in flight (inFlight then
// bounds the batches queued per lane).
func callsInFlight(ordering string, inFlight, shards int) int {
	if ordering == OrderingPerKey {
		return shards
	}
	return inFlight
}

// peakShards is the most open shards the stream has during the run: as
// loaded at the start, or as the scenario's shard-count events make it.
func (r *run) peakShards() int { return max(r.shards.Len(), r.sc.PeakShards()) }

// sendSlots is the in-flight slots of the producer instances that send from
// this process (see callsInFlight, at the stream's peak shard count; a
// worker's instances whose schedule another worker sends have none), and
// how many of them schedule records here.
func (r *run) sendSlots(prods []*Producer) (slots, scheduling int) {
	for _, p := range prods {
		if p.cfg.Share.Elsewhere {
			continue
		}
		scheduling++
		slots += callsInFlight(p.cfg.Ordering, p.cfg.InFlight, r.peakShards())
	}
	return slots, scheduling
}
