package sim

import (
	"bytes"
	"context"
	"crypto/md5"
	"fmt"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// fakeClock is a settable clock for WithClock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Unix(1_700_000_000, 0)} }

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

// putN writes n records "rec-<i>" with key "k-<i>" in one PutRecords call.
func putN(t testing.TB, c *kinesis.Client, stream string, from, n int) *kinesis.PutRecordsOutput {
	t.Helper()
	recs := make([]types.PutRecordsRequestEntry, n)
	for i := range recs {
		recs[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint("k-", from+i)), Data: fmt.Appendf(nil, "rec-%d", from+i)}
	}
	out, err := c.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: recs})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPutGetRoundTrip(t *testing.T) {
	clk := newFakeClock()
	cfg := testConfig()
	cfg.Quotas = QuotasOff
	_, c := startSim(t, cfg, WithClock(clk.Now))
	ctx := context.Background()
	createStream(t, c, "rt", 1)
	const shard = "shardId-000000000000"
	first := putN(t, c, "rt", 0, 5)
	if aws.ToInt32(first.FailedRecordCount) != 0 {
		t.Fatalf("failed records: %+v", first)
	}
	clk.Advance(time.Second)
	mid := clk.Now()
	putN(t, c, "rt", 5, 5)
	one, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamARN: aws.String(streamARN("rt")), PartitionKey: aws.String("k-10"), Data: []byte("rec-10")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(one.ShardId) != shard {
		t.Errorf("PutRecord shard = %s", aws.ToString(one.ShardId))
	}

	recs, last := readAll(t, c, iter(t, c, "rt", shard, types.ShardIteratorTypeTrimHorizon, "", nil))
	if len(recs) != 11 {
		t.Fatalf("read %d records, want 11", len(recs))
	}
	for i, r := range recs {
		if want := fmt.Sprintf("rec-%d", i); string(r.Data) != want || aws.ToString(r.PartitionKey) != fmt.Sprint("k-", i) {
			t.Errorf("record %d = %q/%q", i, r.Data, aws.ToString(r.PartitionKey))
		}
		if i > 0 && aws.ToString(r.SequenceNumber) <= aws.ToString(recs[i-1].SequenceNumber) {
			t.Errorf("sequence numbers not increasing at %d", i)
		}
		if r.ApproximateArrivalTimestamp == nil || r.ApproximateArrivalTimestamp.Unix() < 1_700_000_000 {
			t.Errorf("record %d arrival %v", i, r.ApproximateArrivalTimestamp)
		}
	}
	if aws.ToString(first.Records[2].SequenceNumber) != aws.ToString(recs[2].SequenceNumber) {
		t.Errorf("put and get sequence numbers differ")
	}
	if last.NextShardIterator == nil || aws.ToInt64(last.MillisBehindLatest) != 0 {
		t.Errorf("open shard: next %v behind %d", last.NextShardIterator, aws.ToInt64(last.MillisBehindLatest))
	}

	seq3 := aws.ToString(recs[3].SequenceNumber)
	tests := []struct {
		name  string
		typ   types.ShardIteratorType
		seq   string
		ts    *time.Time
		first int // index of first record returned, -1 for none
	}{
		{"TRIM_HORIZON", types.ShardIteratorTypeTrimHorizon, "", nil, 0},
		{"LATEST", types.ShardIteratorTypeLatest, "", nil, -1},
		{"AT_SEQUENCE_NUMBER", types.ShardIteratorTypeAtSequenceNumber, seq3, nil, 3},
		{"AFTER_SEQUENCE_NUMBER", types.ShardIteratorTypeAfterSequenceNumber, seq3, nil, 4},
		{"AT_TIMESTAMP", types.ShardIteratorTypeAtTimestamp, "", &mid, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := readAll(t, c, iter(t, c, "rt", shard, tt.typ, tt.seq, tt.ts))
			if tt.first < 0 {
				if len(got) != 0 {
					t.Errorf("got %d records, want none", len(got))
				}
				return
			}
			if len(got) != 11-tt.first || string(got[0].Data) != fmt.Sprint("rec-", tt.first) {
				t.Errorf("got %d records starting %q", len(got), got[0].Data)
			}
		})
	}

	// LATEST sees what is written after it.
	latest := iter(t, c, "rt", shard, types.ShardIteratorTypeLatest, "", nil)
	putN(t, c, "rt", 11, 1)
	got, _ := readAll(t, c, latest)
	if len(got) != 1 || string(got[0].Data) != "rec-11" {
		t.Errorf("LATEST then put: %d records", len(got))
	}

	// Limit and MillisBehindLatest.
	out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(iter(t, c, "rt", shard, types.ShardIteratorTypeTrimHorizon, "", nil)), Limit: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Records) != 2 || aws.ToInt64(out.MillisBehindLatest) < 1000 {
		t.Errorf("Limit 2: %d records, %d ms behind", len(out.Records), aws.ToInt64(out.MillisBehindLatest))
	}

	// Iterators expire after 5 minutes.
	old := iter(t, c, "rt", shard, types.ShardIteratorTypeTrimHorizon, "", nil)
	clk.Advance(5*time.Minute + time.Second)
	_, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(old)})
	if !isErr[*types.ExpiredIteratorException](err) {
		t.Errorf("old iterator: %v, want ExpiredIteratorException", err)
	}
}

func TestRouting(t *testing.T) {
	_, c := startSim(t, testConfig())
	ctx := context.Background()
	createStream(t, c, "r", 4)
	shards := listShards(t, c, "r")
	inRange := func(h *big.Int, sh types.Shard) bool {
		lo, _ := new(big.Int).SetString(aws.ToString(sh.HashKeyRange.StartingHashKey), 10)
		hi, _ := new(big.Int).SetString(aws.ToString(sh.HashKeyRange.EndingHashKey), 10)
		return h.Cmp(lo) >= 0 && h.Cmp(hi) <= 0
	}
	shardOf := func(id string) types.Shard {
		for _, sh := range shards {
			if aws.ToString(sh.ShardId) == id {
				return sh
			}
		}
		t.Fatalf("no shard %s", id)
		return types.Shard{}
	}
	recs := make([]types.PutRecordsRequestEntry, 200)
	for i := range recs {
		recs[i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint("key-", i)), Data: []byte{byte(i)}}
	}
	explicit := []string{"0", "85070591730234615865843651857942052863", "85070591730234615865843651857942052864", "340282366920938463463374607431768211455"}
	for i, k := range explicit {
		recs[i].ExplicitHashKey = aws.String(k)
	}
	out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("r"), Records: recs})
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for i, res := range out.Records {
		var h *big.Int
		if i < len(explicit) {
			h, _ = new(big.Int).SetString(explicit[i], 10)
		} else {
			sum := md5.Sum([]byte(aws.ToString(recs[i].PartitionKey)))
			h = new(big.Int).SetBytes(sum[:])
		}
		id := aws.ToString(res.ShardId)
		used[id] = true
		if !inRange(h, shardOf(id)) {
			t.Errorf("record %d (hash %s) went to %s", i, h, id)
		}
	}
	if len(used) != 4 {
		t.Errorf("200 keys used %d of 4 shards", len(used))
	}
	for i, want := range []string{"shardId-000000000000", "shardId-000000000000", "shardId-000000000001", "shardId-000000000003"} {
		if got := aws.ToString(out.Records[i].ShardId); got != want {
			t.Errorf("explicit hash key %s went to %s, want %s", explicit[i], got, want)
		}
	}
}

func TestRetention(t *testing.T) {
	clk := newFakeClock()
	cfg := testConfig()
	cfg.Retention = time.Hour
	cfg.ShardMaxBytes = 1 << 20
	cfg.Quotas = QuotasOff
	s, c := startSim(t, cfg, WithClock(clk.Now))
	createStream(t, c, "ret", 1)
	const shard = "shardId-000000000000"
	putN(t, c, "ret", 0, 10)
	clk.Advance(30 * time.Minute)
	putN(t, c, "ret", 10, 10)
	clk.Advance(31 * time.Minute) // the first ten are now older than an hour
	got, _ := readAll(t, c, iter(t, c, "ret", shard, types.ShardIteratorTypeTrimHorizon, "", nil))
	if len(got) != 10 || string(got[0].Data) != "rec-10" {
		t.Fatalf("after retention: %d records, first %q", len(got), got[0].Data)
	}

	// The byte cap keeps the newest records.
	big := bytes.Repeat([]byte("x"), 100<<10)
	for i := range 20 {
		if _, err := c.PutRecord(context.Background(), &kinesis.PutRecordInput{StreamName: aws.String("ret"), PartitionKey: aws.String(fmt.Sprint(i)), Data: big}); err != nil {
			t.Fatal(err)
		}
	}
	st := s.Stats().Streams[0].Shards[0]
	if st.RetainedBytes > cfg.ShardMaxBytes || st.RetainedRecords > 10 || st.RecordsTrimmed < 20 {
		t.Errorf("byte cap: %+v", st)
	}
	got, _ = readAll(t, c, iter(t, c, "ret", shard, types.ShardIteratorTypeTrimHorizon, "", nil))
	if len(got) != int(st.RetainedRecords) || aws.ToString(got[len(got)-1].PartitionKey) != "19" {
		t.Errorf("after byte cap read %d records", len(got))
	}
}

// TestMaxMemory: a memory budget spreads a third of itself over every shard
// the server holds, whichever stream it belongs to, and resharding and
// deleting streams move the share.
func TestMaxMemory(t *testing.T) {
	cfg := testConfig()
	cfg.Quotas = QuotasOff
	cfg.MaxMemory = 96 << 20 // a third is 32 MiB
	s, c := startSim(t, cfg)
	createStream(t, c, "a", 2)
	createStream(t, c, "b", 2)
	if got, want := s.shardCap(), int64(8<<20); got != want {
		t.Fatalf("4 shards under a 96 MiB budget: cap %d, want %d", got, want)
	}
	big := bytes.Repeat([]byte("x"), 512<<10)
	for range 60 {
		if _, err := c.PutRecord(context.Background(), &kinesis.PutRecordInput{StreamName: aws.String("a"),
			PartitionKey: aws.String("k"), ExplicitHashKey: aws.String("0"), Data: big}); err != nil {
			t.Fatal(err)
		}
	}
	var total int64
	for _, st := range s.Stats().Streams {
		for _, sh := range st.Shards {
			total += sh.RetainedBytes
			if sh.RetainedBytes > 8<<20 {
				t.Errorf("%s/%s keeps %d bytes, over its 8 MiB share", st.StreamName, sh.ShardID, sh.RetainedBytes)
			}
		}
	}
	if total == 0 || total > cfg.MaxMemory/3 {
		t.Errorf("records kept %d bytes in all, want some and at most a third of the budget", total)
	}
	if _, err := c.DeleteStream(context.Background(), &kinesis.DeleteStreamInput{StreamName: aws.String("b")}); err != nil {
		t.Fatal(err)
	}
	if got, want := s.shardCap(), int64(16<<20); got != want {
		t.Errorf("after deleting b: cap %d, want %d", got, want)
	}
	if _, err := New(Config{Quotas: QuotasOff, Retention: time.Hour, ShardMaxBytes: 1 << 20, MaxMemory: 1 << 20}); err == nil {
		t.Error("a 1 MiB budget was accepted")
	}
}
