package collectors

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// batch processes one batch of records received at recv (process clock,
// Unix ns), as the application would: it takes a worker when the
// application's workers are limited (the wait for one counts in the
// records' latency), processes the records serially, each consumed at the
// time processing began plus the processing times of the records up to and
// including it, and holds the reader (and the worker) for the batch's whole
// processing time. Then it checkpoints if one is due. It reports false when
// ctx ended first; the records accounted stay accounted.
func (s *sink) batch(ctx context.Context, recv int64, recs []types.Record) bool {
	c := s.c
	if len(recs) == 0 {
		s.checkpoint(c.now())
		return true
	}
	busy := s.proc.enabled()
	if busy && c.workers != nil {
		select {
		case c.workers <- struct{}{}:
			defer func() { <-c.workers }()
		case <-ctx.Done():
			return false
		}
		recv = max(recv, c.now())
	}
	var offset time.Duration
	var n int64 // user records: a packed Kinesis record carries several
	for i := range recs {
		r := &recs[i]
		var arrival int64
		if r.ApproximateArrivalTimestamp != nil {
			arrival = r.ApproximateArrivalTimestamp.UnixNano()
		}
		for _, u := range s.unpack(aws.ToString(r.PartitionKey), r.Data) {
			offset += s.proc.next()
			s.record(recv+int64(offset), u.data, u.key, arrival)
			n++
		}
		if r.SequenceNumber != nil {
			s.last = *r.SequenceNumber
		}
	}
	// The records are at risk from now on: a stop while they are processed
	// reads them again.
	s.pending += n
	c.cfg.App.NoteAtRisk(c.atRisk.Add(n))
	if busy {
		c.cfg.App.ProcessingBusy.Add(int64(offset))
		if c.wait(ctx, offset) != nil {
			return false
		}
	}
	s.checkpoint(c.now())
	return true
}

// checkpoint checkpoints the shard's last processed record at now if
// records were processed since the last checkpoint and one is due: after
// every batch, or once Config.CheckpointInterval has passed since the last.
func (s *sink) checkpoint(now int64) {
	if s.pending == 0 || now-s.lastCheckpoint < int64(s.c.cfg.CheckpointInterval) {
		return
	}
	s.checkpointNow(now)
}

// checkpointNow records a checkpoint at the last processed record: nothing
// before it is at risk any more.
func (s *sink) checkpointNow(now int64) {
	s.c.cfg.App.Checkpoints.Add(1)
	s.c.atRisk.Add(-s.pending)
	s.pending, s.checkpointed, s.lastCheckpoint = 0, s.last, now
	s.c.setCheckpoint(s.id, s.last)
}

// stopped ends the sink of a reader that stopped before its shard's end.
// When a restart stopped it (ctx's cause is errRestart), the records
// processed since the last checkpoint will be read again: they count in
// App.Rewound and are no longer at risk.
func (s *sink) stopped(ctx context.Context) {
	if !errors.Is(context.Cause(ctx), errRestart) || s.pending == 0 {
		return
	}
	s.c.cfg.App.Rewound.Add(s.pending)
	s.c.atRisk.Add(-s.pending)
	s.pending = 0
}

// shardEnd checkpoints what is left when the shard was read to its end, as
// an application must before its children are read.
func (s *sink) shardEnd() {
	if s.pending > 0 {
		s.checkpointNow(s.c.now())
	}
}
