package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/schemas"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
)

// fanOut registers the detector as an enhanced fan-out consumer of the
// payments stream (or uses the one of its name already registered), reads
// every shard through SubscribeToShard until ctx ends, and deregisters the
// consumer it registered before it returns.
func (d *detector) fanOut(ctx context.Context, shards []types.Shard) error {
	sum, err := d.c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(d.o.in)})
	if err != nil {
		return fmt.Errorf("describe %s: %w", d.o.in, err)
	}
	streamARN := sum.StreamDescriptionSummary.StreamARN
	var consumerARN *string
	reg, err := d.c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{
		StreamARN: streamARN, ConsumerName: aws.String(d.o.consumer)})
	var inUse *types.ResourceInUseException
	switch {
	case err == nil:
		consumerARN = reg.Consumer.ConsumerARN
		defer d.deregister(ctx, consumerARN)
	case errors.As(err, &inUse):
		desc, err := d.c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{
			StreamARN: streamARN, ConsumerName: aws.String(d.o.consumer)})
		if err != nil {
			return fmt.Errorf("describe consumer %s: %w", d.o.consumer, err)
		}
		consumerARN = desc.ConsumerDescription.ConsumerARN
		log.Printf("fraud-detector: consumer %s already registered; using it", d.o.consumer)
	default:
		return fmt.Errorf("register consumer %s: %w", d.o.consumer, err)
	}
	if err := d.waitActive(ctx, consumerARN); err != nil {
		return err
	}
	log.Printf("fraud-detector: started, reading %d shard(s) of %s by enhanced fan-out (consumer %s), alerts to %s",
		len(shards), d.o.in, d.o.consumer, d.o.out)
	return follow(ctx, shards, func(ctx context.Context, id string) ([]types.ChildShard, error) {
		return d.subscribeShard(ctx, consumerARN, id)
	})
}

// waitActive waits (at most a minute) until the consumer is ACTIVE.
func (d *detector) waitActive(ctx context.Context, arn *string) error {
	for range 300 {
		desc, err := d.c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: arn})
		if err != nil {
			return fmt.Errorf("describe consumer %s: %w", d.o.consumer, err)
		}
		if desc.ConsumerDescription.ConsumerStatus == types.ConsumerStatusActive {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("consumer %s not ACTIVE after a minute", d.o.consumer)
}

// deregister deregisters the consumer, also after ctx ended (the detector
// stops on SIGTERM).
func (d *detector) deregister(ctx context.Context, arn *string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := d.c.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: arn}); err != nil {
		log.Printf("fraud-detector: deregister consumer %s: %v", d.o.consumer, err)
		return
	}
	log.Printf("fraud-detector: consumer %s deregistered", d.o.consumer)
}

// ownProtocol gives each SubscribeToShard call a protocol of its own: the
// SDK's keeps event-stream state that concurrent subscriptions of one
// client share without a lock (aws/smithy-go#714).
func ownProtocol(o *kinesis.Options) { o.Protocol = awsjson.New11(schemas.Kinesis_20131202) }

// subscribeShard keeps shard id subscribed from its oldest record until it
// is read to its end (it returns the children) or ctx ends. A subscription
// lasts five minutes; the next one starts after the last continuation
// sequence number, so no payment is skipped or read twice.
func (d *detector) subscribeShard(ctx context.Context, consumerARN *string, id string) ([]types.ChildShard, error) {
	start := &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}
	failures := 0
	for ctx.Err() == nil {
		called := time.Now()
		out, err := d.c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
			ConsumerARN: consumerARN, ShardId: aws.String(id), StartingPosition: start}, ownProtocol)
		if err == nil {
			failures = 0
			children, closed, err := d.consume(ctx, out.GetStream(), id, &start)
			if err != nil || closed || ctx.Err() != nil {
				return children, err // err: an alert could not be sent
			}
			log.Printf("fraud-detector: subscription to shard %s ended; resubscribing", id)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil
			}
			// One subscription per shard and consumer at a time, and one
			// call a second: ResourceInUse and LimitExceeded pass.
			var api smithy.APIError
			if failures++; failures > 20 || errors.As(err, &api) && api.ErrorCode() == "ResourceNotFoundException" {
				return nil, fmt.Errorf("subscribe to shard %s: %w", id, err)
			}
			log.Printf("fraud-detector: subscribe to shard %s: %v (retrying)", id, err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second - time.Since(called)):
		}
	}
	return nil, nil
}

// consume handles the events of one subscription of shard id until it
// ends; start moves past each event's records. closed reports the shard
// read to its end, with its children; err an alert that could not be sent.
// A subscription that failed is logged: the caller subscribes again.
func (d *detector) consume(ctx context.Context, es *kinesis.SubscribeToShardEventStream, id string, start **types.StartingPosition) (children []types.ChildShard, closed bool, err error) {
	defer es.Close()
	for {
		var ev types.SubscribeToShardEventStream
		var ok bool
		select {
		case <-ctx.Done():
			return nil, false, nil
		case ev, ok = <-es.Events():
		}
		if !ok {
			if err := es.Err(); err != nil && ctx.Err() == nil {
				log.Printf("fraud-detector: subscription to shard %s: %v", id, err)
			}
			return nil, false, nil
		}
		e, isEvent := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
		if !isEvent {
			continue
		}
		if err := d.handle(ctx, e.Value.Records); err != nil {
			return nil, false, err
		}
		if e.Value.ContinuationSequenceNumber == nil {
			return e.Value.ChildShards, true, nil
		}
		*start = &types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber,
			SequenceNumber: e.Value.ContinuationSequenceNumber}
	}
}
