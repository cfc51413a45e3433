package main

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kbench/kbench/sim"
)

// lockedBuffer is a log destination safe for the detector's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestFanOutResubscribes runs the detector's enhanced fan-out reader, with
// its own SDK client, against the simulator ending every subscription after
// a second: each of 16 shards is resubscribed about once a second, a few
// hundred times in all, and not one subscription may fail. (With the SDK's
// request body as it comes, a few in a hundred failed right after their
// initial response with "use of closed network connection".)
func TestFanOutResubscribes(t *testing.T) {
	if testing.Short() {
		t.Skip("reads by enhanced fan-out for 12 s")
	}
	cfg := sim.DefaultConfig()
	cfg.CreateDelay, cfg.UpdateDelay, cfg.DeleteDelay = 0, 0, 0
	cfg.SubscriptionDuration = time.Second // AWS: 5 minutes
	url, stop, err := sim.Start(context.Background(), cfg, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	t.Setenv("AWS_ENDPOINT_URL_KINESIS", url)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	ctx := context.Background()
	c, err := newClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const shards = 16
	for name, n := range map[string]int32{"payments": shards, "alerts": 1} {
		if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(n)}); err != nil {
			t.Fatal(err)
		}
	}

	logs := &lockedBuffer{}
	log.SetOutput(logs)
	defer log.SetOutput(os.Stderr)
	rctx, cancel := context.WithTimeout(ctx, 12*time.Second)
	defer cancel()
	go func() { // a payment a shard every 100 ms, an incident now and then
		for i := 0; rctx.Err() == nil; i++ {
			var recs []types.PutRecordsRequestEntry
			for k := range shards {
				country := []string{"US", "DE"}[i%2]
				data := fmt.Appendf(nil, `{"txn_id":"t%d-%d","ts":%q,"card":"c%d","country":%q}`,
					i, k, time.Now().UTC().Format(time.RFC3339Nano), k+i/20*shards, country)
				recs = append(recs, types.PutRecordsRequestEntry{Data: data, PartitionKey: aws.String(fmt.Sprint("k", k, i))})
			}
			_, _ = c.PutRecords(rctx, &kinesis.PutRecordsInput{StreamName: aws.String("payments"), Records: recs})
			time.Sleep(100 * time.Millisecond)
		}
	}()
	o := options{in: "payments", out: "alerts", read: "fanout", consumer: "resubscriber", window: 10 * time.Second, min: 3}
	if err := run(rctx, o); err != nil {
		t.Fatalf("detector: %v\n%s", err, logs)
	}

	out := logs.String()
	ended := strings.Count(out, "ended; resubscribing")
	failed := regexp.MustCompile(`subscription to shard \S+: .*|subscribe to shard .*\(retrying\)`).FindAllString(out, -1)
	if len(failed) > 0 {
		t.Errorf("%d of %d resubscriptions failed:\n%s", len(failed), ended, strings.Join(failed, "\n"))
	}
	if ended < shards*6 || !strings.Contains(out, "consumer resubscriber deregistered") {
		t.Errorf("%d subscriptions ended and were renewed, want at least %d, and the consumer deregistered:\n%s",
			ended, shards*6, out)
	}
	t.Logf("%d subscriptions renewed", ended)
}
