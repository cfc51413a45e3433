package collectors

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/targets"
)

// testWriter sends a target's progress lines to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// TestAutoFallsBackOnKinesisMock runs a fan-out application against the real
// kinesis-mock, whose SubscribeToShard the SDK cannot read: it must fall back
// to polling at once, deregister its consumer and still read every record.
func TestAutoFallsBackOnKinesisMock(t *testing.T) {
	if testing.Short() {
		t.Skip("starts kinesis-mock; skipped with -short")
	}
	if os.Getenv("KBENCH_KINESIS_MOCK_DIR") == "" {
		t.Skip("KBENCH_KINESIS_MOCK_DIR is not set: it names an installed kinesis-local (make test sets it); " +
			"skipping the kinesis-mock fan-out fallback test")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("kinesis-mock needs Node.js (node) on PATH: ", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	tgt, err := targets.Open(ctx, targets.Spec{Kind: targets.KindKinesisMock, Log: testWriter{t}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tgt.Close() })
	c, err := tgt.Client(ctx, targets.ClientOptions{MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	const stream = "kb-fallback"
	if _, err := targets.EnsureStream(ctx, c, targets.StreamSpec{Name: stream, Shards: 2}); err != nil {
		t.Fatal(err)
	}
	run := metrics.NewRun(2)
	tr := NewTracker(2)
	app := metrics.NewApp("efo")
	var log logLines
	a, err := NewFanOutOrPolling(Config{
		Name: "efo", Stream: stream, RunID: testRun, PollInterval: 200 * time.Millisecond,
		Primary: true, Metrics: run, Tracker: tr, App: app,
		Log: func(format string, args ...any) { t.Logf(format, args...); log.log(format, args...) },
	}, c, c)
	if err != nil {
		t.Fatal(err)
	}
	n := putEnveloped(t, c, stream, run, 2, 0, 40)
	rctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	began := time.Now()
	go func() { done <- a.Run(rctx) }()
	for a.Kind() != KindPolling && time.Since(began) < 15*time.Second {
		time.Sleep(20 * time.Millisecond)
	}
	if a.Kind() != KindPolling {
		t.Fatalf("no fallback to polling after %v", time.Since(began))
	}
	t.Logf("fell back to polling after %v", time.Since(began).Round(time.Millisecond))
	n += putEnveloped(t, c, stream, run, 2, 40, 80)
	waitSeen(t, tr, n)
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if fb := app.Fallback(); !strings.HasPrefix(fb, "polling: ") || !strings.Contains(fb, "initial-response") {
		t.Errorf("Fallback %q, want the missing initial-response named", fb)
	}
	if log.index("falling back to polling") < 0 {
		t.Error("no fallback log line")
	}
	if tr.Seen() != n || tr.Lost(run) != 0 || tr.Duplicates() > run.Retried.Load() || app.Consumed.Load() != n {
		t.Errorf("seen %d lost %d duplicates %d (resent %d) app consumed %d, want %d 0 0 - %d",
			tr.Seen(), tr.Lost(run), tr.Duplicates(), run.Retried.Load(), app.Consumed.Load(), n, n)
	}
	summary, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	consumers, err := c.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: summary.StreamDescriptionSummary.StreamARN})
	if err != nil {
		t.Fatal(err)
	}
	for _, cons := range consumers.Consumers {
		if cons.ConsumerStatus != types.ConsumerStatusDeleting {
			t.Errorf("consumer %s left %s", *cons.ConsumerName, cons.ConsumerStatus)
		}
	}
}
