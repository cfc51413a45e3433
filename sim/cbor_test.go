package sim

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/fxamacker/cbor/v2"
)

// cborClient posts requests as the AWS SDK for Java writes them by default:
// Content-Type application/x-amz-cbor-1.1, blobs as byte strings,
// timestamps as tag 1 holding epoch milliseconds.
type cborClient struct {
	t   *testing.T
	url string
}

// javaTime is a timestamp as the Java SDK encodes it.
func javaTime(t time.Time) cbor.Tag { return cbor.Tag{Number: 1, Content: t.UnixMilli()} }

// post sends op with body (CBOR-encoded unless it is raw []byte) and
// returns the status and the response, which must be CBOR.
func (c cborClient) post(op string, body any) (int, map[string]cbor.RawMessage) {
	c.t.Helper()
	resp := c.send(op, body)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); ct != contentTypeCBOR {
		c.t.Fatalf("%s: Content-Type %q, want %s (body %q)", op, ct, contentTypeCBOR, b)
	}
	var m map[string]cbor.RawMessage
	if err := cbor.Unmarshal(b, &m); err != nil {
		c.t.Fatalf("%s: response is not a CBOR map: %v (%x)", op, err, b)
	}
	return resp.StatusCode, m
}

func (c cborClient) send(op string, body any) *http.Response {
	c.t.Helper()
	raw, isRaw := body.([]byte)
	if !isRaw {
		var err error
		if raw, err = cbor.Marshal(body); err != nil {
			c.t.Fatal(err)
		}
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, c.url, bytes.NewReader(raw))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentTypeCBOR)
	req.Header.Set("X-Amz-Target", targetPrefix+op)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp
}

// ok posts op and fails the test unless it succeeds.
func (c cborClient) ok(op string, body any) map[string]cbor.RawMessage {
	c.t.Helper()
	status, m := c.post(op, body)
	if status != http.StatusOK {
		c.t.Fatalf("%s: status %d, %s", op, status, diag(m))
	}
	return m
}

func diag(m map[string]cbor.RawMessage) string {
	var s string
	for k, v := range m {
		d, _ := cbor.Diagnose(v)
		s += k + "=" + d + " "
	}
	return s
}

// get decodes member path of m into v.
func get[T any](t *testing.T, m map[string]cbor.RawMessage, path ...string) T {
	t.Helper()
	var v T
	raw := m[path[0]]
	for _, p := range path[1:] {
		var inner map[string]cbor.RawMessage
		if err := cbor.Unmarshal(raw, &inner); err != nil {
			t.Fatalf("%v: %v", path, err)
		}
		raw = inner[p]
	}
	if err := cbor.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%v: %v (%x)", path, err, []byte(raw))
	}
	return v
}

// checkMillis checks that raw is a tag-1 timestamp in epoch milliseconds
// near want.
func checkMillis(t *testing.T, what string, raw cbor.RawMessage, want time.Time) {
	t.Helper()
	var tag cbor.Tag
	if err := cbor.Unmarshal(raw, &tag); err != nil || tag.Number != 1 {
		t.Fatalf("%s: %x is not a tag-1 timestamp (%v)", what, []byte(raw), err)
	}
	ms, ok := tag.Content.(uint64)
	if !ok {
		t.Fatalf("%s: tag 1 holds %T, want integer milliseconds", what, tag.Content)
	}
	if d := time.UnixMilli(int64(ms)).Sub(want); d < -time.Minute || d > time.Minute {
		t.Errorf("%s: %d ms is %v from now; want epoch milliseconds", what, ms, d)
	}
}

// TestCBOR drives the data path in CBOR as the Java SDK does: binary Data
// round-trips as byte strings, an AT_TIMESTAMP iterator in tag-1
// milliseconds finds the records, errors come back in CBOR, and
// SubscribeToShard's events are CBOR too.
func TestCBOR(t *testing.T) {
	s, _ := startSim(t, testConfig())
	c := cborClient{t, startServer(t, s)}
	c.ok("CreateStream", map[string]any{"StreamName": "cb", "ShardCount": 1})
	sum := c.ok("DescribeStreamSummary", map[string]any{"StreamName": "cb"})
	checkMillis(t, "StreamCreationTimestamp", get[map[string]cbor.RawMessage](t, sum, "StreamDescriptionSummary")["StreamCreationTimestamp"], time.Now())

	before := time.Now().Add(-time.Second)
	data := [][]byte{{0xff, 0x00, 0xfe, 'a'}, bytes.Repeat([]byte{0x80}, 300)}
	put := c.ok("PutRecords", map[string]any{"StreamName": "cb", "Records": []map[string]any{
		{"PartitionKey": "k1", "Data": data[0]},
		{"PartitionKey": "k2", "Data": data[1]},
	}})
	if n := get[int](t, put, "FailedRecordCount"); n != 0 {
		t.Fatalf("PutRecords: %d failed", n)
	}
	if enc := get[string](t, put, "EncryptionType"); enc != encryptionNone {
		t.Errorf("PutRecords EncryptionType %q", enc)
	}
	one := c.ok("PutRecord", map[string]any{"StreamName": "cb", "PartitionKey": "k3", "Data": []byte{1, 2, 3}})
	if seq := get[string](t, one, "SequenceNumber"); len(seq) != 56 {
		t.Errorf("PutRecord sequence number %q", seq)
	}
	data = append(data, []byte{1, 2, 3})
	time.Sleep(20 * time.Millisecond)
	after := time.Now()
	time.Sleep(5 * time.Millisecond)

	for _, tc := range []struct {
		at   time.Time
		want int
	}{{before, 3}, {after, 0}} {
		it := c.ok("GetShardIterator", map[string]any{"StreamName": "cb", "ShardId": shardID(0), "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": javaTime(tc.at)})
		got := c.ok("GetRecords", map[string]any{"ShardIterator": get[string](t, it, "ShardIterator")})
		recs := get[[]map[string]cbor.RawMessage](t, got, "Records")
		if len(recs) != tc.want {
			t.Fatalf("AT_TIMESTAMP %v: %d records, want %d", tc.at, len(recs), tc.want)
		}
		for i, r := range recs {
			var d []byte
			if err := cbor.Unmarshal(r["Data"], &d); err != nil || !bytes.Equal(d, data[i]) {
				t.Errorf("record %d Data %x (%v), want the byte string %x", i, []byte(r["Data"]), err, data[i])
			}
			checkMillis(t, "ApproximateArrivalTimestamp", r["ApproximateArrivalTimestamp"], time.Now())
		}
	}

	// Jackson's CBOR generator, under the Java SDK, writes maps of unknown
	// size with indefinite length.
	indef := append(append([]byte{0xbf, 0x6a}, "StreamName"...), 0x62, 'c', 'b', 0xff)
	if d := c.ok("DescribeStreamSummary", indef); get[string](t, d, "StreamDescriptionSummary", "StreamName") != "cb" {
		t.Errorf("indefinite-length map: %s", diag(d))
	}

	status, e := c.post("DescribeStream", map[string]any{"StreamName": "missing"})
	if status != http.StatusBadRequest || get[string](t, e, "__type") != errResourceNotFound {
		t.Errorf("missing stream: %d %s", status, diag(e))
	}
	for _, bad := range [][]byte{{0xff, 0x01}, {0xa1, 0x61}, []byte(`{"StreamName":"cb"}`), {0x83, 1, 2, 3}} {
		status, e := c.post("DescribeStream", bad)
		if status != http.StatusBadRequest || get[string](t, e, "__type") != errSerialization {
			t.Errorf("bad CBOR body %x: %d %s, want SerializationException", bad, status, diag(e))
		}
	}

	reg := c.ok("RegisterStreamConsumer", map[string]any{"StreamARN": streamARN("cb"), "ConsumerName": "java"})
	carn := get[string](t, reg, "Consumer", "ConsumerARN")
	checkMillis(t, "ConsumerCreationTimestamp", get[map[string]cbor.RawMessage](t, reg, "Consumer")["ConsumerCreationTimestamp"], time.Now())
	waitFor(t, func() bool {
		d := c.ok("DescribeStreamConsumer", map[string]any{"ConsumerARN": carn})
		return get[string](t, d, "ConsumerDescription", "ConsumerStatus") == statusActive
	}, "consumer ACTIVE")
	resp := c.send("SubscribeToShard", map[string]any{"ConsumerARN": carn, "ShardId": shardID(0),
		"StartingPosition": map[string]any{"Type": "AT_TIMESTAMP", "Timestamp": javaTime(before)}})
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != contentTypeEventStream {
		t.Fatalf("SubscribeToShard: %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	dec := eventstream.NewDecoder()
	var types []string
	for len(types) < 2 {
		msg, err := dec.Decode(resp.Body, nil)
		if err != nil {
			t.Fatalf("event stream after %v: %v", types, err)
		}
		typ := msg.Headers.Get(":event-type").String()
		types = append(types, typ)
		if ct := msg.Headers.Get(":content-type").String(); ct != contentTypeCBOR {
			t.Errorf("%s event has content type %s, want CBOR", typ, ct)
		}
		var payload map[string]cbor.RawMessage
		if err := cbor.Unmarshal(msg.Payload, &payload); err != nil {
			t.Fatalf("%s payload is not CBOR: %v", typ, err)
		}
		if typ == "SubscribeToShardEvent" {
			recs := get[[]map[string]cbor.RawMessage](t, payload, "Records")
			if len(recs) != 3 {
				t.Fatalf("first SubscribeToShardEvent holds %d records, want 3", len(recs))
			}
			var d []byte
			if err := cbor.Unmarshal(recs[0]["Data"], &d); err != nil || !bytes.Equal(d, data[0]) {
				t.Errorf("event record Data %x, want the byte string %x", []byte(recs[0]["Data"]), data[0])
			}
		}
	}
	if !slices.Equal(types, []string{"initial-response", "SubscribeToShardEvent"}) {
		t.Errorf("events %v", types)
	}
}

// TestCBOREveryOperation calls every operation of the router's table in
// CBOR and checks each answers 200 in CBOR.
func TestCBOREveryOperation(t *testing.T) {
	s, _ := startSim(t, testConfig())
	c := cborClient{t, startServer(t, s)}
	arn := streamARN("all")
	var carn string
	steps := []struct {
		op   string
		body func() map[string]any
	}{
		{"CreateStream", func() map[string]any { return map[string]any{"StreamName": "all", "ShardCount": 2} }},
		{"DescribeStream", func() map[string]any { return map[string]any{"StreamName": "all"} }},
		{"DescribeStreamSummary", func() map[string]any { return map[string]any{"StreamARN": arn} }},
		{"ListStreams", func() map[string]any { return map[string]any{"Limit": 10} }},
		{"ListShards", func() map[string]any {
			return map[string]any{"StreamName": "all", "ShardFilter": map[string]any{"Type": "AT_TIMESTAMP", "Timestamp": javaTime(time.Now())}}
		}},
		{"PutRecord", func() map[string]any {
			return map[string]any{"StreamName": "all", "PartitionKey": "a", "Data": []byte{0}}
		}},
		{"PutRecords", func() map[string]any {
			return map[string]any{"StreamName": "all", "Records": []any{map[string]any{"PartitionKey": "a", "Data": []byte{1}}}}
		}},
		{"GetShardIterator", func() map[string]any {
			return map[string]any{"StreamName": "all", "ShardId": shardID(0), "ShardIteratorType": "TRIM_HORIZON"}
		}},
		{"RegisterStreamConsumer", func() map[string]any { return map[string]any{"StreamARN": arn, "ConsumerName": "c"} }},
		{"DescribeStreamConsumer", func() map[string]any { return map[string]any{"StreamARN": arn, "ConsumerName": "c"} }},
		{"ListStreamConsumers", func() map[string]any { return map[string]any{"StreamARN": arn} }},
		{"AddTagsToStream", func() map[string]any {
			return map[string]any{"StreamName": "all", "Tags": map[string]string{"a": "1", "b": "2"}}
		}},
		{"ListTagsForStream", func() map[string]any { return map[string]any{"StreamName": "all"} }},
		{"RemoveTagsFromStream", func() map[string]any { return map[string]any{"StreamName": "all", "TagKeys": []string{"a"}} }},
		{"TagResource", func() map[string]any {
			return map[string]any{"ResourceARN": carn, "Tags": map[string]string{"team": "x"}}
		}},
		{"ListTagsForResource", func() map[string]any { return map[string]any{"ResourceARN": carn} }},
		{"UntagResource", func() map[string]any { return map[string]any{"ResourceARN": carn, "TagKeys": []string{"team"}} }},
		{"IncreaseStreamRetentionPeriod", func() map[string]any { return map[string]any{"StreamName": "all", "RetentionPeriodHours": 48} }},
		{"DecreaseStreamRetentionPeriod", func() map[string]any { return map[string]any{"StreamName": "all", "RetentionPeriodHours": 24} }},
		{"DescribeLimits", func() map[string]any { return map[string]any{} }},
		{"EnableEnhancedMonitoring", func() map[string]any {
			return map[string]any{"StreamName": "all", "ShardLevelMetrics": []string{"ALL"}}
		}},
		{"DisableEnhancedMonitoring", func() map[string]any {
			return map[string]any{"StreamName": "all", "ShardLevelMetrics": []string{"IncomingBytes"}}
		}},
		{"StartStreamEncryption", func() map[string]any {
			return map[string]any{"StreamName": "all", "EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"}
		}},
		{"StopStreamEncryption", func() map[string]any {
			return map[string]any{"StreamName": "all", "EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"}
		}},
		{"SplitShard", func() map[string]any {
			return map[string]any{"StreamName": "all", "ShardToSplit": shardID(0), "NewStartingHashKey": "1000"}
		}},
		{"MergeShards", func() map[string]any {
			return map[string]any{"StreamName": "all", "ShardToMerge": shardID(2), "AdjacentShardToMerge": shardID(3)}
		}},
		{"UpdateShardCount", func() map[string]any {
			return map[string]any{"StreamName": "all", "TargetShardCount": 4, "ScalingType": "UNIFORM_SCALING"}
		}},
		{"UpdateStreamMode", func() map[string]any {
			return map[string]any{"StreamARN": arn, "StreamModeDetails": map[string]any{"StreamMode": "ON_DEMAND"}}
		}},
		{"DeregisterStreamConsumer", func() map[string]any { return map[string]any{"StreamARN": arn, "ConsumerName": "c"} }},
		{"DeleteStream", func() map[string]any { return map[string]any{"StreamName": "all"} }},
	}
	covered := map[string]bool{"GetRecords": true, "SubscribeToShard": true} // TestCBOR
	for _, st := range steps {
		m := c.ok(st.op, st.body())
		covered[st.op] = true
		if st.op == "RegisterStreamConsumer" {
			carn = get[string](t, m, "Consumer", "ConsumerARN")
			waitFor(t, func() bool { return s.consumerActive(carn) }, "consumer ACTIVE")
		}
	}
	for name := range operations {
		if !covered[name] {
			t.Errorf("operation %s has no CBOR round trip here", name)
		}
	}
}

// consumerActive reports whether the consumer arn is ACTIVE.
func (s *Server) consumerActive(arn string) bool {
	c, e := s.findConsumer(consumerRef{ConsumerARN: arn})
	return e == nil && c.status(s.now()) == statusActive
}
