package collectors

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// FanOutReader is the part of the Kinesis client the enhanced fan-out
// collector uses; *kinesis.Client satisfies it.
type FanOutReader interface {
	DescribeStreamSummary(ctx context.Context, in *kinesis.DescribeStreamSummaryInput, optFns ...func(*kinesis.Options)) (*kinesis.DescribeStreamSummaryOutput, error)
	RegisterStreamConsumer(ctx context.Context, in *kinesis.RegisterStreamConsumerInput, optFns ...func(*kinesis.Options)) (*kinesis.RegisterStreamConsumerOutput, error)
	DescribeStreamConsumer(ctx context.Context, in *kinesis.DescribeStreamConsumerInput, optFns ...func(*kinesis.Options)) (*kinesis.DescribeStreamConsumerOutput, error)
	DeregisterStreamConsumer(ctx context.Context, in *kinesis.DeregisterStreamConsumerInput, optFns ...func(*kinesis.Options)) (*kinesis.DeregisterStreamConsumerOutput, error)
	ListShards(ctx context.Context, in *kinesis.ListShardsInput, optFns ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error)
	SubscribeToShard(ctx context.Context, in *kinesis.SubscribeToShardInput, optFns ...func(*kinesis.Options)) (*kinesis.SubscribeToShardOutput, error)
}

// Fan-out timing.
const (
	// activeTimeout bounds the wait for a registered consumer to be ACTIVE.
	activeTimeout = 2 * time.Minute
	// resubscribeGap is the shortest time between two SubscribeToShard calls
	// of one consumer on one shard (AWS: one call per second).
	resubscribeGap = time.Second
	// deregisterTimeout bounds DeregisterStreamConsumer when Run ends.
	deregisterTimeout = 10 * time.Second
)

// FanOut is an enhanced fan-out collector: it registers a stream consumer
// named Config.Name and keeps one SubscribeToShard subscription per shard,
// subscribing again where the last one stopped when it ends (every 5 minutes
// on AWS), children read only after their parents are finished.
type FanOut struct {
	core
	c FanOutReader
	// subscribed is set once any SubscribeToShard call succeeded: from then
	// on the target is known to serve fan-out, and no error counts as
	// ErrFanOutUnsupported.
	subscribed atomic.Bool
	// fail stops Run with an error; set by Run before any reader starts.
	fail context.CancelCauseFunc
}

// ErrFanOutUnsupported is wrapped by FanOut.Run's error when the target
// cannot serve enhanced fan-out at all: it does not know the fan-out
// operations, or its SubscribeToShard responses cannot be read by the SDK
// (kinesis-mock 0.6.2 sends no initial-response event). Run returns it at
// the first such failure, before any record was read through fan-out, so a
// caller can read the stream another way (see NewFanOutOrPolling).
var ErrFanOutUnsupported = errors.New("collectors: target cannot serve enhanced fan-out")

// unsupportedError is an error wrapping ErrFanOutUnsupported: what failed,
// and how.
type unsupportedError struct {
	op  string // "subscribe to shard shardId-000000000000", …
	err error
}

func (e *unsupportedError) Error() string {
	return ErrFanOutUnsupported.Error() + ": " + e.reason()
}

func (e *unsupportedError) Unwrap() []error { return []error{ErrFanOutUnsupported, e.err} }

// reason says what failed and how, without the package prefix.
func (e *unsupportedError) reason() string { return e.op + ": " + e.err.Error() }

// unsupported reports whether err, from a fan-out call, says the target
// cannot serve fan-out at all rather than that it failed this time: an
// unknown operation, or a SubscribeToShard response whose initial event the
// SDK cannot decode.
func unsupported(err error) bool {
	switch errorCode(err) {
	case "UnknownOperationException", "InvalidAction", "NotImplemented":
		return true
	}
	return strings.Contains(err.Error(), "deserialize initial response")
}

// NewFanOut returns an enhanced fan-out collector that reads cfg.Stream
// through c. cfg.Name is the consumer's name and must be set; PollInterval and
// Limit are not used.
func NewFanOut(cfg Config, c FanOutReader) (*FanOut, error) {
	cfg, err := cfg.withDefaults()
	if cfg.Name == "" {
		err = errors.Join(err, errors.New("collectors: fan-out needs a consumer name"))
	}
	if c == nil {
		err = errors.Join(err, errors.New("collectors: nil FanOutReader"))
	}
	if err != nil {
		return nil, err
	}
	return &FanOut{core: newCore(cfg), c: c}, nil
}

// Stats returns a snapshot of the collector's live counters; Calls counts
// SubscribeToShard calls. It is safe to call while Run runs.
func (f *FanOut) Stats() Stats { return f.stats() }

// MillisBehind returns the largest latest MillisBehindLatest over the shards
// being read.
func (f *FanOut) MillisBehind() int64 { return f.millisBehind() }

// Kind returns KindFanOut.
func (f *FanOut) Kind() string { return KindFanOut }

// Run registers the consumer (or reuses one of the same name), waits until
// it is ACTIVE, and reads every shard until ctx is cancelled; it returns nil
// then. It returns an error only when the stream cannot be read at all (not
// found, the consumer cannot be registered or does not become ACTIVE in
// time), or, wrapping ErrFanOutUnsupported, as soon as the target shows it
// cannot serve fan-out. When Run ends it deregisters the consumer if it
// registered it, before it returns. It blocks. Call it once.
func (f *FanOut) Run(ctx context.Context) error {
	list, err := f.firstList(ctx, f.c)
	if err != nil || ctx.Err() != nil {
		return err
	}
	arn, registered, err := f.register(ctx)
	if registered && !f.cfg.KeepConsumer {
		defer f.deregister(ctx, arn)
	}
	switch {
	case ctx.Err() != nil:
		return nil
	case err != nil && unsupported(err):
		return &unsupportedError{op: "register consumer " + f.cfg.Name, err: err}
	case err != nil:
		return err
	}
	rctx, fail := context.WithCancelCause(ctx)
	defer fail(nil)
	f.fail = fail
	f.follow(rctx, f.c, list, func(ctx context.Context, id string) ([]types.ChildShard, bool) {
		return f.readShard(ctx, arn, id)
	})
	if err := context.Cause(rctx); ctx.Err() == nil && errors.Is(err, ErrFanOutUnsupported) {
		return err
	}
	return nil
}

// register registers the consumer, or finds the one of the same name, and
// waits until it is ACTIVE. registered reports whether this call created it
// (and so must deregister it), also when an error follows.
func (f *FanOut) register(ctx context.Context) (arn string, registered bool, err error) {
	cfg := &f.cfg
	var streamARN string
	err = f.retry(ctx, "describe stream "+cfg.Stream, func(ctx context.Context) error {
		out, err := f.c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: &cfg.Stream})
		if err == nil {
			streamARN = aws.ToString(out.StreamDescriptionSummary.StreamARN)
		}
		return err
	})
	if err != nil {
		return "", false, err
	}
	err = f.retry(ctx, "register consumer "+cfg.Name, func(ctx context.Context) error {
		out, err := f.c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: &streamARN, ConsumerName: &cfg.Name})
		switch {
		case err == nil:
			arn, registered = aws.ToString(out.Consumer.ConsumerARN), true
		case errorCode(err) == "ResourceInUseException":
			cfg.Log("collector %s: consumer already registered on %s; using it", cfg.Name, cfg.Stream)
			d, derr := f.c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{StreamARN: &streamARN, ConsumerName: &cfg.Name})
			if derr != nil {
				return derr
			}
			arn = aws.ToString(d.ConsumerDescription.ConsumerARN)
			return nil
		}
		return err
	})
	if err != nil {
		return "", false, err
	}
	return arn, registered, f.waitActive(ctx, arn)
}

// waitActive polls the consumer's status until it is ACTIVE, for at most
// activeTimeout.
func (f *FanOut) waitActive(ctx context.Context, arn string) error {
	bo := backoff{base: 50 * time.Millisecond, cap: time.Second}
	deadline := time.Now().Add(activeTimeout)
	for {
		var status types.ConsumerStatus
		err := f.retry(ctx, "describe consumer "+f.cfg.Name, func(ctx context.Context) error {
			out, err := f.c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: &arn})
			if err == nil {
				status = out.ConsumerDescription.ConsumerStatus
			}
			return err
		})
		switch {
		case err != nil:
			return err
		case status == types.ConsumerStatusActive:
			return nil
		case time.Now().After(deadline):
			return fmt.Errorf("collectors: consumer %s on %s still %s after %v", f.cfg.Name, f.cfg.Stream, status, activeTimeout)
		}
		if err := f.wait(ctx, bo.step()); err != nil {
			return err
		}
	}
}

// deregister deregisters the consumer, with a context that outlives ctx.
func (f *FanOut) deregister(ctx context.Context, arn string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), deregisterTimeout)
	defer cancel()
	if _, err := f.c.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: &arn}); err != nil {
		f.cfg.Log("collector %s: deregister consumer: %v", f.cfg.Name, err)
	}
}
