package collectors

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/sim"
	"github.com/kbench/kbench/targets"
)

// simClient starts kbench's simulated endpoint and returns the SDK client
// kbench itself uses for it (targets: the SDK's default retries). The
// server stops when the test ends.
func simClient(t *testing.T, cfg sim.Config) *kinesis.Client {
	t.Helper()
	tgt, err := targets.Open(t.Context(), targets.Spec{Kind: targets.KindSim, Sim: cfg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tgt.Close() })
	c, err := tgt.Client(t.Context(), targets.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// waitActive polls the stream's status until it is ACTIVE (bounded).
func waitActive(t *testing.T, c *kinesis.Client, stream string) {
	t.Helper()
	for range 200 {
		out, err := c.DescribeStreamSummary(t.Context(), &kinesis.DescribeStreamSummaryInput{StreamName: &stream})
		if err == nil && out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("stream %s not ACTIVE in time", stream)
}

// createStream creates a provisioned stream and waits until it is ACTIVE.
func createStream(t *testing.T, c *kinesis.Client, stream string, shards int32) {
	t.Helper()
	_, err := c.CreateStream(t.Context(), &kinesis.CreateStreamInput{StreamName: &stream, ShardCount: &shards})
	if err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, stream)
}

// putEnveloped writes records seq from..to-1 of each producer (keys spread
// over 16 values), stamped with envelope.Now, and marks the acknowledged ones
// in run. It returns how many were acknowledged. A call that fails whole is
// sent again, and its records are counted in run.Retried: the first attempt
// may have been written (a response lost on the way back), so they may be
// read twice.
func putEnveloped(t *testing.T, c *kinesis.Client, stream string, run *metrics.Run, producers int, from, to uint64) int64 {
	t.Helper()
	var acked int64
	for p := range uint32(producers) {
		var entries []types.PutRecordsRequestEntry
		for seq := from; seq < to; seq++ {
			now := envelope.Now()
			e := envelope.Envelope{RunID: testRun, ProducerID: p, Seq: seq, Intended: now, Sent: now}
			entries = append(entries, types.PutRecordsRequestEntry{
				Data:         append(e.Append(nil), "payload"...),
				PartitionKey: aws.String(fmt.Sprintf("p%d-k%d", p, seq%16)),
			})
		}
		var out *kinesis.PutRecordsOutput
		var err error
		for attempt := range 5 {
			if attempt > 0 {
				t.Logf("PutRecords: %v; sending again", err)
				run.Retried.Add(int64(len(entries)))
			}
			out, err = c.PutRecords(t.Context(), &kinesis.PutRecordsInput{StreamName: &stream, Records: entries}, noSDKRetry)
			if err == nil {
				break
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range out.Records {
			if r.ErrorCode == nil {
				run.AckedSet(p).Add(from + uint64(i))
				acked++
			}
		}
	}
	run.Acked.Add(acked)
	return acked
}

// waitSeen waits (bounded) until tr has seen n records.
func waitSeen(t *testing.T, tr *Tracker, n int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for tr.Seen() < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
}

// logLines collects a collector's log lines.
type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) log(format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func (l *logLines) index(sub string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.IndexFunc(l.lines, func(s string) bool { return strings.Contains(s, sub) })
}

// checkRun checks a finished run's accounting against n acknowledged records.
func checkRun(t *testing.T, run *metrics.Run, tr *Tracker, n int64) {
	t.Helper()
	if tr.Seen() != n || tr.Duplicates() > run.Retried.Load() || tr.Lost(run) != 0 {
		t.Errorf("seen %d duplicates %d (records sent twice %d) lost %d, want %d, none beyond resends, 0",
			tr.Seen(), tr.Duplicates(), run.Retried.Load(), tr.Lost(run), n)
	}
	if run.Consumed.Load() != n || run.Measured.Load() != n {
		t.Errorf("consumed %d measured %d, want %d", run.Consumed.Load(), run.Measured.Load(), n)
	}
	e2e, uncorr := run.E2E.Rotate(), run.E2EUncorrected.Rotate()
	if e2e.TotalCount() != n || uncorr.TotalCount() != n {
		t.Errorf("e2e count %d uncorrected %d, want %d", e2e.TotalCount(), uncorr.TotalCount(), n)
	}
	if max := time.Duration(e2e.Max()); max <= 0 || max > 15*time.Second {
		t.Errorf("e2e max %v", max)
	}
	var perShard int64
	for _, id := range run.ShardIDs() {
		perShard += run.Shard(id).Consumed.Load()
	}
	if perShard != n {
		t.Errorf("per-shard consumed sums to %d, want %d", perShard, n)
	}
}

func TestPollingAgainstSim(t *testing.T) {
	c := simClient(t, sim.DefaultConfig())
	createStream(t, c, "kb", 2)
	run := metrics.NewRun(2)
	tr := NewTracker(2)
	n := putEnveloped(t, c, "kb", run, 2, 0, 300)
	p, err := NewPolling(Config{
		Name: "it", Stream: "kb", RunID: testRun, PollInterval: 200 * time.Millisecond, Limit: 100,
		Deadline: 10 * time.Second, Primary: true, Metrics: run, Tracker: tr, App: metrics.NewApp("t"), Log: t.Logf,
	}, c)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	n += putEnveloped(t, c, "kb", run, 2, 300, 400) // while the collector runs
	waitSeen(t, tr, n)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	t.Logf("stats %+v", p.Stats())
	checkRun(t, run, tr, n)
	if len(run.ShardIDs()) != 2 {
		t.Errorf("shards consumed from: %v", run.ShardIDs())
	}
	if run.OnTime.Load() != n {
		t.Errorf("within deadline %d, want %d", run.OnTime.Load(), n)
	}
	if st := p.Stats(); st.Calls == 0 || st.Calls != run.GetRecordsCalls.Load() {
		t.Errorf("stats %+v, metrics calls %d", st, run.GetRecordsCalls.Load())
	}
}

func TestPollingAgainstSimNoStream(t *testing.T) {
	c := simClient(t, sim.DefaultConfig())
	p, err := NewPolling(Config{Stream: "missing", Metrics: metrics.NewRun(1), Tracker: NewTracker(1), App: metrics.NewApp("t")}, c)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := p.Run(ctx); err == nil || !strings.Contains(err.Error(), "ResourceNotFound") {
		t.Fatalf("Run = %v, want ResourceNotFoundException", err)
	}
}

// collector is what the sim tests need of either collector.
type collector interface {
	Run(ctx context.Context) error
	Stats() Stats
	Kind() string
	Restart(pause time.Duration)
}

// newCollector builds one kind of collector for the sim tests.
type newCollector func(cfg Config, c *kinesis.Client) (collector, error)

var collectorKinds = []struct {
	name string
	make newCollector
}{
	{"polling", func(cfg Config, c *kinesis.Client) (collector, error) { return NewPolling(cfg, c) }},
	{"fanout", func(cfg Config, c *kinesis.Client) (collector, error) { return NewFanOut(cfg, c) }},
}

func TestReshardAgainstSim(t *testing.T) {
	for _, kind := range collectorKinds {
		t.Run(kind.name, func(t *testing.T) {
			c := simClient(t, sim.DefaultConfig())
			createStream(t, c, "kb", 2)
			run := metrics.NewRun(2)
			tr := NewTracker(2)
			var log logLines
			p, err := kind.make(Config{
				Name: "it", Stream: "kb", RunID: testRun, PollInterval: 200 * time.Millisecond,
				Primary: true, Metrics: run, Tracker: tr, App: metrics.NewApp("t"), Log: log.log,
			}, c)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() { done <- p.Run(ctx) }()
			n := putEnveloped(t, c, "kb", run, 2, 0, 100)
			_, err = c.UpdateShardCount(t.Context(), &kinesis.UpdateShardCountInput{
				StreamName: aws.String("kb"), TargetShardCount: aws.Int32(4), ScalingType: types.ScalingTypeUniformScaling,
			})
			if err != nil {
				t.Fatal(err)
			}
			waitActive(t, c, "kb")
			n += putEnveloped(t, c, "kb", run, 2, 100, 200)
			waitSeen(t, tr, n)
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			checkRun(t, run, tr, n)
			// Each key's records went out in sequence order, and children
			// are read after their parents: nothing is out of order.
			if late := run.OutOfOrder.Load(); late != 0 || !tr.OrderExact() {
				t.Errorf("%d records out of order (exact %v), want 0 across the reshard", late, tr.OrderExact())
			}
			shards, err := c.ListShards(t.Context(), &kinesis.ListShardsInput{StreamName: aws.String("kb")})
			if err != nil {
				t.Fatal(err)
			}
			if len(shards.Shards) != 6 {
				t.Fatalf("%d shards after the reshard, want 6", len(shards.Shards))
			}
			for _, s := range shards.Shards {
				started := log.index("reading shard " + *s.ShardId)
				for _, parent := range []*string{s.ParentShardId, s.AdjacentParentShardId} {
					if parent == nil {
						continue
					}
					if ended := log.index("shard " + *parent + " read to its end"); ended < 0 || started < ended {
						t.Errorf("%s started (line %d) before its parent %s ended (line %d)", *s.ShardId, started, *parent, ended)
					}
				}
			}
		})
	}
}

func TestFanOutAgainstSim(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.SubscriptionDuration = 1500 * time.Millisecond // resubscribe during the test
	c := simClient(t, cfg)
	createStream(t, c, "kb", 2)
	run := metrics.NewRun(2)
	tr := NewTracker(2)
	n := putEnveloped(t, c, "kb", run, 2, 0, 200)
	f, err := NewFanOut(Config{
		Name: "efo", Stream: "kb", RunID: testRun, Deadline: 10 * time.Second,
		Primary: true, Metrics: run, Tracker: tr, App: metrics.NewApp("t"), Log: t.Logf,
	}, c)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	waitSeen(t, tr, n)
	time.Sleep(2 * time.Second) // past one subscription's end
	n += putEnveloped(t, c, "kb", run, 2, 200, 300)
	waitSeen(t, tr, n)
	st := f.Stats()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	t.Logf("stats %+v", st)
	checkRun(t, run, tr, n)
	if st.Calls < 4 || st.Shards != 2 {
		t.Errorf("stats %+v: want at least 2 subscriptions per shard, 2 shards read", st)
	}
	if run.GetRecordsCalls.Load() != 0 {
		t.Errorf("fan-out counted %d GetRecords calls", run.GetRecordsCalls.Load())
	}
	consumers, err := c.ListStreamConsumers(t.Context(), &kinesis.ListStreamConsumersInput{StreamARN: streamARN(t, c, "kb")})
	if err != nil {
		t.Fatal(err)
	}
	if len(consumers.Consumers) != 0 {
		t.Errorf("consumers left registered: %d", len(consumers.Consumers))
	}
}

func TestFanOutReusesRegisteredConsumer(t *testing.T) {
	c := simClient(t, sim.DefaultConfig())
	createStream(t, c, "kb", 1)
	arn := streamARN(t, c, "kb")
	if _, err := c.RegisterStreamConsumer(t.Context(), &kinesis.RegisterStreamConsumerInput{
		StreamARN: arn, ConsumerName: aws.String("existing"),
	}); err != nil {
		t.Fatal(err)
	}
	run := metrics.NewRun(1)
	tr := NewTracker(1)
	n := putEnveloped(t, c, "kb", run, 1, 0, 50)
	f, err := NewFanOut(Config{Name: "existing", Stream: "kb", RunID: testRun, Primary: true, Metrics: run, Tracker: tr, App: metrics.NewApp("t"), Log: t.Logf}, c)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	waitSeen(t, tr, n)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	checkRun(t, run, tr, n)
	consumers, err := c.ListStreamConsumers(t.Context(), &kinesis.ListStreamConsumersInput{StreamARN: arn})
	if err != nil {
		t.Fatal(err)
	}
	if len(consumers.Consumers) != 1 {
		t.Errorf("%d consumers registered, want the existing one kept", len(consumers.Consumers))
	}
}

func TestFanOutAgainstSimNoStream(t *testing.T) {
	c := simClient(t, sim.DefaultConfig())
	f, err := NewFanOut(Config{Name: "x", Stream: "missing", Metrics: metrics.NewRun(1), Tracker: NewTracker(1), App: metrics.NewApp("t")}, c)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := f.Run(ctx); err == nil || !strings.Contains(err.Error(), "ResourceNotFound") {
		t.Fatalf("Run = %v, want ResourceNotFoundException", err)
	}
}

// streamARN returns the stream's ARN.
func streamARN(t *testing.T, c *kinesis.Client, stream string) *string {
	t.Helper()
	out, err := c.DescribeStreamSummary(t.Context(), &kinesis.DescribeStreamSummaryInput{StreamName: &stream})
	if err != nil {
		t.Fatal(err)
	}
	return out.StreamDescriptionSummary.StreamARN
}
