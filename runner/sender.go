package runner

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/metrics"
)

// sender is one of a producer's InFlight goroutines. It owns a batch from the
// moment it takes it off the queue until every record of it is settled:
// acknowledged, given up on, or (after cancel) left unsent.
type sender struct {
	p       *Producer
	ctx     context.Context // the run: cancelled means stop resending
	callCtx context.Context // PutRecords calls: cancelled a grace period later
	bt      *batcher
	in      kinesis.PutRecordsInput
	// call sends a request: the Putter's PutRecords, or a PutRecord chain's
	// call (chain.go).
	call func(ctx context.Context, in *kinesis.PutRecordsInput) (*kinesis.PutRecordsOutput, error)

	put, delivery, lateness *metrics.Recorder
	acked                   *metrics.SeqSet
	givenUp                 *metrics.SeqSet // records failed after their last attempt
	shards                  map[string]*metrics.ShardCounts
	warm                    int64 // records intended before this are not measured
	late                    int64 // first sends later than this after intended count as Late
}

func (p *Producer) newSender(ctx, callCtx context.Context, bt *batcher) *sender {
	m := p.cfg.Metrics
	return &sender{
		p: p, ctx: ctx, callCtx: callCtx, bt: bt, in: p.in,
		call: func(ctx context.Context, in *kinesis.PutRecordsInput) (*kinesis.PutRecordsOutput, error) {
			return p.put.PutRecords(ctx, in)
		},
		put: m.Put.Recorder(), delivery: m.Delivery.Recorder(), lateness: m.Lateness.Recorder(),
		acked: m.AckedSet(p.cfg.ID), givenUp: m.GivenUpSets()[p.cfg.ID],
		shards: map[string]*metrics.ShardCounts{},
		warm:   p.cfg.Start + int64(p.cfg.Warmup),
		late:   int64(p.cfg.Linger + p.cfg.Packing.Linger + lateSlack),
	}
}

// shard returns a shard's counters, cached per sender so the hot path takes
// no lock.
func (s *sender) shard(id string) *metrics.ShardCounts {
	sc := s.shards[id]
	if sc == nil {
		sc = s.p.cfg.Metrics.Shard(id)
		s.shards[id] = sc
	}
	return sc
}

// shardOf is the shard a record routes to, for attributing a throttle.
func (s *sender) shardOf(r *rec) *metrics.ShardCounts {
	if s.p.cfg.ShardOf == nil {
		return s.shard("unknown")
	}
	return s.shard(s.p.cfg.ShardOf(r.pk, r.ehk))
}

// send settles every record of b, resending failed ones with backoff, and
// recycles b.
func (s *sender) send(b *batch) {
	m := s.p.cfg.Metrics
	pol := s.p.cfg.Retry
	m.Busy.Add(envelope.Now(), 1)
	defer func() { m.Busy.Add(envelope.Now(), -1) }()
	for i := range b.recs {
		b.pending = append(b.pending, int32(i))
	}
	for attempt := 0; len(b.pending) > 0; attempt++ {
		if s.ctx.Err() != nil {
			break
		}
		if attempt > 0 {
			if s.p.backoff(s.ctx, pol.Backoff(attempt)) != nil {
				break
			}
			m.Retried.Add(int64(len(b.pending)))
		}
		if !s.attempt(b, attempt+1 >= pol.MaxAttempts) {
			break
		}
	}
	var never int64 // of the unsettled user records, those never sent at all
	for _, i := range b.pending {
		if b.recs[i].sent == 0 {
			never += int64(max(b.recs[i].users, 1))
		}
	}
	s.p.unsent(s.ctx, b.userCount(b.pending), never)
	s.bt.recycle(b)
}

// attempt sends b's pending records once and settles what it can: acked
// records, and on the last attempt failed ones. It leaves the records to
// resend in b.pending, and returns false if the call was cut off by the end
// of the grace period (the pending records are then unsettled).
func (s *sender) attempt(b *batch, last bool) bool {
	m := s.p.cfg.Metrics
	sent := envelope.Now()
	var late int64
	b.entries = b.entries[:0]
	for _, i := range b.pending {
		r := &b.recs[i]
		if r.users == 0 { // a packed record's users were stamped when packed
			s.p.stamp.stampSent(b.buf[r.off:r.end], sent)
		}
		if r.sent == 0 { // first time out: lateness is measured once
			r.sent = sent
			late += s.firstSend(b, r, sent)
		}
		e := types.PutRecordsRequestEntry{Data: b.buf[r.off:r.end], PartitionKey: &r.pk}
		if r.ehk != "" {
			e.ExplicitHashKey = &r.ehk
		}
		b.entries = append(b.entries, e)
	}
	if late > 0 {
		m.Late.Add(late)
	}
	s.in.Records = b.entries
	m.InFlight.Add(1)
	callCtx, cancel := s.callCtx, context.CancelFunc(func() {})
	if d := s.p.cfg.CallTimeout; d > 0 {
		callCtx, cancel = context.WithTimeout(s.callCtx, d)
	}
	out, err := s.call(callCtx, &s.in)
	cancel()
	m.InFlight.Add(-1)
	ack := envelope.Now()
	m.Calls.Add(1)
	if err != nil && s.callCtx.Err() != nil { // cut off after the grace period
		m.CallErrors.Add(1)
		return false
	}
	if b.recs[0].intended >= s.warm {
		s.put.Record(time.Duration(ack - sent))
	}
	if err == nil && (out == nil || len(out.Records) != len(b.pending)) {
		err = errBadResponse
	}
	if err != nil {
		m.CallErrors.Add(1)
		reason, throttled := classify(err)
		if throttled {
			m.Throttled.Add(int64(len(b.pending)))
			s.p.tot.Throttled.Add(int64(len(b.pending)))
		} else {
			m.NoteCallFailure(err)
		}
		if throttled {
			for _, i := range b.pending {
				s.shardOf(&b.recs[i]).Throttled.Add(1)
			}
		}
		if last {
			m.AddFailed(reason, b.userCount(b.pending))
			s.p.tot.Failed.Add(b.userCount(b.pending))
			for _, i := range b.pending {
				giveUp(s.givenUp, b, &b.recs[i])
			}
			b.pending = b.pending[:0]
		}
		return true
	}
	s.settle(b, out.Records, ack, last)
	return true
}

// settle books the per-record results of a PutRecords answer, in request
// order, and keeps the failed records in b.pending unless this was the last
// attempt.
func (s *sender) settle(b *batch, results []types.PutRecordsResultEntry, ack int64, last bool) {
	m := s.p.cfg.Metrics
	var acked, kinesis, bytes, throttled int64
	var run *metrics.ShardCounts // consecutive acks to one shard are added at once
	var runRecs, runKinesis, runBytes int64
	next := b.pending[:0] // filtered in place: next never overtakes the read
	for k, res := range results {
		i := b.pending[k]
		r := &b.recs[i]
		if res.ErrorCode != nil && *res.ErrorCode != "" {
			if *res.ErrorCode == codeThroughput {
				throttled++
				s.shardOf(r).Throttled.Add(1)
			}
			if last {
				m.AddFailed(*res.ErrorCode, int64(max(r.users, 1)))
				s.p.tot.Failed.Add(int64(max(r.users, 1)))
				giveUp(s.givenUp, b, r)
			} else {
				next = append(next, i)
			}
			continue
		}
		size := int64(r.size())
		users := s.ackUsers(b, r, ack)
		acked += users
		kinesis++
		bytes += size
		id := "unknown"
		if res.ShardId != nil {
			id = *res.ShardId
		}
		if sc := s.shard(id); sc != run {
			if run != nil {
				run.Records.Add(runRecs)
				run.KinesisRecords.Add(runKinesis)
				run.Bytes.Add(runBytes)
				run.NoteWrite(ack)
			}
			run, runRecs, runKinesis, runBytes = sc, 0, 0, 0
		}
		runRecs += users
		runKinesis++
		runBytes += size
	}
	if run != nil {
		run.Records.Add(runRecs)
		run.KinesisRecords.Add(runKinesis)
		run.Bytes.Add(runBytes)
		run.NoteWrite(ack)
	}
	b.pending = next
	m.Acked.Add(acked)
	m.KinesisRecords.Add(kinesis)
	m.ProducedBytes.Add(bytes)
	m.Throttled.Add(throttled)
	s.p.tot.Acked.Add(acked)
	s.p.tot.Throttled.Add(throttled)
}

// giveUp marks the user records of r, a record of b, in set: a plain
// record's own sequence number, or those of the records it packs.
func giveUp(set *metrics.SeqSet, b *batch, r *rec) {
	ms := b.users(r)
	if ms == nil {
		set.Add(r.seq)
		return
	}
	for _, u := range ms {
		set.Add(u.seq)
	}
}
