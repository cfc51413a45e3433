package sim

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/kbench/kbench/internal/awstest"
)

// transport is one way of reaching the simulator: HTTP/1.1 or h2c in the
// clear, or TLS negotiating h2 or http/1.1.
type transport struct {
	name  string
	tls   bool
	proto string // the response protocol the client must see
}

var transports = []transport{
	{"http1.1", false, "HTTP/1.1"},
	{"h2c", false, "HTTP/2.0"},
	{"tls-h2", true, "HTTP/2.0"},
	{"tls-http1.1", true, "HTTP/1.1"},
}

// startTransport serves a Server for cfg as tr needs it and returns it
// with the base URL and the HTTP client that speaks tr to it.
func startTransport(t *testing.T, cfg Config, tr transport) (*Server, string, *http.Client) {
	t.Helper()
	var pool *x509.CertPool
	if tr.tls {
		tc, certPEM, err := SelfSignedCert([]string{"127.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		cfg.TLS = tc
		pool = x509.NewCertPool()
		pool.AppendCertsFromPEM(certPEM)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	url := startServer(t, s)
	ht := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 16,
		Protocols:           new(http.Protocols),
	}
	switch tr.name {
	case "http1.1", "tls-http1.1":
		ht.Protocols.SetHTTP1(true)
	case "h2c":
		ht.Protocols.SetUnencryptedHTTP2(true)
	case "tls-h2":
		ht.Protocols.SetHTTP2(true)
	}
	if pool != nil {
		ht.TLSClientConfig = &tls.Config{RootCAs: pool}
	}
	t.Cleanup(ht.CloseIdleConnections)
	return s, url, &http.Client{Transport: ht}
}

// protoRecorder is an SDK HTTP client that remembers the protocols of the
// responses it saw.
type protoRecorder struct {
	hc     *http.Client
	mu     sync.Mutex
	protos map[string]int
}

func (p *protoRecorder) Do(r *http.Request) (*http.Response, error) {
	resp, err := p.hc.Do(r)
	if err == nil {
		p.mu.Lock()
		p.protos[resp.Proto]++
		p.mu.Unlock()
	}
	return resp, err
}

// sdkClient is the unmodified SDK client on hc.
func sdkClient(t *testing.T, url string, hc kinesis.HTTPClient) *kinesis.Client {
	t.Helper()
	awstest.Isolate(t)
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
		config.WithHTTPClient(awshttp.NewBuildableClient()),
	)
	if err != nil {
		t.Fatal(err)
	}
	return kinesis.NewFromConfig(cfg, func(o *kinesis.Options) {
		o.BaseEndpoint = aws.String(url)
		o.Retryer = aws.NopRetryer{}
		o.HTTPClient = hc
	})
}

// TestTransports drives the whole client path (create, list shards, put,
// get, register a consumer, SubscribeToShard, delete) with the AWS SDK for
// Go over HTTP/1.1, h2c and TLS (h2 and http/1.1), and checks each response
// came over the protocol asked for.
func TestTransports(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			_, url, hc := startTransport(t, testConfig(), tr)
			rec := &protoRecorder{hc: hc, protos: map[string]int{}}
			exerciseClient(t, sdkClient(t, url, rec), "tr-"+tr.name)
			if len(rec.protos) != 1 || rec.protos[tr.proto] == 0 {
				t.Errorf("responses came over %v, want all over %s", rec.protos, tr.proto)
			}
		})
	}
}

// exerciseClient is the client path every transport must carry.
func exerciseClient(t *testing.T, c *kinesis.Client, name string) {
	t.Helper()
	ctx := context.Background()
	createStream(t, c, name, 2)
	shards := listShards(t, c, name)
	if len(shards) != 2 {
		t.Fatalf("ListShards: %d shards, want 2", len(shards))
	}
	var entries []types.PutRecordsRequestEntry
	for i := range 20 {
		entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint("k", i)), Data: []byte(fmt.Sprint("record-", i))})
	}
	put, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
	if err != nil || aws.ToInt32(put.FailedRecordCount) != 0 {
		t.Fatalf("PutRecords: %v, %+v", err, put)
	}
	if put.EncryptionType != types.EncryptionTypeNone {
		t.Errorf("PutRecords EncryptionType %q, want NONE", put.EncryptionType)
	}
	perShard := map[string]int{}
	for _, r := range put.Records {
		perShard[aws.ToString(r.ShardId)]++
		if n := len(aws.ToString(r.SequenceNumber)); n != 56 {
			t.Errorf("sequence number %s has %d digits, want 56", aws.ToString(r.SequenceNumber), n)
		}
	}
	total := 0
	for _, sh := range shards {
		recs, _ := readAll(t, c, iter(t, c, name, aws.ToString(sh.ShardId), types.ShardIteratorTypeTrimHorizon, "", nil))
		if len(recs) != perShard[aws.ToString(sh.ShardId)] {
			t.Errorf("GetRecords on %s: %d records, want %d", aws.ToString(sh.ShardId), len(recs), perShard[aws.ToString(sh.ShardId)])
		}
		total += len(recs)
	}
	if total != len(entries) {
		t.Errorf("read %d records, want %d", total, len(entries))
	}

	arn := streamARN(name)
	reg, err := c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(arn), ConsumerName: aws.String("c1")})
	if err != nil {
		t.Fatal(err)
	}
	waitConsumerActive(t, c, aws.ToString(reg.Consumer.ConsumerARN))
	sh := aws.ToString(shards[0].ShardId)
	sub, err := c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
		ConsumerARN: reg.Consumer.ConsumerARN, ShardId: aws.String(sh),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon},
	})
	if err != nil {
		t.Fatal(err)
	}
	es := sub.GetStream()
	got := 0
	deadline := time.After(10 * time.Second)
	for got < perShard[sh] {
		select {
		case ev, ok := <-es.Events():
			if !ok {
				t.Fatalf("subscription ended after %d records: %v", got, es.Err())
			}
			if e, isEvent := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent); isEvent {
				got += len(e.Value.Records)
			}
		case <-deadline:
			t.Fatalf("SubscribeToShard: %d records after 10 s, want %d", got, perShard[sh])
		}
	}
	_ = es.Close()
	if _, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String(name), EnforceConsumerDeletion: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
}

// writeCert writes certPEM to a file in a test directory and returns its path.
func writeCert(t *testing.T, certPEM []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "cert.pem")
	if err := os.WriteFile(p, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
