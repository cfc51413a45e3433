package collectors

import (
	"context"
	"errors"
	"fmt"
	"sync"
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
// (the stream is the run's own). Output streams are not resharded during a
// run, so the shards are listed once.
type kinesisDest struct{ cfg DestinationConfig }

func (k *kinesisDest) Address() string { return k.cfg.Stream }

// Run polls until ctx is cancelled; an output's arrival is when kbench read
// it, so the poll interval is part of the measured latency, as it is of a
// consumer's.
func (k *kinesisDest) Run(ctx context.Context, emit func([]byte, int64)) error {
	shards, err := listAllShards(ctx, k.cfg.Reader, k.cfg.Stream)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("destination %s: %w", k.cfg.Name, err)
	}
	var wg sync.WaitGroup
	errc := make(chan error, len(shards))
	for _, sh := range shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := k.readShard(ctx, sh, emit); err != nil && ctx.Err() == nil {
				errc <- err
			}
		}()
	}
	wg.Wait()
	close(errc)
	return errors.Join(func() (es []error) {
		for e := range errc {
			es = append(es, e)
		}
		return es
	}()...)
}

func (k *kinesisDest) readShard(ctx context.Context, sh types.Shard, emit func([]byte, int64)) error {
	it, err := k.cfg.Reader.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
		StreamName: aws.String(k.cfg.Stream), ShardId: sh.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
	})
	if err != nil {
		return fmt.Errorf("destination %s: shard %s: %w", k.cfg.Name, aws.ToString(sh.ShardId), err)
	}
	iter := it.ShardIterator
	failures := 0
	for iter != nil {
		out, err := k.cfg.Reader.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			if failures++; failures > 20 {
				return fmt.Errorf("destination %s: shard %s: %w", k.cfg.Name, aws.ToString(sh.ShardId), err)
			}
			k.cfg.Log("destination %s: shard %s: %v (retrying)", k.cfg.Name, aws.ToString(sh.ShardId), err)
			if sleep(ctx, time.Second) != nil {
				return nil
			}
			continue
		}
		failures = 0
		now := envelope.Now()
		for _, r := range out.Records {
			emit(r.Data, now)
		}
		iter = out.NextShardIterator
		if sleep(ctx, k.cfg.PollInterval) != nil {
			return nil
		}
	}
	return nil
}
