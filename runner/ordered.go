package runner

import (
	"context"
	"sync"
	"time"

	"github.com/kbench/kbench/envelope"
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
	// per key; each shard has one PutRecords call in flight, and the failed
	// records of a batch are resent until settled before the shard's next
	// batch goes out. InFlight then bounds the batches waiting per shard.
	OrderingPerKey = "per_key"
)

// lane is one shard's ordered flow: its batcher and the queue its one
// sender drains, a batch at a time.
type lane struct {
	bt    *batcher
	queue chan *batch
}

// scheduleOrdered is schedule for OrderingPerKey: the same open-model loop,
// but each record goes to its shard's lane, whose sender goroutine (started
// in wg on the lane's first record) sends one batch at a time. It returns
// after closing every lane's queue; the caller waits for wg.
func (p *Producer) scheduleOrdered(ctx, callCtx context.Context, wg *sync.WaitGroup) {
	c := &p.cfg
	m := c.Metrics
	env := envelope.Envelope{RunID: c.RunID, ProducerID: c.ID}
	lanes := map[string]*lane{}
	defer m.SetDue(c.ID, 0)
	defer func() {
		for _, l := range lanes { // on cancel: what open batches hold was never sent
			if b := l.bt.take(); b != nil {
				p.unsent(ctx, int64(len(b.recs)), int64(len(b.recs)))
			}
			close(l.queue)
		}
	}()
	laneOf := func(pk, ehk string) *lane {
		id := "unknown"
		if c.ShardOf != nil {
			id = c.ShardOf(pk, ehk)
		}
		l := lanes[id]
		if l == nil {
			bt := newBatcher(c.MaxRecords, c.MaxBytes, int64(c.Linger), c.InFlight+2)
			bt.distinct = true
			l = &lane{bt: bt, queue: make(chan *batch, c.InFlight)}
			s, q := p.newSender(ctx, callCtx, bt), l.queue
			wg.Go(func() {
				for b := range q {
					s.send(b)
				}
			})
			lanes[id] = l
		}
		return l
	}
	var now int64
	flush := func(l *lane, b *batch) bool {
		if b == nil {
			return true
		}
		select {
		case l.queue <- b:
			now = envelope.Now()
			return true
		case <-ctx.Done():
			p.unsent(ctx, int64(len(b.recs)), int64(len(b.recs)))
			l.bt.recycle(b)
			return false
		}
	}
	// lingered hands over every batch whose linger ended and returns the
	// earliest linger end still ahead; alive is false when cancelled.
	lingered := func() (next int64, ok, alive bool) {
		for _, l := range lanes {
			dl, has := l.bt.deadline()
			if has && dl <= now {
				if !flush(l, l.bt.take()) {
					return 0, false, false
				}
				continue
			}
			if has && (!ok || dl < next) {
				next, ok = dl, true
			}
		}
		return next, ok, true
	}

	var scratch []byte
	now = envelope.Now()
	for n := uint64(0); ; n++ {
		off, ok := c.Pacer.Due(n)
		if !ok || off >= c.Duration {
			break
		}
		due := c.Start + int64(off)
		m.SetDue(c.ID, due)
		if due > now {
			now = envelope.Now()
		}
		for due > now {
			next, has, alive := lingered()
			if !alive {
				p.notGenerated(ctx, n, off, true)
				return
			}
			wake := due
			if has {
				wake = min(wake, next)
			}
			if p.sleep(ctx, time.Duration(wake-now)) != nil {
				p.notGenerated(ctx, n, off, true)
				return
			}
			now = envelope.Now()
		}
		if n%64 == 0 && ctx.Err() != nil {
			p.notGenerated(ctx, n, off, true)
			return
		}

		env.Seq, env.Intended = n, due
		scratch = env.Append(scratch[:0])
		var entity string
		scratch, entity = c.Generator.Next(scratch, due)
		pk, ehk := c.Keys.Key(entity)
		m.Produced.Add(1)
		p.tot.Produced.Add(1)
		if off >= c.Warmup {
			m.CountScheduled(c.ID)
		}
		l := laneOf(pk, ehk)
		b := l.bt.open()
		start := len(b.buf)
		b.buf = append(b.buf, scratch...)
		spill, reject := l.bt.commit(start, n, due, now, pk, ehk)
		if reject != "" {
			m.AddFailed(reject, 1)
			p.tot.Failed.Add(1)
			continue
		}
		if !flush(l, spill) || l.bt.full() && !flush(l, l.bt.take()) {
			off, ok := c.Pacer.Due(n + 1)
			p.notGenerated(ctx, n+1, off, ok)
			return
		}
	}
	for _, l := range lanes {
		if !flush(l, l.bt.take()) {
			return
		}
	}
}
