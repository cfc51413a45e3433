package collectors

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kbench/kbench/envelope"
)

var kinesisDestination = DestinationKind{
	Name:   "kinesis",
	Doc:    "Another Kinesis stream, created like the source (its name in KBENCH_STREAM_<NAME>), read by a polling kbench collector.",
	Stream: true,
	New: func(cfg DestinationConfig) (Destination, error) {
		if cfg.Stream == "" || cfg.Reader == nil {
			return nil, fmt.Errorf("destination %s: a kinesis destination needs its stream and a reader", cfg.Name)
		}
		if cfg.PollInterval <= 0 {
			cfg.PollInterval = DefaultPollInterval
		}
		if cfg.Log == nil {
			cfg.Log = func(string, ...any) {}
		}
		return &kinesisDest{cfg: cfg}, nil
	},
}

// kinesisDest polls every shard of the output stream from TRIM_HORIZON
// (the stream is the run's own), and follows a reshard as the collectors do:
// the children of a closed shard are read once it is read to its end. On a
// worker of a distributed run it reads only the shards Owns gives it.
type kinesisDest struct{ cfg DestinationConfig }

func (k *kinesisDest) Address() string { return k.cfg.Stream }

// Run polls until ctx is cancelled; an output's arrival is when kbench read
// it, so the poll interval is part of the measured latency, as it is of a
// consumer's. It fails when the stream cannot be listed or a shard cannot
// be read after repeated tries.
func (k *kinesisDest) Run(ctx context.Context, emit func([]byte, int64)) error {
	shards, err := listAllShards(ctx, k.cfg.Reader, k.cfg.Stream)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("destination %s: %w", k.cfg.Name, err)
	}
	rctx, fail := context.WithCancelCause(ctx)
	defer fail(nil)
	refresh := shardRefresh
	if k.cfg.Owns != nil { // a parent another worker reads ends unseen: list to find its children
		refresh = ownedShardRefresh
	}
	f := &follower{lister: k.cfg.Reader, stream: k.cfg.Stream, refresh: refresh, owns: k.cfg.Owns,
		log: func(format string, args ...any) {
			k.cfg.Log("destination %s: "+format, append([]any{k.cfg.Name}, args...)...)
		},
		read: func(ctx context.Context, id string) ([]types.ChildShard, bool) {
			children, closed, err := k.readShard(ctx, id, emit)
			if err != nil {
				fail(err)
			}
			return children, closed
		},
	}
	f.run(rctx, shards)
	if ctx.Err() != nil {
		return nil
	}
	return context.Cause(rctx)
}

// maxDestFailures is how many calls in a row may fail on one output shard
// before the destination fails the run.
const maxDestFailures = 20

// readShard polls shard id until it is read to its end (closed, with its
// children), ctx ends, or calls fail maxDestFailures times in a row (err).
// After a failed call it reads on from a new iterator after the last record
// read, so an expired iterator neither skips nor repeats an output.
func (k *kinesisDest) readShard(ctx context.Context, id string, emit func([]byte, int64)) (children []types.ChildShard, closed bool, err error) {
	var last string
	var iter *string
	failures := 0
	for {
		if iter == nil {
			in := &kinesis.GetShardIteratorInput{StreamName: aws.String(k.cfg.Stream), ShardId: aws.String(id),
				ShardIteratorType: types.ShardIteratorTypeTrimHorizon}
			if last != "" {
				in.ShardIteratorType, in.StartingSequenceNumber = types.ShardIteratorTypeAfterSequenceNumber, aws.String(last)
			}
			it, err := k.cfg.Reader.GetShardIterator(ctx, in)
			if err == nil {
				iter = it.ShardIterator
				if iter == nil { // closed, nothing left to read
					return nil, true, nil
				}
			} else if !k.failed(ctx, id, err, &failures) {
				return nil, false, k.tooMany(ctx, id, err, failures)
			}
			continue
		}
		out, err := k.cfg.Reader.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			iter = nil
			if !k.failed(ctx, id, err, &failures) {
				return nil, false, k.tooMany(ctx, id, err, failures)
			}
			continue
		}
		failures = 0
		now := envelope.Now()
		for _, r := range out.Records {
			emit(r.Data, now)
			last = aws.ToString(r.SequenceNumber)
		}
		if out.NextShardIterator == nil || *out.NextShardIterator == "" {
			return out.ChildShards, true, nil
		}
		iter = out.NextShardIterator
		if sleep(ctx, k.cfg.PollInterval) != nil {
			return nil, false, nil
		}
	}
}

// failed counts a failed call on shard id, logs it and waits a second; it
// reports false when the reader must stop: ctx ended or too many failed.
func (k *kinesisDest) failed(ctx context.Context, id string, err error, failures *int) bool {
	if ctx.Err() != nil {
		return false
	}
	if *failures++; *failures > maxDestFailures {
		return false
	}
	k.cfg.Log("destination %s: shard %s: %v (retrying)", k.cfg.Name, id, err)
	return sleep(ctx, time.Second) == nil
}

// tooMany is the error that ends a reader after failed returned false: nil
// when ctx ended, else err named with the destination and the shard.
func (k *kinesisDest) tooMany(ctx context.Context, id string, err error, failures int) error {
	if ctx.Err() != nil || failures <= maxDestFailures {
		return nil
	}
	return fmt.Errorf("destination %s: shard %s: %w", k.cfg.Name, id, err)
}
