package collectors

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/kbench/kbench/metrics"
)

// errNoInitialResponse is the error aws-sdk-go-v2 returns for kinesis-mock's
// SubscribeToShard.
var errNoInitialResponse = errors.New("operation error Kinesis: SubscribeToShard, " +
	"deserialize initial response: expected initial-response, got SubscribeToShardEvent")

// unknownOp is what a target that does not know an operation answers
// (kinesalite, for one).
var unknownOp = &smithy.GenericAPIError{Code: "UnknownOperationException", Message: "not implemented"}

// fakeEFO is a FanOutReader over a fakeStream whose fan-out calls fail as
// told. It logs "register", "deregister" and "subscribe <shard>".
type fakeEFO struct {
	*fakeStream
	registerErr  error // returned by RegisterStreamConsumer
	subscribeErr error // returned by every SubscribeToShard

	efoMu sync.Mutex
	calls []string
}

func (f *fakeEFO) note(s string) {
	f.efoMu.Lock()
	f.calls = append(f.calls, s)
	f.efoMu.Unlock()
}

func (f *fakeEFO) count(s string) int {
	f.efoMu.Lock()
	defer f.efoMu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == s || strings.HasPrefix(c, s+" ") {
			n++
		}
	}
	return n
}

func (f *fakeEFO) DescribeStreamSummary(ctx context.Context, in *kinesis.DescribeStreamSummaryInput, _ ...func(*kinesis.Options)) (*kinesis.DescribeStreamSummaryOutput, error) {
	return &kinesis.DescribeStreamSummaryOutput{StreamDescriptionSummary: &types.StreamDescriptionSummary{StreamARN: aws.String("arn:stream/s")}}, nil
}

func (f *fakeEFO) RegisterStreamConsumer(ctx context.Context, in *kinesis.RegisterStreamConsumerInput, _ ...func(*kinesis.Options)) (*kinesis.RegisterStreamConsumerOutput, error) {
	if f.registerErr != nil {
		return nil, f.registerErr
	}
	f.note("register")
	return &kinesis.RegisterStreamConsumerOutput{Consumer: &types.Consumer{ConsumerARN: aws.String("arn:consumer/" + aws.ToString(in.ConsumerName))}}, nil
}

func (f *fakeEFO) DescribeStreamConsumer(ctx context.Context, in *kinesis.DescribeStreamConsumerInput, _ ...func(*kinesis.Options)) (*kinesis.DescribeStreamConsumerOutput, error) {
	return &kinesis.DescribeStreamConsumerOutput{ConsumerDescription: &types.ConsumerDescription{
		ConsumerARN: in.ConsumerARN, ConsumerStatus: types.ConsumerStatusActive,
	}}, nil
}

func (f *fakeEFO) DeregisterStreamConsumer(ctx context.Context, in *kinesis.DeregisterStreamConsumerInput, _ ...func(*kinesis.Options)) (*kinesis.DeregisterStreamConsumerOutput, error) {
	f.note("deregister")
	return &kinesis.DeregisterStreamConsumerOutput{}, nil
}

func (f *fakeEFO) SubscribeToShard(ctx context.Context, in *kinesis.SubscribeToShardInput, _ ...func(*kinesis.Options)) (*kinesis.SubscribeToShardOutput, error) {
	f.note("subscribe " + aws.ToString(in.ShardId))
	return nil, f.subscribeErr
}

func TestFanOutUnsupported(t *testing.T) {
	tests := []struct {
		name         string
		registerErr  error
		subscribeErr error
		unsupported  bool // Run fails with ErrFanOutUnsupported
		registered   int  // consumers registered (and so deregistered)
	}{
		{"no initial-response", nil, errNoInitialResponse, true, 1},
		{"unknown subscribe", nil, unknownOp, true, 1},
		{"unknown register", unknownOp, nil, true, 0},
		{"transient subscribe errors are retried", nil, errors.New("connection reset"), false, 1},
		{"throttled subscribe is retried", nil, &types.LimitExceededException{Message: aws.String("slow")}, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f, _ := twoShards(2)
				efo := &fakeEFO{fakeStream: f, registerErr: tt.registerErr, subscribeErr: tt.subscribeErr}
				app := metrics.NewApp("efo")
				fo, err := NewFanOut(Config{Name: "efo", Stream: "s", RunID: testRun, Metrics: metrics.NewRun(2),
					Tracker: NewTracker(2), App: app, Log: t.Logf}, efo)
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				err = runFor(fo, time.Minute)
				took := time.Since(start)
				if got := errors.Is(err, ErrFanOutUnsupported); got != tt.unsupported {
					t.Fatalf("Run = %v, want ErrFanOutUnsupported %v", err, tt.unsupported)
				}
				if tt.unsupported {
					if took > time.Second {
						t.Errorf("Run gave up after %v, want at once", took)
					}
				} else if err != nil || fo.Stats().Calls < 10 {
					t.Errorf("Run = %v after %d calls, want nil after retrying for the whole minute", err, fo.Stats().Calls)
				}
				if got := efo.count("register"); got != tt.registered {
					t.Errorf("registered %d consumers, want %d", got, tt.registered)
				}
				if got := efo.count("deregister"); got != tt.registered {
					t.Errorf("deregistered %d consumers, want %d", got, tt.registered)
				}
				if app.Calls.Load() != fo.Stats().Calls {
					t.Errorf("app calls %d, stats calls %d", app.Calls.Load(), fo.Stats().Calls)
				}
			})
		})
	}
}

func TestAutoFallsBackToPolling(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 6
		f, bytes := twoShards(n)
		efo := &fakeEFO{fakeStream: f, subscribeErr: errNoInitialResponse}
		run := metrics.NewRun(2)
		ack(run, n)
		app := metrics.NewApp("efo")
		tr := NewTracker(2)
		var log logLines
		a, err := NewFanOutOrPolling(Config{Name: "efo", Stream: "s", RunID: testRun, Limit: 4,
			Primary: true, Metrics: run, Tracker: tr, App: app, Log: log.log}, efo, f)
		if err != nil {
			t.Fatal(err)
		}
		if a.Kind() != KindFanOut {
			t.Errorf("Kind before Run %q", a.Kind())
		}
		if err := runFor(a, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		if a.Kind() != KindPolling {
			t.Errorf("Kind %q, want %q", a.Kind(), KindPolling)
		}
		if fb := app.Fallback(); !strings.HasPrefix(fb, "polling: ") || !strings.Contains(fb, "initial-response") {
			t.Errorf("Fallback %q", fb)
		}
		want := "consumer efo: target cannot serve enhanced fan-out (subscribe to shard shard-"
		if i := log.index(want); i < 0 || !strings.HasSuffix(log.lines[i], "; falling back to polling") {
			t.Errorf("no fallback line %q… in %q", want, log.lines)
		}
		if tr.Seen() != 2*n || tr.Duplicates() != 0 || tr.Lost(run) != 0 || app.Consumed.Load() != 2*n ||
			app.ConsumedBytes.Load() != bytes || run.Consumed.Load() != 2*n {
			t.Errorf("seen %d duplicates %d lost %d app consumed %d bytes %d run consumed %d, want %d 0 0 %d %d %d",
				tr.Seen(), tr.Duplicates(), tr.Lost(run), app.Consumed.Load(), app.ConsumedBytes.Load(), run.Consumed.Load(),
				2*n, 2*n, bytes, 2*n)
		}
		if efo.count("deregister") != 1 {
			t.Errorf("deregistered %d times, want 1", efo.count("deregister"))
		}
		st := a.Stats()
		// A subscription failing as the first one stops the collector is
		// not counted: its error is the cancellation.
		gets := run.GetRecordsCalls.Load()
		if subs := int64(efo.count("subscribe")); st.Seen != 2*n || st.Calls <= gets || st.Calls > gets+subs || app.Calls.Load() != st.Calls {
			t.Errorf("stats %+v, subscribe calls %d, GetRecords calls %d, app calls %d", st, subs, gets, app.Calls.Load())
		}
	})
}

func TestAutoKeepsOtherErrors(t *testing.T) {
	f, _ := twoShards(1)
	efo := &fakeEFO{fakeStream: f, subscribeErr: errNoInitialResponse}
	app := metrics.NewApp("efo")
	a, err := NewFanOutOrPolling(Config{Name: "efo", Stream: "missing", Metrics: metrics.NewRun(1),
		Tracker: NewTracker(1), App: app}, efo, f)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := a.Run(ctx); err == nil || errors.Is(err, ErrFanOutUnsupported) || !strings.Contains(err.Error(), "no stream") {
		t.Errorf("Run = %v, want the stream's ResourceNotFoundException", err)
	}
	if a.Kind() != KindFanOut || app.Fallback() != "" {
		t.Errorf("kind %q fallback %q after a failed start", a.Kind(), app.Fallback())
	}
}

func TestNewFanOutOrPollingRejectsBadConfig(t *testing.T) {
	f, _ := twoShards(1)
	efo := &fakeEFO{fakeStream: f}
	good := Config{Name: "efo", Stream: "s", Metrics: metrics.NewRun(1), Tracker: NewTracker(1), App: metrics.NewApp("efo")}
	tests := []struct {
		name string
		cfg  func(Config) Config
		push FanOutReader
		poll Reader
		want []string
	}{
		{"no app", func(c Config) Config { c.App = nil; return c }, efo, f, []string{"nil App"}},
		{"no name", func(c Config) Config { c.Name = ""; return c }, efo, f, []string{"consumer name"}},
		{"no readers", func(c Config) Config { return c }, nil, nil, []string{"nil FanOutReader", "nil Reader"}},
		{"bad processing and concurrency", func(c Config) Config {
			c.Processing, c.Concurrency, c.CheckpointInterval = Processing{Median: 2, P99: 1}, -1, -1
			c.Deadlines = []time.Duration{0, -1}
			return c
		}, efo, f, []string{"must be at least median", "concurrency: must not be negative", "checkpoint_interval: must not be negative", "producer 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewFanOutOrPolling(tt.cfg(good), tt.push, tt.poll)
			for _, w := range tt.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v, want one containing %q", err, w)
				}
			}
		})
	}
}
