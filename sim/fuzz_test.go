package sim

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"
)

// decoderErrorTypes are the errors a malformed request body may produce.
var decoderErrorTypes = map[string]bool{errSerialization: true, errValidation: true, errInvalidArgument: true}

func FuzzPutRecords(f *testing.F) {
	f.Add([]byte(`{"StreamName":"s","Records":[{"Data":"aGk=","PartitionKey":"k"},{"Data":"","PartitionKey":"\u00e9","ExplicitHashKey":"12"}]}`))
	f.Add([]byte(`{"StreamARN":null,"Records":null,"Extra":{"a":[1,2.5e3,true,false,null,"x"]}}`))
	f.Add([]byte(`{"Records":[{"Data":"!!","PartitionKey":"k"}]}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ps := getPutState()
		defer putPutState(ps)
		_, _, e := decodePutRecords(body, ps)
		if e == nil {
			e = checkEntries(ps.entries, true)
		}
		if e != nil && !decoderErrorTypes[e.Type] {
			t.Fatalf("error type %s: %v", e.Type, e)
		}
	})
}

func FuzzPutRecord(f *testing.F) {
	f.Add([]byte(`{"StreamName":"s","Data":"aGk=","PartitionKey":"k","SequenceNumberForOrdering":"1"}`))
	f.Add([]byte(`{"Data":"aGk","PartitionKey":"k","ExplicitHashKey":"340282366920938463463374607431768211456"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ps := getPutState()
		defer putPutState(ps)
		_, _, e := decodePutRecord(body, ps)
		if e == nil {
			e = checkEntries(ps.entries, false)
		}
		if e != nil && !decoderErrorTypes[e.Type] {
			t.Fatalf("error type %s: %v", e.Type, e)
		}
	})
}

func FuzzShardIterator(f *testing.F) {
	f.Add(iterator{created: 1, issued: 2, shard: 3, pos: 4, stream: "s"}.encode())
	f.Add("AQ==")
	f.Fuzz(func(t *testing.T, s string) {
		it, e := decodeIterator(s)
		if e != nil {
			if e.Type != errInvalidArgument {
				t.Fatalf("error type %s", e.Type)
			}
			return
		}
		if it.encode() == "" {
			t.Fatal("decoded iterator does not encode")
		}
	})
}

// FuzzHandler sends arbitrary bodies to every operation: the server must
// answer each with a response, never panic.
func FuzzHandler(f *testing.F) {
	f.Add("PutRecords", []byte(`{"StreamName":"s","Records":[{"Data":"aGk=","PartitionKey":"k"}]}`))
	f.Add("GetRecords", []byte(`{"ShardIterator":"AQ==","Limit":0}`))
	f.Add("CreateStream", []byte(`{"StreamName":"x","ShardCount":2}`))
	f.Add("UpdateShardCount", []byte(`{"StreamName":"s","TargetShardCount":2,"ScalingType":"UNIFORM_SCALING"}`))
	f.Add("ListShards", []byte(`{"NextToken":"MXxzaGFyZElkLTAwMDAwMDAwMDAwMHxz"}`))
	f.Add("GetShardIterator", []byte(`{"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"AT_TIMESTAMP","Timestamp":1e300}`))
	cfg := testConfig()
	cfg.Quotas = QuotasOff
	cfg.SubscriptionDuration = 10 * time.Millisecond
	f.Fuzz(func(t *testing.T, op string, body []byte) {
		s, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		create := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader([]byte(`{"StreamName":"s","ShardCount":1}`)))
		create.Header.Set("X-Amz-Target", targetPrefix+"CreateStream")
		s.ServeHTTP(httptest.NewRecorder(), create)
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("X-Amz-Target", targetPrefix+op)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != http.StatusOK && w.Header().Get("X-Amzn-ErrorType") == "" {
			t.Fatalf("status %d without an error type", w.Code)
		}
	})
}

// FuzzCBOR sends arbitrary CBOR bodies to every operation: the server must
// answer each in CBOR, never panic, and an error must carry its type.
func FuzzCBOR(f *testing.F) {
	for _, seed := range []map[string]any{
		{"StreamName": "s", "Records": []any{map[string]any{"Data": []byte{0xff}, "PartitionKey": "k"}}},
		{"StreamName": "s", "ShardId": "shardId-000000000000", "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": cbor.Tag{Number: 1, Content: int64(1700000000000)}},
		{"StreamName": "x", "ShardCount": 2},
	} {
		b, err := cbor.Marshal(seed)
		if err != nil {
			f.Fatal(err)
		}
		f.Add("PutRecords", b)
		f.Add("GetShardIterator", b)
		f.Add("CreateStream", b)
	}
	cfg := testConfig()
	cfg.Quotas = QuotasOff
	cfg.SubscriptionDuration = 10 * time.Millisecond
	f.Fuzz(func(t *testing.T, op string, body []byte) {
		s, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		create := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader([]byte(`{"StreamName":"s","ShardCount":1}`)))
		create.Header.Set("X-Amz-Target", targetPrefix+"CreateStream")
		s.ServeHTTP(httptest.NewRecorder(), create)
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("X-Amz-Target", targetPrefix+op)
		req.Header.Set("Content-Type", contentTypeCBOR)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		ct := w.Header().Get("Content-Type")
		if ct != contentTypeCBOR && ct != contentTypeEventStream {
			t.Fatalf("answered in %q", ct)
		}
		if w.Code != http.StatusOK && w.Header().Get("X-Amzn-ErrorType") == "" {
			t.Fatalf("status %d without an error type", w.Code)
		}
	})
}
