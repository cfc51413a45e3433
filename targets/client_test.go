package targets

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// fakeKinesis is a loopback server that answers ListStreams with status
// (and an InternalFailure body when it is not 200), counting requests and
// remembering the last Authorization header.
func fakeKinesis(t *testing.T, status int) (*Target, *atomic.Int64, *atomic.Value) {
	t.Helper()
	var hits atomic.Int64
	var auth atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		auth.Store(r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		if status == http.StatusOK {
			w.Write([]byte(`{"StreamNames":[],"HasMoreStreams":false}`))
			return
		}
		w.Write([]byte(`{"__type":"InternalFailure","message":"boom"}`))
	}))
	t.Cleanup(srv.Close)
	return &Target{Kind: KindKinesisMock, Endpoint: srv.URL, Region: DefaultRegion}, &hits, &auth
}

func TestClientAttempts(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		maxAttempts int
		calls       int
		want        int64
	}{
		{"success counts one attempt per call", http.StatusOK, 1, 3, 3},
		{"MaxAttempts 1 does not retry", http.StatusInternalServerError, 1, 2, 2},
		{"MaxAttempts 2 retries once", http.StatusInternalServerError, 2, 1, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tgt, hits, auth := fakeKinesis(t, tc.status)
			var attempts Attempts
			c, err := tgt.Client(t.Context(), ClientOptions{MaxAttempts: tc.maxAttempts, MaxConns: 8, Timeout: 5 * time.Second, Attempts: &attempts})
			if err != nil {
				t.Fatalf("Client: %v", err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			for range tc.calls {
				_, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{})
				if (err == nil) != (tc.status == http.StatusOK) {
					t.Errorf("ListStreams error = %v with status %d", err, tc.status)
				}
			}
			if got := attempts.Count(); got != tc.want || hits.Load() != tc.want {
				t.Errorf("Attempts = %d, server saw %d; want %d", got, hits.Load(), tc.want)
			}
			if a, _ := auth.Load().(string); !strings.Contains(a, "Credential="+localAccessKey+"/") {
				t.Errorf("Authorization = %q, want static credentials %q", a, localAccessKey)
			}
		})
	}
}

func TestClientRejectsNegativeOptions(t *testing.T) {
	tgt := &Target{Kind: KindKinesisMock, Endpoint: "http://127.0.0.1:1", Region: DefaultRegion}
	if _, err := tgt.Client(t.Context(), ClientOptions{MaxConns: -1}); err == nil {
		t.Error("Client with MaxConns -1 succeeded")
	}
}
