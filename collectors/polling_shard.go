package collectors

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// noSDKRetry makes the SDK try a data-plane call once: the collector retries
// itself, so that throttling is counted instead of hidden inside SDK retries.
func noSDKRetry(o *kinesis.Options) { o.RetryMaxAttempts = 1 }

// shardReader is one shard's polling loop state. It belongs to one goroutine.
type shardReader struct {
	p  *Polling
	id string
	// sink accounts for and processes the records read; its last is the
	// sequence number of the last record read, "" if none.
	sink *sink
	// throttle and transient are the backoffs of the two kinds of retries.
	throttle, transient backoff
}

// readShard polls shard id until it is read to its end or ctx ends.
func (p *Polling) readShard(ctx context.Context, id string) ([]types.ChildShard, bool) {
	r := &shardReader{
		p:         p,
		id:        id,
		sink:      p.newSink(id),
		throttle:  backoff{base: throttleBase, cap: backoffCap},
		transient: backoff{base: transientBase, cap: backoffCap},
	}
	children, closed := r.run(ctx)
	if !closed {
		r.sink.stopped(ctx)
	}
	return children, closed
}

// run polls until the shard is closed and read (closed is true, with the
// children GetRecords named) or ctx ends.
func (r *shardReader) run(ctx context.Context) (children []types.ChildShard, closed bool) {
	p := r.p
	iter, ok := r.iterator(ctx)
	if !ok || iter == "" {
		return nil, ok
	}
	for {
		start := time.Now()
		out, err := p.r.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: &iter, Limit: &p.cfg.Limit}, noSDKRetry)
		if err != nil {
			kind := classify(ctx, err)
			if kind == errCanceled {
				return nil, false
			}
			p.countGetRecords(kind == errThrottled)
			if !r.recover(ctx, kind, err) {
				return nil, false
			}
			if kind != errThrottled && kind != errTransient {
				if iter, ok = r.iterator(ctx); !ok || iter == "" {
					return nil, ok
				}
			}
			continue
		}
		recv := p.now()
		p.countGetRecords(false)
		r.throttle.reset()
		r.transient.reset()
		behind := aws.ToInt64(out.MillisBehindLatest)
		if out.MillisBehindLatest != nil {
			p.setLag(r.id, behind)
		}
		if !r.sink.batch(ctx, recv, out.Records) {
			return nil, false
		}
		if out.NextShardIterator == nil || *out.NextShardIterator == "" {
			r.sink.shardEnd()
			return out.ChildShards, true
		}
		iter = *out.NextShardIterator
		gap := p.cfg.PollInterval
		if len(out.Records) > 0 && behind > 0 {
			gap = min(gap, catchUpGap)
		}
		// The gap counts from the call's start, so processing a batch that
		// took longer than the poll interval delays the next call.
		if p.wait(ctx, gap-time.Since(start)) != nil {
			return nil, false
		}
	}
}

// countGetRecords counts one GetRecords call, and whether it was throttled,
// in the live counters, the application's and the run's metrics.
func (p *Polling) countGetRecords(throttled bool) {
	p.countCall(throttled)
	p.cfg.Metrics.GetRecordsCalls.Add(1)
	if throttled {
		p.cfg.Metrics.GetThrottled.Add(1)
	}
}

// recover logs a failed call and waits out its backoff. It reports false
// when ctx ended while waiting.
func (r *shardReader) recover(ctx context.Context, kind errKind, err error) bool {
	var d time.Duration
	switch kind {
	case errExpired:
		return true // a new iterator right away; nothing to wait for
	case errThrottled:
		d = r.throttle.step()
	default:
		d = r.transient.step()
		r.p.cfg.Log("collector %s: shard %s: %v (retrying in %v)", r.p.cfg.Name, r.id, err, d.Round(time.Millisecond))
	}
	return r.p.wait(ctx, d) == nil
}

// iterator returns a new shard iterator: after the last record read, or at
// the configured start when none was read yet, so that nothing is skipped or
// read twice. It retries while ctx lives; ok is false when ctx ended. An
// empty iterator means the shard is closed and has nothing left to read.
func (r *shardReader) iterator(ctx context.Context) (iter string, ok bool) {
	p := r.p
	in := &kinesis.GetShardIteratorInput{StreamName: &p.cfg.Stream, ShardId: &r.id}
	switch {
	case r.sink.last != "":
		in.ShardIteratorType = types.ShardIteratorTypeAfterSequenceNumber
		in.StartingSequenceNumber = &r.sink.last
	case !p.cfg.StartAt.IsZero():
		in.ShardIteratorType = types.ShardIteratorTypeAtTimestamp
		in.Timestamp = &p.cfg.StartAt
	default:
		in.ShardIteratorType = types.ShardIteratorTypeTrimHorizon
	}
	for {
		out, err := p.r.GetShardIterator(ctx, in, noSDKRetry)
		if err == nil {
			r.transient.reset()
			return aws.ToString(out.ShardIterator), true
		}
		kind := classify(ctx, err)
		if kind == errCanceled {
			return "", false
		}
		if kind == errExpired {
			kind = errTransient // not an iterator error here; retry like any other
		}
		if !r.recover(ctx, kind, err) {
			return "", false
		}
	}
}
