package runner

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kbench/kbench/metrics"
)

// OrderingPerKeyChain keeps a partition key's order as OrderingPerKey does,
// the other way AWS documents: PutRecord chains. Each record goes out alone
// in a PutRecord call; a key has one call in flight, its next record waits
// for the answer and names the answered record's sequence number as its
// SequenceNumberForOrdering. InFlight bounds the calls in flight over all
// keys. docs/ordering.md compares the two.
const OrderingPerKeyChain = "per_key_chain"

// RecordPutter is the part of the Kinesis client OrderingPerKeyChain uses;
// *kinesis.Client satisfies it.
type RecordPutter interface {
	PutRecord(ctx context.Context, in *kinesis.PutRecordInput, optFns ...func(*kinesis.Options)) (*kinesis.PutRecordOutput, error)
}

// chain is one partition key's records queued or in flight, oldest first.
type chain struct {
	pk    string
	queue []*batch
	last  *string // sequence number of the key's record acknowledged last
}

// chains is OrderingPerKeyChain's flow: a batch of one record per call,
// queued by key. A key with records and none in flight is on ready;
// InFlight senders take a key off it, settle its oldest record and put the
// key back while it has more. A key with nothing queued is forgotten: its
// next record goes out after its last was acknowledged, so it lands behind
// it without naming it.
type chains struct {
	bt    *batcher
	room  chan struct{} // a token per record queued or in flight
	ready chan *chain   // never blocks: a key is on it at most once and has a record queued
	mu    sync.Mutex
	keys  map[string]*chain
	done  bool // the schedule handed over its last record
}

// chainRoom is how many records per call in flight may wait in chains
// before the schedule waits for room: as many as full batches would hold.
func chainRoom(c *ProducerConfig) int { return c.InFlight * c.MaxRecords }

func (ls *lanes) startChains() {
	c := &ls.p.cfg
	n := chainRoom(c)
	ch := &chains{bt: newBatcher(1, c.MaxBytes, 0, n+c.InFlight+1), room: make(chan struct{}, n),
		ready: make(chan *chain, n), keys: map[string]*chain{}}
	rp := ls.p.put.(RecordPutter) // checked in NewProducer
	for range c.InFlight {
		s := ls.p.newSender(ls.ctx, ls.callCtx, ch.bt)
		var cur *chain
		s.call = func(ctx context.Context, in *kinesis.PutRecordsInput) (*kinesis.PutRecordsOutput, error) {
			e := &in.Records[0]
			out, err := rp.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: in.StreamName, StreamARN: in.StreamARN,
				Data: e.Data, PartitionKey: e.PartitionKey, ExplicitHashKey: e.ExplicitHashKey, SequenceNumberForOrdering: cur.last})
			if err != nil {
				return nil, err
			}
			cur.last = out.SequenceNumber
			return &kinesis.PutRecordsOutput{Records: []types.PutRecordsResultEntry{{SequenceNumber: out.SequenceNumber, ShardId: out.ShardId}}}, nil
		}
		ls.wg.Go(func() {
			for cur = range ch.ready {
				ch.mu.Lock()
				b := cur.queue[0]
				ch.mu.Unlock()
				s.send(b)
				ch.settled(cur)
			}
		})
	}
	ls.chains = ch
}

// add queues b, one record, behind its key's; it blocks while chainRoom
// records wait (a wait counted in waiting), and returns false when ctx is
// done first.
func (ch *chains) add(ctx context.Context, b *batch, waiting *metrics.TimeGauge) bool {
	if !sendWaiting(ctx, ch.room, struct{}{}, waiting) {
		return false
	}
	pk := b.recs[0].pk
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if c := ch.keys[pk]; c != nil {
		c.queue = append(c.queue, b)
		return true
	}
	c := &chain{pk: pk, queue: []*batch{b}}
	ch.keys[pk] = c
	ch.ready <- c
	return true
}

// settled takes c's oldest record, now settled, off its queue.
func (ch *chains) settled(c *chain) {
	<-ch.room
	ch.mu.Lock()
	defer ch.mu.Unlock()
	c.queue[0] = nil
	c.queue = c.queue[1:]
	switch {
	case len(c.queue) > 0:
		ch.ready <- c
	default:
		delete(ch.keys, c.pk)
		if ch.done && len(ch.keys) == 0 {
			close(ch.ready)
		}
	}
}

// close lets the senders return once every record queued is settled.
func (ch *chains) close() {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	ch.done = true
	if len(ch.keys) == 0 {
		close(ch.ready)
	}
}
