package collectors

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/metrics"
)

// fakeShard is one shard of a fakeStream.
type fakeShard struct {
	id, parent, adjacent string
	records              []types.Record
	// closed shards end after their last record, naming children.
	closed   bool
	children []types.ChildShard
	// hidden shards are not listed by ListShards (only named as children).
	hidden bool
	// behind is the MillisBehindLatest returned while records remain.
	behind int64
}

// fakeStream is an in-memory Reader. Iterators are "shard/position".
// Its hook can fail any GetRecords call.
type fakeStream struct {
	mu     sync.Mutex
	shards []*fakeShard
	// fail, when not nil, may return an error for the n-th (from 1)
	// GetRecords call on a shard.
	fail func(shard string, n int) error
	// listErr is returned by the first len(listErr) ListShards calls.
	listErr []error
	// events logs "iter <shard> <type> <seq>", "get <shard> <n>" and "end <shard>".
	events []string
	calls  map[string]int
}

func (f *fakeStream) shard(id string) *fakeShard {
	for _, s := range f.shards {
		if s.id == id {
			return s
		}
	}
	return nil
}

func (f *fakeStream) log(format string, args ...any) {
	f.events = append(f.events, fmt.Sprintf(format, args...))
}

func (f *fakeStream) ListShards(ctx context.Context, in *kinesis.ListShardsInput, _ ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.listErr) > 0 {
		err := f.listErr[0]
		f.listErr = f.listErr[1:]
		return nil, err
	}
	// One shard per page, to exercise pagination.
	start := 0
	if in.NextToken != nil {
		start, _ = strconv.Atoi(*in.NextToken)
	} else if aws.ToString(in.StreamName) != "s" {
		return nil, &types.ResourceNotFoundException{Message: aws.String("no stream")}
	}
	out := &kinesis.ListShardsOutput{}
	for i := start; i < len(f.shards); i++ {
		s := f.shards[i]
		if s.hidden {
			continue
		}
		sh := types.Shard{ShardId: aws.String(s.id)}
		if s.parent != "" {
			sh.ParentShardId = aws.String(s.parent)
		}
		if s.adjacent != "" {
			sh.AdjacentParentShardId = aws.String(s.adjacent)
		}
		out.Shards = append(out.Shards, sh)
		if i+1 < len(f.shards) {
			out.NextToken = aws.String(strconv.Itoa(i + 1))
		}
		break
	}
	return out, nil
}

func (f *fakeStream) GetShardIterator(ctx context.Context, in *kinesis.GetShardIteratorInput, _ ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := aws.ToString(in.ShardId)
	s := f.shard(id)
	if s == nil {
		return nil, &types.ResourceNotFoundException{Message: aws.String(id)}
	}
	pos := 0
	switch in.ShardIteratorType {
	case types.ShardIteratorTypeAfterSequenceNumber:
		pos = -1
		for i, r := range s.records {
			if *r.SequenceNumber == aws.ToString(in.StartingSequenceNumber) {
				pos = i + 1
			}
		}
		if pos < 0 {
			return nil, &types.InvalidArgumentException{Message: aws.String("no such sequence number")}
		}
	case types.ShardIteratorTypeAtTimestamp:
		pos = len(s.records)
		for i, r := range s.records {
			if !r.ApproximateArrivalTimestamp.Before(*in.Timestamp) {
				pos = i
				break
			}
		}
	case types.ShardIteratorTypeTrimHorizon:
	default:
		return nil, &types.InvalidArgumentException{Message: aws.String("iterator type")}
	}
	f.log("iter %s %s %s", id, in.ShardIteratorType, aws.ToString(in.StartingSequenceNumber))
	return &kinesis.GetShardIteratorOutput{ShardIterator: aws.String(fmt.Sprintf("%s/%d", id, pos))}, nil
}

func (f *fakeStream) GetRecords(ctx context.Context, in *kinesis.GetRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, p, _ := strings.Cut(aws.ToString(in.ShardIterator), "/")
	pos, err := strconv.Atoi(p)
	s := f.shard(id)
	if err != nil || s == nil {
		return nil, &types.InvalidArgumentException{Message: aws.String("bad iterator")}
	}
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[id]++
	n := f.calls[id]
	f.log("get %s %d", id, n)
	if f.fail != nil {
		if err := f.fail(id, n); err != nil {
			return nil, err
		}
	}
	end := min(pos+int(aws.ToInt32(in.Limit)), len(s.records))
	out := &kinesis.GetRecordsOutput{Records: s.records[pos:end], MillisBehindLatest: aws.Int64(0)}
	if end < len(s.records) {
		out.MillisBehindLatest = aws.Int64(s.behind)
	}
	if s.closed && end == len(s.records) {
		out.ChildShards = s.children
		f.log("end %s", id)
		return out, nil
	}
	out.NextShardIterator = aws.String(fmt.Sprintf("%s/%d", id, end))
	return out, nil
}

// eventIndex returns the index of the first event with the given prefix, or -1.
func (f *fakeStream) eventIndex(prefix string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, e := range f.events {
		if strings.HasPrefix(e, prefix) {
			return i
		}
	}
	return -1
}

// hasEvent reports whether an event equal to e was logged.
func (f *fakeStream) hasEvent(e string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, x := range f.events {
		if x == e {
			return true
		}
	}
	return false
}

// testRun is the run id of the records the tests write.
const testRun = 42

// rec returns a record of run with an envelope and a payload, a sequence
// number unique on its shard, and an arrival time.
func rec(run uint64, producer uint32, seq uint64, intended, sent int64, shardSeq int) types.Record {
	e := envelope.Envelope{RunID: run, ProducerID: producer, Seq: seq, Intended: intended, Sent: sent}
	data := e.Append(nil)
	data = append(data, "payload"...)
	return types.Record{
		Data:                        data,
		PartitionKey:                aws.String(fmt.Sprintf("key-%d", producer)),
		SequenceNumber:              aws.String(fmt.Sprintf("%012d", shardSeq)),
		ApproximateArrivalTimestamp: aws.Time(time.Unix(0, sent)),
	}
}

// recordBytes returns the bytes a record counts for (data + partition key).
func recordBytes(r types.Record) int64 {
	return int64(len(r.Data) + len(aws.ToString(r.PartitionKey)))
}

// newTestPolling returns a primary polling collector over f with a fixed
// receive clock, and a run for producers.
func newTestPolling(t *testing.T, f *fakeStream, producers int, mod func(*Config)) (*Polling, *metrics.Run) {
	t.Helper()
	run := metrics.NewRun(producers)
	cfg := Config{
		Name: "test", Stream: "s", RunID: testRun, PollInterval: time.Second, Limit: 3,
		Primary: true, Metrics: run, Tracker: NewTracker(producers), App: metrics.NewApp("test"),
		Log: t.Logf,
	}
	if mod != nil {
		mod(&cfg)
	}
	p, err := NewPolling(cfg, f)
	if err != nil {
		t.Fatal(err)
	}
	p.now = func() int64 { return recvTime }
	return p, run
}

// recvTime is the receive time the test collectors see.
const recvTime = int64(1_000_000 * time.Second)

// runFor runs p for d of (fake) time and returns Run's error. Call it inside
// a synctest bubble.
func runFor(p interface{ Run(context.Context) error }, d time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return p.Run(ctx)
}
