package collectors

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

var pollingKind = Kind{
	Name:         KindPolling,
	Doc:          "GetRecords on every shard, every poll_interval (the default).",
	PollInterval: DefaultPollInterval,
	New: func(cfg Config, _ FanOutReader, poll Reader) (Collector, error) {
		return NewPolling(cfg, poll)
	},
}

// Reader is the part of the Kinesis client the polling collector uses;
// *kinesis.Client satisfies it.
type Reader interface {
	ListShards(ctx context.Context, in *kinesis.ListShardsInput, optFns ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error)
	GetShardIterator(ctx context.Context, in *kinesis.GetShardIteratorInput, optFns ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error)
	GetRecords(ctx context.Context, in *kinesis.GetRecordsInput, optFns ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error)
}

// shardRefresh is how often a collector lists the stream's shards to
// find the ones a reshard created.
const shardRefresh = 5 * time.Second

// ownedShardRefresh is the ListShards interval of a collector that reads
// only the shards a worker owns (Config.Owns): the children of a parent
// another worker reads show up only in a listing, and a second keeps them
// from waiting long after a reshard.
const ownedShardRefresh = time.Second

// catchUpGap is the shortest time between two GetRecords calls on one shard
// while the reader is behind the tip: Kinesis allows 5 calls/s per shard.
const catchUpGap = 200 * time.Millisecond

// maxListPages bounds one ListShards pagination (10,000 shards at the
// smallest page size AWS returns is far less).
const maxListPages = 10000

// Polling is a GetRecords polling collector: one reader goroutine per shard,
// each polling at the configured interval, children read only after their
// parents are finished so per-key order holds across a reshard.
type Polling struct {
	core
	r Reader
}

// NewPolling returns a polling collector that reads cfg.Stream through r.
func NewPolling(cfg Config, r Reader) (*Polling, error) {
	cfg, err := cfg.withDefaults()
	if r == nil {
		err = errors.Join(err, errors.New("collectors: nil Reader"))
	}
	if err != nil {
		return nil, err
	}
	return &Polling{core: newCore(cfg), r: r}, nil
}

// Stats returns a snapshot of the collector's live counters. It is safe to
// call while Run runs.
func (p *Polling) Stats() Stats { return p.stats() }

// MillisBehind returns the largest latest MillisBehindLatest over the shards
// being read: how far the collector is behind the tip of the stream.
func (p *Polling) MillisBehind() int64 { return p.millisBehind() }

// Kind returns KindPolling.
func (p *Polling) Kind() string { return KindPolling }

// Run reads every shard of the stream until ctx is cancelled, and returns nil
// then: cancelling is the normal stop. It returns an error only when the
// stream cannot be read at all (for example ResourceNotFoundException when it
// starts). It blocks, and returns after every reader goroutine has ended.
// Call it once.
func (p *Polling) Run(ctx context.Context) error {
	list, err := p.firstList(ctx, p.r)
	if err != nil || ctx.Err() != nil {
		return err
	}
	p.follow(ctx, p.r, list, p.readShard)
	return nil
}
