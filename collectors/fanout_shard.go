package collectors

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/schemas"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
)

// ownCodec gives one SubscribeToShard call a protocol of its own. The SDK's
// protocol keeps event-stream decoding state that every stream of a client
// shares without a lock, a data race between concurrent subscriptions
// (aws/smithy-go#714, seen with smithy-go v1.28.9); a fresh one per call
// avoids it.
func ownCodec(o *kinesis.Options) { o.Protocol = awsjson.New11(schemas.Kinesis_20131202) }

// readShard keeps shard id subscribed until it is read to its end or ctx
// ends. Each subscription starts after the last ContinuationSequenceNumber
// seen (or at the configured start, or after a restart at the shard's
// checkpoint), so nothing is skipped or read twice.
func (f *FanOut) readShard(ctx context.Context, consumerARN, id string) ([]types.ChildShard, bool) {
	s := f.newSink(id)
	defer s.stopped(ctx)
	start := &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}
	switch {
	case s.last != "": // after a restart: on from the checkpoint
		start = &types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: &s.last}
	case !f.cfg.StartAt.IsZero():
		start = &types.StartingPosition{Type: types.ShardIteratorTypeAtTimestamp, Timestamp: &f.cfg.StartAt}
	}
	throttle := backoff{base: throttleBase, cap: backoffCap}
	transient := backoff{base: transientBase, cap: backoffCap}
	for {
		called := time.Now()
		out, err := f.c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
			ConsumerARN: &consumerARN, ShardId: &id, StartingPosition: start,
		}, noSDKRetry, ownCodec)
		var d time.Duration
		if err != nil {
			kind := classify(ctx, err)
			if kind == errCanceled {
				return nil, false
			}
			f.countCall(kind == errThrottled)
			if !f.subscribed.Load() && unsupported(err) {
				// No subscription ever worked and this one failed in a way
				// that retrying will not fix: stop the whole collector.
				f.fail(&unsupportedError{op: "subscribe to shard " + id, err: err})
				return nil, false
			}
			if kind == errThrottled || errorCode(err) == "ResourceInUseException" {
				d = throttle.step() // too soon after the last subscription: at least a second
			} else {
				d = transient.step()
			}
			f.cfg.Log("collector %s: subscribe to shard %s: %v (retrying in %v)", f.cfg.Name, id, err, d.Round(time.Millisecond))
		} else {
			f.countCall(false)
			throttle.reset()
			f.subscribed.Store(true)
			res := f.consume(ctx, out.GetStream(), id, s)
			if res.closed {
				s.shardEnd()
				return res.children, true
			}
			if res.continuation != "" {
				start = &types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: &res.continuation}
			}
			if res.err != nil && ctx.Err() == nil {
				d = transient.step()
				f.cfg.Log("collector %s: subscription to shard %s: %v (resubscribing in %v)", f.cfg.Name, id, res.err, d.Round(time.Millisecond))
			} else {
				transient.reset()
			}
		}
		d = max(d, resubscribeGap-time.Since(called))
		if f.wait(ctx, d) != nil {
			return nil, false
		}
	}
}

// subscription is how one SubscribeToShard event stream ended.
type subscription struct {
	continuation string             // last ContinuationSequenceNumber, "" if none
	closed       bool               // the shard was read to its end
	children     []types.ChildShard // its children, when closed
	err          error              // the stream's error, if it failed
}

// consume accounts for the records of one subscription's events until the
// stream ends, the shard is read to its end, or ctx ends.
func (f *FanOut) consume(ctx context.Context, es *kinesis.SubscribeToShardEventStream, id string, s *sink) (res subscription) {
	defer es.Close()
	events := es.Events()
	for {
		var ev types.SubscribeToShardEventStream
		var ok bool
		select {
		case <-ctx.Done():
			return res
		case ev, ok = <-events:
		}
		if !ok {
			res.err = es.Err()
			return res
		}
		e, isEvent := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
		if !isEvent {
			continue
		}
		recv := f.now()
		if e.Value.MillisBehindLatest != nil {
			f.setLag(id, *e.Value.MillisBehindLatest)
		}
		// Processing holds this loop, so events queue up behind it and the
		// subscription slows down: the back-pressure a slow application puts
		// on its fan-out stream.
		if !s.batch(ctx, recv, e.Value.Records) {
			return res
		}
		if e.Value.ContinuationSequenceNumber == nil {
			res.closed, res.children = true, e.Value.ChildShards
			return res
		}
		res.continuation = *e.Value.ContinuationSequenceNumber
	}
}
