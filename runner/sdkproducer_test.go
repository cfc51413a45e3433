package runner

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/metrics"
)

// fakeKinesisServer speaks just enough awsJson1.1 PutRecords. Call 0 drops
// the connection, call 1 is rejected whole with
// ProvisionedThroughputExceededException, call 2 fails the records whose
// seq%3 == 0 with the same code and seq 1 with InternalFailure, and later
// calls accept everything. It records each call's sequence numbers.
type fakeKinesisServer struct {
	t     *testing.T
	mu    sync.Mutex
	calls [][]uint64
}

type fakeJSONRecord struct {
	Data         []byte
	PartitionKey string
}

func (s *fakeKinesisServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if got := r.Header.Get("X-Amz-Target"); got != "Kinesis_20131202.PutRecords" {
		http.Error(w, "unexpected target "+got, http.StatusBadRequest)
		return
	}
	var in struct {
		Records    []fakeJSONRecord
		StreamName string
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.StreamName != "s" {
		http.Error(w, fmt.Sprintf("bad body (%v) or stream %q", err, in.StreamName), http.StatusBadRequest)
		return
	}
	seqs := make([]uint64, len(in.Records))
	for i, rec := range in.Records {
		env, err := envelope.Decode(rec.Data)
		if err != nil || len(rec.Data) != envelope.Size+60 {
			http.Error(w, fmt.Sprintf("record %d: %v, %d bytes", i, err, len(rec.Data)), http.StatusBadRequest)
			return
		}
		seqs[i] = env.Seq
	}
	s.mu.Lock()
	call := len(s.calls)
	s.calls = append(s.calls, seqs)
	s.mu.Unlock()

	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	switch call {
	case 0:
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			s.t.Error(err)
			return
		}
		conn.Close()
		return
	case 1:
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"ProvisionedThroughputExceededException","message":"Rate exceeded for shard"}`)
		return
	}
	type result struct {
		SequenceNumber, ShardId, ErrorCode, ErrorMessage string `json:",omitempty"`
	}
	out := struct {
		FailedRecordCount int
		Records           []result
	}{}
	for i, seq := range seqs {
		switch {
		case call == 2 && seq%3 == 0:
			out.Records = append(out.Records, result{ErrorCode: codeThroughput, ErrorMessage: "Rate exceeded"})
			out.FailedRecordCount++
		case call == 2 && seq == 1:
			out.Records = append(out.Records, result{ErrorCode: "InternalFailure", ErrorMessage: "oops"})
			out.FailedRecordCount++
		default:
			out.Records = append(out.Records, result{SequenceNumber: fmt.Sprint(call*1000 + i), ShardId: fakeShardOf(in.Records[i].PartitionKey, "")})
		}
	}
	_ = json.NewEncoder(w).Encode(out)
}

// TestProducerThroughSDK drives the real aws-sdk-go-v2 Kinesis client (SDK
// retries off) against a fake endpoint: a dropped connection is a transport
// error, not a throttle; a whole-call throttle counts every record; a
// partial failure resends exactly the failed records.
func TestProducerThroughSDK(t *testing.T) {
	srv := &fakeKinesisServer{t: t}
	hs := httptest.NewServer(srv)
	defer hs.Close()

	ctx := t.Context()
	awsCfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("a", "b", "")),
		config.WithHTTPClient(awshttp.NewBuildableClient()), config.WithRetryMaxAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	client := kinesis.NewFromConfig(awsCfg, func(o *kinesis.Options) { o.BaseEndpoint = aws.String(hs.URL) })

	m := metrics.NewRun(1)
	cfg := prodConfig(m, fakePacer{limit: 30})
	cfg.Retry = RetryPolicy{MaxAttempts: 5, Base: time.Millisecond, Cap: 5 * time.Millisecond}
	prodRun(t, cfg, client, nil)

	srv.mu.Lock()
	calls := srv.calls
	srv.mu.Unlock()
	if len(calls) != 4 {
		t.Fatalf("%d calls, want 4: %v", len(calls), calls)
	}
	all := seqRange(0, 30)
	resent := []uint64{0, 1, 3, 6, 9, 12, 15, 18, 21, 24, 27}
	for i, want := range [][]uint64{all, all, all, resent} {
		if !slices.Equal(calls[i], want) {
			t.Errorf("call %d sent %v, want %v", i, calls[i], want)
		}
	}
	for name, c := range map[string]struct{ got, want int64 }{
		"acked":       {m.Acked.Load(), 30},
		"failed":      {m.Failed.Load(), 0},
		"throttled":   {m.Throttled.Load(), 30 + 10},
		"call errors": {m.CallErrors.Load(), 2},
		"calls":       {m.Calls.Load(), 4},
		"retried":     {m.Retried.Load(), 30 + 30 + 11},
		// shard-a holds seqs 0, 4, 8, …: 8 records, 3 of them (0, 12, 24) throttled in call 2.
		"shard-a throttled": {m.Shard("shard-a").Throttled.Load(), 8 + 3},
		"shard-a records":   {m.Shard("shard-a").Records.Load(), 8},
	} {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", name, c.got, c.want)
		}
	}
}
