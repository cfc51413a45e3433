package runner

import (
	"context"
	"sync"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/metrics"
)

// Orderings of a producer's records (ProducerConfig.Ordering).
const (
	// OrderingNone sends batches InFlight at a time and resends failed
	// records with their batch: a resent record may be accepted after
	// later records of its partition key, so consumers see it out of order.
	OrderingNone = "none"
	// OrderingPerKey never lets a later record of a partition key be
	// accepted before an earlier one. Records go into per-shard batches
	// (by the shard map ShardOf routes with) that hold at most one record
	// per key, or one aggregate; each shard has one PutRecords call in
	// flight, and the failed records of a batch are resent until settled
	// before the shard's next batch goes out. InFlight then bounds the
	// batches waiting per shard. See lanes.
	OrderingPerKey = "per_key"
)

// lane is a flow of batches: its batcher and the queue its senders drain.
type lane struct {
	bt    *batcher
	queue chan *batch
}

// lanes routes a producer's Kinesis records to lanes. With OrderingNone
// there is one lane, drained by InFlight senders. With OrderingPerKey each
// shard (by the shard map ShardOf routes with) has its own lane, started on
// its first record, whose one sender sends a batch at a time and settles it
// before taking the next; its batcher keeps partition keys distinct, and
// when records are aggregated a batch holds one Kinesis record (an
// aggregate carries many keys: two in one call could be split by a partial
// failure). Lanes belong to the scheduling goroutine.
type lanes struct {
	p            *Producer
	ctx, callCtx context.Context
	wg           *sync.WaitGroup
	one          *lane            // OrderingNone; OrderingPerKeyChain's batcher
	byShard      map[string]*lane // OrderingPerKey
	chains       *chains          // OrderingPerKeyChain
	list         []*lane          // every lane started
}

func (p *Producer) newLanes(ctx, callCtx context.Context, wg *sync.WaitGroup) *lanes {
	ls := &lanes{p: p, ctx: ctx, callCtx: callCtx, wg: wg}
	c := &p.cfg
	switch c.Ordering {
	case OrderingPerKey:
		ls.byShard = map[string]*lane{}
		return ls
	case OrderingPerKeyChain:
		ls.startChains()
		ls.one = &lane{bt: ls.chains.bt}
		ls.list = []*lane{ls.one}
		return ls
	}
	n := c.InFlight
	ls.one = &lane{bt: newBatcher(c.MaxRecords, c.MaxBytes, int64(c.Linger), 2*n+2), queue: make(chan *batch, n)}
	for range n {
		ls.start(ls.one)
	}
	ls.list = []*lane{ls.one}
	return ls
}

// start starts a sender draining l's queue.
func (ls *lanes) start(l *lane) {
	s, q := ls.p.newSender(ls.ctx, ls.callCtx, l.bt), l.queue
	ls.wg.Go(func() {
		for b := range q {
			s.send(b)
		}
	})
}

// of returns the lane of a Kinesis record with partition key pk and
// explicit hash key ehk.
func (ls *lanes) of(pk, ehk string) *lane {
	if ls.one != nil {
		return ls.one
	}
	c := &ls.p.cfg
	id := "unknown"
	if c.ShardOf != nil {
		id = c.ShardOf(pk, ehk)
	}
	l := ls.byShard[id]
	if l == nil {
		most := c.MaxRecords
		if c.Packing.Aggregate {
			most = 1
		}
		bt := newBatcher(most, c.MaxBytes, int64(c.Linger), c.InFlight+2)
		bt.distinct = true
		l = &lane{bt: bt, queue: make(chan *batch, c.InFlight)}
		ls.start(l)
		ls.byShard[id] = l
		ls.list = append(ls.list, l)
	}
	return l
}

// batcherOf is of's batcher.
func (ls *lanes) batcherOf(pk, ehk string) *batcher { return ls.of(pk, ehk).bt }

// hand gives l's senders b; it blocks while they are busy (a wait counted
// in Metrics.Waiting) and returns false when ctx is done first.
func (ls *lanes) hand(ctx context.Context, l *lane, b *batch) bool {
	if ls.chains != nil {
		return ls.chains.add(ctx, b, &ls.p.cfg.Metrics.Waiting)
	}
	return sendWaiting(ctx, l.queue, b, &ls.p.cfg.Metrics.Waiting)
}

// sendWaiting sends v on ch; when ch is full it blocks, counted in waiting
// (the producers' wait for their senders, a bottleneck's evidence), and
// returns false when ctx is done first.
func sendWaiting[T any](ctx context.Context, ch chan<- T, v T, waiting *metrics.TimeGauge) bool {
	select {
	case ch <- v:
		return true
	default:
	}
	waiting.Add(envelope.Now(), 1)
	defer func() { waiting.Add(envelope.Now(), -1) }()
	select {
	case ch <- v:
		return true
	case <-ctx.Done():
		return false
	}
}

// all returns every lane started.
func (ls *lanes) all() []*lane { return ls.list }

// close closes every lane's queue: the senders finish what is queued and
// return.
func (ls *lanes) close() {
	if ls.chains != nil {
		ls.chains.close()
		return
	}
	for _, l := range ls.all() {
		close(l.queue)
	}
}
