package runner

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/metrics"
)

// fakeEntities are the entities fakeGen cycles through; fakeKeys uses them
// as partition keys.
var fakeEntities = []string{"a", "b", "c", "d"}

// fakeGen appends size zero bytes per record (sizeOf overrides by record
// index) and cycles through fakeEntities.
type fakeGen struct {
	size   int
	sizeOf func(i int) int
	i      int
}

func (g *fakeGen) Next(dst []byte, at int64) ([]byte, string) {
	n := g.size
	if g.sizeOf != nil {
		n = g.sizeOf(g.i)
	}
	e := fakeEntities[g.i%len(fakeEntities)]
	g.i++
	return append(dst, make([]byte, n)...), e
}

// fakeKeys uses the entity as partition key.
type fakeKeys struct{}

func (fakeKeys) Key(entity string) (string, string) { return entity, "" }

// fakeShardOf routes partition key k to shard "shard-k".
func fakeShardOf(pk, _ string) string { return "shard-" + pk }

// fakePacer sends limit records (0: unlimited), one every gap.
type fakePacer struct {
	gap   time.Duration
	limit uint64
}

func (p fakePacer) Due(n uint64) (time.Duration, bool) {
	if p.limit > 0 && n >= p.limit {
		return 0, false
	}
	return time.Duration(n) * p.gap, true
}

func (p fakePacer) Rate(time.Duration) float64 { return float64(time.Second) / float64(p.gap) }

// fakeListPacer sends one record at each listed offset.
type fakeListPacer []time.Duration

func (p fakeListPacer) Due(n uint64) (time.Duration, bool) {
	if n >= uint64(len(p)) {
		return 0, false
	}
	return p[n], true
}

func (p fakeListPacer) Rate(time.Duration) float64 { return 0 }

// fakeSent is one record as a fakePutter received it.
type fakeSent struct {
	seq            uint64
	intended, sent int64
	pk             string
	size           int
}

// fakePutter records every PutRecords call and answers as told. It measures
// how many calls are in flight at once.
type fakePutter struct {
	delay time.Duration // each call takes this long (ctx cuts it short)
	// code returns the error code of a record on its attempt (1-based); ""
	// acknowledges it.
	code func(seq uint64, attempt int) string
	// callErr fails a whole call (0-based call index) when it returns an error.
	callErr func(call int) error
	// short answers with one result fewer than records sent.
	short bool

	inflight, maxInflight atomic.Int64

	mu       sync.Mutex
	calls    [][]fakeSent
	attempts map[uint64]int
	// accepted are the records acknowledged, in the order their calls
	// arrived.
	accepted []fakeSent
	after    map[uint64]string // see PutRecord
}

func (f *fakePutter) PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	cur := f.inflight.Add(1)
	defer f.inflight.Add(-1)
	for {
		m := f.maxInflight.Load()
		if cur <= m || f.maxInflight.CompareAndSwap(m, cur) {
			break
		}
	}
	got := make([]fakeSent, len(in.Records))
	for i, e := range in.Records {
		env, err := envelope.Decode(e.Data)
		if err != nil {
			return nil, err
		}
		got[i] = fakeSent{seq: env.Seq, intended: env.Intended, sent: env.Sent, pk: *e.PartitionKey, size: len(e.Data) + len(*e.PartitionKey)}
	}
	f.mu.Lock()
	call := len(f.calls)
	f.calls = append(f.calls, got)
	if f.attempts == nil {
		f.attempts = map[uint64]int{}
	}
	tries := make([]int, len(got))
	for i, r := range got {
		f.attempts[r.seq]++
		tries[i] = f.attempts[r.seq]
		if f.callErr == nil && (f.code == nil || f.code(r.seq, tries[i]) == "") {
			f.accepted = append(f.accepted, r)
		}
	}
	f.mu.Unlock()

	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if f.callErr != nil {
		if err := f.callErr(call); err != nil {
			return nil, err
		}
	}
	out := &kinesis.PutRecordsOutput{Records: make([]types.PutRecordsResultEntry, len(got))}
	failed := int32(0)
	for i, r := range got {
		if f.code != nil {
			if c := f.code(r.seq, tries[i]); c != "" {
				out.Records[i].ErrorCode = aws.String(c)
				failed++
				continue
			}
		}
		out.Records[i].ShardId = aws.String(fakeShardOf(r.pk, ""))
		out.Records[i].SequenceNumber = aws.String("1")
	}
	out.FailedRecordCount = &failed
	if f.short {
		out.Records = out.Records[1:]
	}
	return out, nil
}

// PutRecord is PutRecords of one record, answering a rejected record with
// the error PutRecord returns. The sequence number it answers is the
// record's envelope sequence number; f.after keeps, by record, the
// SequenceNumberForOrdering it was sent with.
func (f *fakePutter) PutRecord(ctx context.Context, in *kinesis.PutRecordInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordOutput, error) {
	out, err := f.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: in.StreamName, Records: []types.PutRecordsRequestEntry{
		{Data: in.Data, PartitionKey: in.PartitionKey, ExplicitHashKey: in.ExplicitHashKey}}})
	if err != nil {
		return nil, err
	}
	r := out.Records[0]
	if r.ErrorCode != nil {
		return nil, &types.ProvisionedThroughputExceededException{Message: r.ErrorMessage}
	}
	env, _ := envelope.Decode(in.Data)
	f.mu.Lock()
	if f.after == nil {
		f.after = map[uint64]string{}
	}
	f.after[env.Seq] = aws.ToString(in.SequenceNumberForOrdering)
	f.mu.Unlock()
	return &kinesis.PutRecordOutput{ShardId: r.ShardId, SequenceNumber: aws.String(fmt.Sprint(env.Seq))}, nil
}

// sentCalls returns a copy of the calls received so far.
func (f *fakePutter) sentCalls() [][]fakeSent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]fakeSent(nil), f.calls...)
}

// prodConfig returns a valid configuration sending through m's producer 0,
// starting now on the process clock.
func prodConfig(m *metrics.Run, pacer fakePacer) ProducerConfig {
	return ProducerConfig{
		ID: 0, RunID: 7, Stream: "s",
		Generator: &fakeGen{size: 60}, Keys: fakeKeys{}, Pacer: pacer,
		Start: envelope.Now(), Duration: time.Second,
		MaxRecords: MaxBatchRecords, MaxBytes: MaxBatchBytes, InFlight: 2,
		Retry:   RetryPolicy{MaxAttempts: 3, Base: 10 * time.Millisecond, Cap: 100 * time.Millisecond},
		ShardOf: fakeShardOf, Metrics: m,
	}
}

// prodRun builds a producer from cfg and runs it to the end.
func prodRun(t *testing.T, cfg ProducerConfig, p Putter, tune func(*Producer)) {
	t.Helper()
	pr, err := NewProducer(cfg, p)
	if err != nil {
		t.Fatal(err)
	}
	if tune != nil {
		tune(pr)
	}
	if err := pr.Run(t.Context()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	prodCheckBuckets(t, cfg.Metrics)
}

// prodCheckBuckets checks that every record ended in exactly one bucket.
func prodCheckBuckets(t *testing.T, m *metrics.Run) {
	t.Helper()
	p, a, f, u := m.Produced.Load(), m.Acked.Load(), m.Failed.Load(), m.Unsent.Load()
	if ng := m.UnsentCauses()[metrics.UnsentNotGenerated]; p+ng != a+f+u {
		t.Errorf("produced %d + not generated %d != acked %d + failed %d + unsent %d", p, ng, a, f, u)
	}
	if got := m.AckedSet(0).Len(); got != a {
		t.Errorf("acked set holds %d, Acked is %d", got, a)
	}
	checkByProducer(t, m)
	if got := m.GivenUpSets()[0].Len(); got != f {
		t.Errorf("given-up set holds %d, Failed is %d", got, f)
	}
}
