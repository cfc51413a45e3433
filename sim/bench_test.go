package sim

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// BenchmarkIngestSDK measures end-to-end ingest through the SDK client over
// loopback HTTP, client and server in this process: quotas off, 100-byte
// records, 500 per PutRecords call, 8 calls in flight. It reports records/s.
// "stock" is the SDK client as LoadDefaultConfig builds it (default
// retryer); "tests" is the tests' client (no retries, plainBodyClient).
func BenchmarkIngestSDK(b *testing.B) {
	b.Run("client=stock", func(b *testing.B) {
		s, err := New(benchConfig())
		if err != nil {
			b.Fatal(err)
		}
		url := startServer(b, s)
		cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"),
			config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
			config.WithHTTPClient(awshttp.NewBuildableClient()))
		if err != nil {
			b.Fatal(err)
		}
		benchIngest(b, kinesis.NewFromConfig(cfg, func(o *kinesis.Options) { o.BaseEndpoint = aws.String(url) }))
	})
	b.Run("client=tests", func(b *testing.B) {
		_, c := startSim(b, benchConfig())
		benchIngest(b, c)
	})
}

func benchConfig() Config {
	cfg := DefaultConfig()
	cfg.Quotas = QuotasOff
	cfg.CreateDelay = 0
	return cfg
}

func benchIngest(b *testing.B, c *kinesis.Client) {
	createStream(b, c, "bench", 8)
	const inFlight, batch = 8, 500
	recs := make([][]types.PutRecordsRequestEntry, inFlight)
	data := bytes.Repeat([]byte("x"), 100)
	for w := range recs {
		recs[w] = make([]types.PutRecordsRequestEntry, batch)
		for i := range recs[w] {
			recs[w][i] = types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint(w, "-", i)), Data: data}
		}
	}
	var calls, failed atomic.Int64
	calls.Store(int64(b.N))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range inFlight {
		wg.Go(func() {
			for calls.Add(-1) >= 0 {
				out, err := c.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String("bench"), Records: recs[w]})
				if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d calls failed", n)
	}
	b.ReportMetric(float64(b.N*batch)/time.Since(start).Seconds(), "records/s")
}

// putRecordsBody is a PutRecords body of n 100-byte records as the SDK
// writes it.
func putRecordsBody(n int) []byte {
	var buf bytes.Buffer
	data := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("x"), 100))
	buf.WriteString(`{"Records":[`)
	for i := range n {
		if i > 0 {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, `{"Data":"%s","PartitionKey":"key-%d"}`, data, i)
	}
	buf.WriteString(`],"StreamName":"bench"}`)
	return buf.Bytes()
}

func benchServer(b *testing.B, shards int) *Server {
	s, err := New(benchConfig())
	if err != nil {
		b.Fatal(err)
	}
	w := serve(s, "CreateStream", fmt.Appendf(nil, `{"StreamName":"bench","ShardCount":%d}`, shards))
	if w.Code != http.StatusOK {
		b.Fatal(w.Body.String())
	}
	return s
}

func serve(s *Server, op string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("X-Amz-Target", targetPrefix+op)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	return w
}

// BenchmarkPutRecordsHandler measures the server side of a 500-record
// PutRecords call, without HTTP.
func BenchmarkPutRecordsHandler(b *testing.B) {
	s := benchServer(b, 4)
	body := putRecordsBody(500)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if w := serve(s, "PutRecords", body); w.Code != http.StatusOK {
			b.Fatal(w.Body.String())
		}
	}
	b.ReportMetric(float64(b.N*500)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkDecodePutRecords measures the PutRecords body decoder alone.
func BenchmarkDecodePutRecords(b *testing.B) {
	body := putRecordsBody(500)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		ps := getPutState()
		if _, _, e := decodePutRecords(body, ps); e != nil {
			b.Fatal(e)
		}
		putPutState(ps)
	}
}

// BenchmarkGetRecordsHandler measures a GetRecords call returning 1,000
// 100-byte records, without HTTP.
func BenchmarkGetRecordsHandler(b *testing.B) {
	s := benchServer(b, 1)
	body := putRecordsBody(500)
	serve(s, "PutRecords", body)
	serve(s, "PutRecords", body)
	w := serve(s, "GetShardIterator", []byte(`{"StreamName":"bench","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}`))
	it := bytes.TrimSuffix(bytes.TrimPrefix(w.Body.Bytes(), []byte(`{"ShardIterator":"`)), []byte(`"}`))
	req := fmt.Appendf(nil, `{"ShardIterator":"%s"}`, it)
	b.ReportAllocs()
	for b.Loop() {
		if w := serve(s, "GetRecords", req); w.Code != http.StatusOK {
			b.Fatal(w.Body.String())
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "records/s")
}
