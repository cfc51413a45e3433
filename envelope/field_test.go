package envelope

import (
	"encoding/json"
	"testing"
)

func TestFieldRoundTrip(t *testing.T) {
	e := Envelope{RunID: 0x1122334455667788, ProducerID: 7, Seq: 42, Intended: 1_700_000_000_000_000_000, Sent: 5}
	rec := e.AppendField(nil, []byte(`{"txn_id":"tx_1","amount":3.5}`))
	var m map[string]any
	if err := json.Unmarshal(rec, &m); err != nil {
		t.Fatalf("field form is not JSON: %v\n%s", err, rec)
	}
	if m["txn_id"] != "tx_1" || len(m[FieldName].(string)) != FieldSize {
		t.Fatalf("fields lost: %s", rec)
	}
	StampSentField(rec, 1_700_000_000_000_000_123)
	got, err := Find(rec)
	if err != nil {
		t.Fatal(err)
	}
	want := e
	want.Sent = 1_700_000_000_000_000_123
	if got != want {
		t.Fatalf("Find = %+v, want %+v", got, want)
	}
	// An output that nests the input, with spaces, still carries it.
	out := []byte(`{"alert":true, "source": {"x":1, "_kb" : "` + string(rec[8:8+FieldSize]) + `"}}`)
	if got, err := Find(out); err != nil || got != want {
		t.Fatalf("Find(nested) = %+v, %v", got, err)
	}
	if _, err := Find([]byte(`{"_kb":"zz"}`)); err == nil {
		t.Fatal("Find accepted a damaged field")
	}
	// The binary prefix is found too.
	if got, err := Find(e.Append(nil)); err != nil || got != e {
		t.Fatalf("Find(prefix) = %+v, %v", got, err)
	}
	if got := string(e.AppendField(nil, []byte(`{}`))); got != `{"_kb":"`+got[8:8+FieldSize]+`"}` {
		t.Fatalf("empty object: %s", got)
	}
}

func FuzzFind(f *testing.F) {
	e := Envelope{RunID: 1, Seq: 2}
	f.Add(e.AppendField(nil, []byte(`{"a":1}`)))
	f.Add([]byte(`{"_kb":`))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = Find(data)
	})
}
