package runner

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/generators"
	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/pack"
)

// packPutter unpacks every Kinesis record it receives, as a consumer
// would, checks that all user records of one Kinesis record route to the
// Kinesis record's own shard, and acknowledges it unless code says
// otherwise for that Kinesis record's attempt.
type packPutter struct {
	t *testing.T
	// code returns the error code of the n-th Kinesis record received
	// (0-based, over all calls); "" acknowledges it.
	code func(n int) string

	mu      sync.Mutex
	n       int
	acked   map[uint64]int // user record seq → times in an acknowledged Kinesis record
	kinesis int            // Kinesis records acknowledged
	codecs  map[string]int
	sizes   []int // data bytes of each Kinesis record received
	// lastData is the Kinesis record code is asked about.
	lastData []byte
	u        pack.Unpacker
}

func (f *packPutter) PutRecords(_ context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.acked == nil {
		f.acked, f.codecs = map[uint64]int{}, map[string]int{}
	}
	out := &kinesis.PutRecordsOutput{Records: make([]types.PutRecordsResultEntry, len(in.Records))}
	for i, e := range in.Records {
		n := f.n
		f.n++
		f.sizes = append(f.sizes, len(e.Data))
		got, err := f.u.Unpack(*e.PartitionKey, e.Data)
		if err != nil {
			f.t.Errorf("Kinesis record %d: %v", n, err)
			continue
		}
		f.codecs[got.Codec]++
		shard := fakeShardOf(*e.PartitionKey, "")
		var seqs []uint64
		for _, r := range got.Records {
			if s := fakeShardOf(string(r.PartitionKey), ""); s != shard {
				f.t.Errorf("Kinesis record %d (shard %s) carries a record of key %q for %s", n, shard, r.PartitionKey, s)
			}
			env, err := envelope.Decode(r.Data)
			if err != nil {
				f.t.Errorf("Kinesis record %d: user record: %v", n, err)
				continue
			}
			seqs = append(seqs, env.Seq)
		}
		if f.code != nil {
			f.lastData = e.Data
			if c := f.code(n); c != "" {
				out.Records[i].ErrorCode = aws.String(c)
				continue
			}
		}
		for _, s := range seqs {
			f.acked[s]++
		}
		f.kinesis++
		out.Records[i].ShardId = aws.String(shard)
		out.Records[i].SequenceNumber = aws.String("1")
	}
	return out, nil
}

func aggConfig(m *metrics.Run, records int, k Packing) ProducerConfig {
	cfg := prodConfig(m, fakePacer{gap: 200 * time.Microsecond, limit: uint64(records)})
	cfg.Linger = 5 * time.Millisecond
	cfg.Packing = k
	return cfg
}

func TestProducerAggregatesPerShard(t *testing.T) {
	zstd, _ := pack.Codecs.Lookup("zstd")
	for _, tc := range []struct {
		name string
		k    Packing
	}{
		{"aggregation", Packing{Aggregate: true, MaxRecords: 50, MaxBytes: 51200, Linger: 20 * time.Millisecond}},
		{"aggregation+zstd", Packing{Aggregate: true, MaxRecords: 50, MaxBytes: 51200, Linger: 20 * time.Millisecond, Codec: &zstd, Level: 1}},
		{"zstd only", Packing{Codec: &zstd, Level: 2}},
		{"small aggregates", Packing{Aggregate: true, MaxRecords: 1000, MaxBytes: 400, Linger: 20 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := metrics.NewRun(1)
			f := &packPutter{t: t}
			const n = 1000
			cfg := aggConfig(m, n, tc.k)
			pr, err := NewProducer(cfg, f)
			if err != nil {
				t.Fatal(err)
			}
			if err := pr.Run(t.Context()); err != nil {
				t.Fatal(err)
			}
			prodCheckBuckets(t, m)
			if m.Acked.Load() != n || len(f.acked) != n {
				t.Fatalf("acked %d, putter saw %d distinct user records; want %d", m.Acked.Load(), len(f.acked), n)
			}
			for seq, times := range f.acked {
				if times != 1 {
					t.Errorf("user record %d acknowledged %d times", seq, times)
				}
			}
			if got := m.KinesisRecords.Load(); got != int64(f.kinesis) {
				t.Errorf("KinesisRecords %d, putter acknowledged %d", got, f.kinesis)
			}
			var users, kin int64
			for _, id := range m.ShardIDs() {
				users += m.Shard(id).Records.Load()
				kin += m.Shard(id).KinesisRecords.Load()
			}
			if users != n || kin != int64(f.kinesis) {
				t.Errorf("per shard: %d user records in %d Kinesis records, want %d in %d", users, kin, n, f.kinesis)
			}
			st := pr.PackStats()
			if st.Records != n || st.Kinesis != int64(f.kinesis) || st.RawBytes <= 0 || st.SentBytes <= 0 || st.EncodeNs <= 0 {
				t.Errorf("PackStats %+v", st)
			}
			switch {
			case tc.k.Aggregate && f.kinesis >= n/2:
				t.Errorf("%d Kinesis records for %d user records: not aggregated", f.kinesis, n)
			case !tc.k.Aggregate && f.kinesis != n:
				t.Errorf("%d Kinesis records for %d user records without aggregation", f.kinesis, n)
			case tc.k.Codec != nil && f.codecs["zstd"] != f.kinesis:
				t.Errorf("codecs %v: every Kinesis record should be zstd", f.codecs)
			}
			if tc.k.Aggregate && tc.k.Codec == nil {
				for i, s := range f.sizes {
					if s > tc.k.MaxBytes && s > envelope.Size+60 {
						t.Errorf("Kinesis record %d: %d bytes, over MaxBytes %d", i, s, tc.k.MaxBytes)
					}
				}
			}
			t.Logf("%d user records in %d Kinesis records; %d raw bytes, %d sent; %.0f ns/record",
				st.Records, st.Kinesis, st.RawBytes, st.SentBytes, float64(st.EncodeNs)/float64(st.Records))
		})
	}
}

// TestAggregateThrottleCountsKinesisRecords: throttled and failed Kinesis
// records are counted in the quota's unit (Throttled) and in user records
// (Failed), so every user record still ends in exactly one bucket.
func TestAggregateThrottleCountsKinesisRecords(t *testing.T) {
	m := metrics.NewRun(1)
	// Every Kinesis record is throttled on its first attempt; with
	// MaxAttempts 1 nothing is retried, so all fail.
	f := &packPutter{t: t, code: func(int) string { return codeThroughput }}
	cfg := aggConfig(m, 400, Packing{Aggregate: true, MaxRecords: 100, MaxBytes: 51200, Linger: 10 * time.Millisecond})
	cfg.Retry.MaxAttempts = 1
	prodRun(t, cfg, f, nil)
	if m.Failed.Load() != 400 || m.Acked.Load() != 0 {
		t.Errorf("failed %d acked %d, want all 400 user records failed", m.Failed.Load(), m.Acked.Load())
	}
	if got := m.Throttled.Load(); got != int64(f.n) || got >= 400 {
		t.Errorf("throttled %d, want the %d Kinesis records (fewer than the 400 user records)", got, f.n)
	}
	if got := m.FailReasons()[codeThroughput]; got != 400 {
		t.Errorf("failed by reason %v", m.FailReasons())
	}
}

func TestAggregateRetriesAfterThrottle(t *testing.T) {
	m := metrics.NewRun(1)
	// Every other Kinesis record is throttled on its first attempt only, so
	// with concurrent calls no record can be refused until it gives up.
	tried := map[string]bool{}
	f := &packPutter{t: t}
	f.code = func(n int) string {
		key := string(f.lastData)
		if n%2 == 0 && !tried[key] {
			tried[key] = true
			return codeThroughput
		}
		return ""
	}
	cfg := aggConfig(m, 600, Packing{Aggregate: true, MaxRecords: 60, MaxBytes: 51200, Linger: 10 * time.Millisecond})
	cfg.Retry.MaxAttempts = 8
	prodRun(t, cfg, f, nil)
	if m.Acked.Load() != 600 || len(f.acked) != 600 {
		t.Errorf("acked %d, distinct %d; want 600 (failed %d %v, unsent %d)", m.Acked.Load(), len(f.acked), m.Failed.Load(), m.FailReasons(), m.Unsent.Load())
	}
	if m.Throttled.Load() == 0 || m.Throttled.Load() != int64(f.n-f.kinesis) {
		t.Errorf("throttled %d, want the %d Kinesis record attempts refused", m.Throttled.Load(), f.n-f.kinesis)
	}
}

// TestAggregateCancelCountsUnsent: records waiting in open aggregates when
// the run is cancelled are unsent, not lost from the accounting.
func TestAggregateCancelCountsUnsent(t *testing.T) {
	m := metrics.NewRun(1)
	f := &packPutter{t: t}
	cfg := aggConfig(m, 0, Packing{Aggregate: true, MaxRecords: 1000, MaxBytes: 51200, Linger: 10 * time.Second})
	cfg.Duration = time.Hour
	pr, err := NewProducer(cfg, f)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	_ = pr.Run(ctx)
	prodCheckBuckets(t, m)
	if m.Unsent.Load() == 0 || m.Produced.Load() == 0 {
		t.Errorf("produced %d, unsent %d: lingering aggregates should be unsent", m.Produced.Load(), m.Unsent.Load())
	}
}

func TestPackingProblems(t *testing.T) {
	lz4, _ := pack.Codecs.Lookup("lz4")
	k := Packing{Aggregate: true, MaxRecords: 0, MaxBytes: 2 << 20, Linger: -1, Codec: &lz4, Level: 12}
	m := metrics.NewRun(1)
	_, err := NewProducer(aggConfig(m, 1, k), &packPutter{t: t})
	if err == nil {
		t.Fatal("NewProducer accepted bad packing")
	}
	for _, field := range []string{"aggregation.max_records", "aggregation.max_bytes", "aggregation.linger", "compression.level"} {
		if !strings.Contains(err.Error(), field) {
			t.Errorf("no problem at %s in %v", field, err)
		}
	}
	if _, err := NewProducer(aggConfig(m, 1, Packing{}), &packPutter{t: t}); err != nil {
		t.Errorf("the zero Packing: %v", err)
	}
}

// BenchmarkProducerPacked is BenchmarkProducer with IoT readings (about
// 250 bytes with the envelope; 4 shards by entity) aggregated, compressed
// or both: ns and allocations per user record, and the bytes sent per user
// record against the raw ones.
func BenchmarkProducerPacked(b *testing.B) {
	zstd, _ := pack.Codecs.Lookup("zstd")
	lz4, _ := pack.Codecs.Lookup("lz4")
	agg := Packing{Aggregate: true, MaxRecords: 1000, MaxBytes: 51200, Linger: 10 * time.Second}
	aggZstd, aggLz4 := agg, agg
	aggZstd.Codec, aggZstd.Level = &zstd, zstd.DefaultLevel
	aggLz4.Codec, aggLz4.Level = &lz4, lz4.DefaultLevel
	for _, bc := range []struct {
		name string
		k    Packing
	}{
		{"none", Packing{}},
		{"agg", agg},
		{"agg+zstd", aggZstd},
		{"agg+lz4", aggLz4},
		{"zstd", Packing{Codec: &zstd, Level: zstd.DefaultLevel}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			opts, err := generators.NewOptions("iot")
			if err != nil {
				b.Fatal(err)
			}
			gen, err := generators.New(opts, 1)
			if err != nil {
				b.Fatal(err)
			}
			m := metrics.NewRun(1)
			cfg := prodConfig(m, fakePacer{gap: 0, limit: uint64(b.N)})
			cfg.Generator, cfg.Keys = gen, fakeShardKeys{}
			cfg.Duration, cfg.InFlight = time.Hour, 4
			cfg.Packing = bc.k
			pr, err := NewProducer(cfg, newBenchPutter())
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			if err := pr.Run(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if m.Acked.Load() != int64(b.N) {
				b.Fatalf("acked %d of %d", m.Acked.Load(), b.N)
			}
			st := pr.PackStats()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/record")
			b.ReportMetric(float64(st.RawBytes)/float64(st.Records), "raw-B/rec")
			b.ReportMetric(float64(st.SentBytes)/float64(st.Records), "sent-B/rec")
		})
	}
}

// fakeShardKeys spreads entities over the four fakeShardOf shards by their
// last byte, keeping the entity's own key inside the aggregate.
type fakeShardKeys struct{}

func (fakeShardKeys) Key(entity string) (string, string) {
	return fakeEntities[int(entity[len(entity)-1])%len(fakeEntities)], ""
}
