package sim

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// slowUpload starts a PutRecords request announcing size body bytes,
// sends 1 KiB of them and holds the rest back until the test ends. The
// returned channel gets the response status and error type, or the error.
func slowUpload(t *testing.T, hc *http.Client, url string, size int64) <-chan string {
	t.Helper()
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.CloseWithError(io.ErrUnexpectedEOF) })
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", contentTypeJSON)
	req.Header.Set("X-Amz-Target", targetPrefix+"PutRecords")
	done := make(chan string, 1)
	go func() {
		resp, err := hc.Do(req)
		if err != nil {
			done <- "error: " + err.Error()
			return
		}
		_ = resp.Body.Close()
		done <- resp.Status + " " + resp.Header.Get("X-Amzn-ErrorType")
	}()
	go func() {
		_, _ = pw.Write([]byte(`{"StreamName":"s","Records":[{"PartitionKey":"k","Data":"` + strings.Repeat("A", 1024)))
	}()
	return done
}

// TestReadTimeout: a client that stops sending its body is cut off after
// Config.ReadTimeout, and the bytes it held are given back, over every
// transport.
func TestReadTimeout(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.ReadTimeout = 300 * time.Millisecond
			s, url, hc := startTransport(t, cfg, tr)
			start := time.Now()
			done := slowUpload(t, hc, url, 7<<20)
			select {
			case got := <-done:
				if el := time.Since(start); el < cfg.ReadTimeout {
					t.Errorf("answered after %v (%s), before the read timeout", el, got)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("a stalled upload was still held after 5 s with a 300 ms read timeout")
			}
			waitFor(t, func() bool { return s.inFlight.used.Load() == 0 }, "body bytes given back")
		})
	}
}

// TestBodyBudget: request bodies in flight are held to a quarter of
// Config.MaxMemory; a request that would pass it is refused at once with
// LimitExceededException, over every transport.
func TestBodyBudget(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.MaxMemory = 64 << 20 // bodies: 16 MiB
			s, url, hc := startTransport(t, cfg, tr)
			const size = 7 << 20
			held := []<-chan string{slowUpload(t, hc, url, size), slowUpload(t, hc, url, size)}
			waitFor(t, func() bool { return s.inFlight.used.Load() == 2*size }, "two 7 MiB bodies admitted")
			select {
			case got := <-slowUpload(t, hc, url, size):
				if !strings.HasPrefix(got, "400") || !strings.HasSuffix(got, errLimitExceeded) {
					t.Errorf("third upload: %s, want 400 %s", got, errLimitExceeded)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("a third 7 MiB upload was held past a 16 MiB budget")
			}
			if used := s.inFlight.used.Load(); used > cfg.MaxMemory/4 {
				t.Errorf("%d body bytes in flight, over the budget of %d", used, cfg.MaxMemory/4)
			}
			for _, h := range held {
				select {
				case got := <-h:
					t.Errorf("a held upload ended early: %s", got)
				default:
				}
			}
		})
	}
}

// waitFor polls cond for up to 5 seconds.
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	for range 500 {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for: %s", what)
}

// TestSubscriptionOutlivesReadTimeout: the read timeout bounds reading a
// request, not a SubscribeToShard response streaming for longer, over every
// transport.
func TestSubscriptionOutlivesReadTimeout(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.ReadTimeout = 200 * time.Millisecond
			_, url, hc := startTransport(t, cfg, tr)
			c := sdkClient(t, url, hc)
			createStream(t, c, "long", 1)
			carn := registerConsumer(t, c, "long", "c")
			out, err := c.SubscribeToShard(context.Background(), &kinesis.SubscribeToShardInput{
				ConsumerARN: aws.String(carn), ShardId: aws.String(shardID(0)),
				StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest},
			})
			if err != nil {
				t.Fatal(err)
			}
			es := out.GetStream()
			defer es.Close()
			start, events := time.Now(), 0
			for time.Since(start) < 1500*time.Millisecond {
				if _, ok := <-es.Events(); !ok {
					t.Fatalf("subscription ended after %v and %d events: %v", time.Since(start), events, es.Err())
				}
				events++
			}
			if events < 2 {
				t.Errorf("%d events in 1.5 s, want the first and a heartbeat", events)
			}
		})
	}
}
