package sim

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// testConfig is DefaultConfig with no create, update or delete delay, for
// fast tests.
func testConfig() Config {
	c := DefaultConfig()
	c.CreateDelay, c.UpdateDelay, c.DeleteDelay = 0, 0, 0
	return c
}

// startServer serves s on a loopback port until the test ends and returns
// its URL.
func startServer(t testing.TB, s *Server) string {
	t.Helper()
	url, stop, err := s.Start(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return url
}

// startSim builds and serves a Server for cfg and returns it with an SDK
// client (retries off, so throttles are seen as they happen).
func startSim(t testing.TB, cfg Config, opts ...Option) (*Server, *kinesis.Client) {
	t.Helper()
	s, err := New(cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s, newClient(t, startServer(t, s))
}

// newClient is the unmodified SDK client pointed at url.
func newClient(t testing.TB, url string) *kinesis.Client {
	t.Helper()
	hc := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.MaxIdleConnsPerHost = 64
		tr.DialContext = (&net.Dialer{Timeout: 5 * time.Second}).DialContext
	})
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
		config.WithHTTPClient(hc),
	)
	if err != nil {
		t.Fatal(err)
	}
	return kinesis.NewFromConfig(cfg, func(o *kinesis.Options) {
		o.BaseEndpoint = aws.String(url)
		o.Retryer = aws.NopRetryer{}
		o.HTTPClient = plainBodyClient{o.HTTPClient}
	})
}

// plainBodyClient hides the SDK's request body type from net/http. Without
// it, net/http's write loop now and then reports io.EOF for a request whose
// response has already arrived (when the server answers fast) and closes the
// connection while the SDK still reads the response body, failing the call
// with "deserialization failed ... use of closed network connection" (an
// SDK/net/http interplay seen against any fast endpoint; the default
// retryer hides it). Tests count calls exactly, so they avoid it.
type plainBodyClient struct{ kinesis.HTTPClient }

func (c plainBodyClient) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		r.Body = struct{ io.ReadCloser }{r.Body}
	}
	return c.HTTPClient.Do(r)
}

// createStream creates a provisioned stream and waits until it is ACTIVE.
func createStream(t testing.TB, c *kinesis.Client, name string, shards int32) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, name)
}

func waitActive(t testing.TB, c *kinesis.Client, name string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		out, err := c.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("stream %s still %s", name, out.StreamDescriptionSummary.StreamStatus)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// listShardIDs returns the stream's shards.
func listShards(t testing.TB, c *kinesis.Client, name string) []types.Shard {
	t.Helper()
	out, err := c.ListShards(context.Background(), &kinesis.ListShardsInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Shards
}

// iter gets a shard iterator.
func iter(t testing.TB, c *kinesis.Client, name, shard string, typ types.ShardIteratorType, seq string, ts *time.Time) string {
	t.Helper()
	in := &kinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: aws.String(shard), ShardIteratorType: typ, Timestamp: ts}
	if seq != "" {
		in.StartingSequenceNumber = aws.String(seq)
	}
	out, err := c.GetShardIterator(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.ShardIterator)
}

// readAll reads a shard from it until it returns no records (or the shard ends).
func readAll(t testing.TB, c *kinesis.Client, it string) ([]types.Record, *kinesis.GetRecordsOutput) {
	t.Helper()
	var recs []types.Record
	for range 1000 {
		out, err := c.GetRecords(context.Background(), &kinesis.GetRecordsInput{ShardIterator: aws.String(it)})
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, out.Records...)
		if len(out.Records) == 0 || out.NextShardIterator == nil {
			return recs, out
		}
		it = *out.NextShardIterator
	}
	t.Fatal("shard did not end")
	return nil, nil
}

// isErr reports whether err is the SDK's typed error T.
func isErr[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

func sleepMs(n int) { time.Sleep(time.Duration(n) * time.Millisecond) }
