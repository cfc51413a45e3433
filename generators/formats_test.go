package generators

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/bufbuild/protocompile"
	"github.com/hamba/avro/v2"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/kbench/kbench/envelope"
)

// formatRecords makes n records of the named generator in format, each
// with its envelope put in place as the producer does, and returns them
// with the envelopes.
func formatRecords(t testing.TB, gen, format string, n int) ([][]byte, []envelope.Envelope) {
	t.Helper()
	o, err := NewOptions(gen)
	if err != nil {
		t.Fatal(err)
	}
	switch o := o.(type) {
	case *PaymentsOptions:
		o.Format, o.FraudRate = format, 0.05
	case *IoTOptions:
		o.Format, o.Devices, o.BurstRate = format, 50, 0.02
	}
	g, err := New(o, 7)
	if err != nil {
		t.Fatal(err)
	}
	slot, inside := SlotOf(g)
	var recs [][]byte
	var envs []envelope.Envelope
	for i := range n {
		e := envelope.Envelope{RunID: 0xabc, ProducerID: 3, Seq: uint64(i), Intended: benchAt + int64(i)*1e6, Sent: benchAt + int64(i)*1e6 + 5}
		var rec []byte
		if !inside {
			rec = e.Append(rec)
		}
		rec, _ = g.Next(rec, e.Intended)
		if inside {
			slot.Put(rec, &e)
		}
		recs = append(recs, rec)
		envs = append(envs, e)
	}
	return recs, envs
}

// msTime formats Unix milliseconds as the JSON records' ts.
func msTime(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")
}

// decodeAs decodes one record of the named generator and format with that
// format's standard reader, into the JSON record type, and returns the
// envelope bytes it carried.
type decodeFunc func(t *testing.T, rec []byte) (fields any, kb []byte)

func TestFormatsRoundTrip(t *testing.T) {
	payAvro, readAvro := mustAvro(t, PaymentAvroSchema), mustAvro(t, ReadingAvroSchema)
	proto := mustProto(t)
	decoders := map[string]map[string]decodeFunc{
		"payments": {
			"json": func(t *testing.T, rec []byte) (any, []byte) {
				var v struct {
					KB string `json:"_kb"`
					paymentRecord
				}
				strictJSON(t, rec, &v)
				kb, err := base64.StdEncoding.DecodeString(v.KB)
				if err != nil {
					t.Fatal(err)
				}
				return v.paymentRecord, kb
			},
			"avro": func(t *testing.T, rec []byte) (any, []byte) {
				var v struct {
					KB       []byte    `avro:"_kb"`
					TxnID    string    `avro:"txn_id"`
					TS       time.Time `avro:"ts"`
					Card     string    `avro:"card"`
					Merchant string    `avro:"merchant"`
					MCC      string    `avro:"mcc"`
					Amount   float64   `avro:"amount"`
					Currency string    `avro:"currency"`
					Country  string    `avro:"country"`
					Channel  string    `avro:"channel"`
					Label    string    `avro:"label"`
				}
				avroSingleObject(t, payAvro, rec, &v)
				return paymentRecord{v.TxnID, msTime(v.TS.UnixMilli()), v.Card, v.Merchant, v.MCC, v.Amount,
					v.Currency, v.Country, v.Channel, v.Label}, v.KB
			},
			"protobuf": func(t *testing.T, rec []byte) (any, []byte) {
				m := protoDecode(t, proto, "Payment", rec)
				s := func(n string) string { return m.Get(m.Descriptor().Fields().ByName(protoreflect.Name(n))).String() }
				f := func(n string) protoreflect.Value { return m.Get(m.Descriptor().Fields().ByName(protoreflect.Name(n))) }
				return paymentRecord{s("txn_id"), msTime(f("ts_ms").Int()), s("card"), s("merchant"), s("mcc"), f("amount").Float(),
					s("currency"), s("country"), s("channel"), s("label")}, f("_kb").Bytes()
			},
			"csv": func(t *testing.T, rec []byte) (any, []byte) {
				c := csvRow(t, rec, 10)
				return paymentRecord{c[1], c[2], c[3], c[4], c[5], parseFloat(t, c[6]), c[7], c[8], c[9], c[10]}, b64(t, c[0])
			},
		},
		"iot": {
			"json": func(t *testing.T, rec []byte) (any, []byte) {
				var v struct {
					KB string `json:"_kb"`
					iotRecord
				}
				strictJSON(t, rec, &v)
				return v.iotRecord, b64(t, v.KB)
			},
			"avro": func(t *testing.T, rec []byte) (any, []byte) {
				var v struct {
					KB       []byte    `avro:"_kb"`
					Device   string    `avro:"device"`
					Model    string    `avro:"model"`
					FW       string    `avro:"fw"`
					Seq      int64     `avro:"seq"`
					TS       time.Time `avro:"ts"`
					TempC    float64   `avro:"temp_c"`
					Humidity float64   `avro:"humidity"`
					Battery  float64   `avro:"battery"`
					RSSI     int       `avro:"rssi"`
					Lat      float64   `avro:"lat"`
					Lon      float64   `avro:"lon"`
					Status   string    `avro:"status"`
				}
				avroSingleObject(t, readAvro, rec, &v)
				return iotRecord{v.Device, v.Model, v.FW, uint64(v.Seq), msTime(v.TS.UnixMilli()), v.TempC, v.Humidity,
					v.Battery, v.RSSI, v.Lat, v.Lon, v.Status}, v.KB
			},
			"protobuf": func(t *testing.T, rec []byte) (any, []byte) {
				m := protoDecode(t, proto, "Reading", rec)
				f := func(n string) protoreflect.Value { return m.Get(m.Descriptor().Fields().ByName(protoreflect.Name(n))) }
				return iotRecord{f("device").String(), f("model").String(), f("fw").String(), f("seq").Uint(), msTime(f("ts_ms").Int()),
					f("temp_c").Float(), f("humidity").Float(), f("battery").Float(), int(f("rssi").Int()),
					f("lat").Float(), f("lon").Float(), f("status").String()}, f("_kb").Bytes()
			},
			"csv": func(t *testing.T, rec []byte) (any, []byte) {
				c := csvRow(t, rec, 12)
				seq, _ := strconv.ParseUint(c[4], 10, 64)
				rssi, _ := strconv.Atoi(c[9])
				return iotRecord{c[1], c[2], c[3], seq, c[5], parseFloat(t, c[6]), parseFloat(t, c[7]), parseFloat(t, c[8]),
					rssi, parseFloat(t, c[10]), parseFloat(t, c[11]), c[12]}, b64(t, c[0])
			},
		},
	}
	const n = 300
	for gen, byFormat := range decoders {
		// The prefixed format's records are the reference: the same seed
		// gives the same values in every format.
		ref, _ := formatRecords(t, gen, "prefixed", n)
		for format, decode := range byFormat {
			t.Run(gen+"/"+format, func(t *testing.T) {
				recs, envs := formatRecords(t, gen, format, n)
				for i, rec := range recs {
					got, kb := decode(t, rec)
					want := refRecord(t, gen, ref[i][envelope.Size:])
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Fatalf("record %d decodes to\n%+v\nwant\n%+v", i, got, want)
					}
					if !bytes.Equal(kb, envs[i].Append(nil)) {
						t.Fatalf("record %d: _kb = %x; want the envelope %x", i, kb, envs[i].Append(nil))
					}
					env, err := Envelope(rec)
					if err != nil || env != envs[i] {
						t.Fatalf("record %d: Envelope = %+v, %v; want %+v", i, env, err, envs[i])
					}
				}
			})
		}
	}
}

// refRecord decodes a JSON record of gen.
func refRecord(t *testing.T, gen string, rec []byte) any {
	if gen == "payments" {
		var v paymentRecord
		strictJSON(t, rec, &v)
		return v
	}
	var v iotRecord
	strictJSON(t, rec, &v)
	return v
}

func strictJSON(t *testing.T, rec []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(rec))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%v: %s", err, rec)
	}
}

func b64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parseFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func csvRow(t *testing.T, rec []byte, last int) []string {
	t.Helper()
	if !bytes.HasSuffix(rec, []byte("\n")) || bytes.Count(rec, []byte("\n")) != 1 {
		t.Fatalf("a CSV record is one line ending in a newline: %q", rec)
	}
	r := csv.NewReader(bytes.NewReader(rec))
	r.FieldsPerRecord = last + 1
	rows, err := r.ReadAll()
	if err != nil || len(rows) != 1 {
		t.Fatalf("%v: %q", err, rec)
	}
	return rows[0]
}

func mustAvro(t *testing.T, schema string) avro.Schema {
	t.Helper()
	s, err := avro.Parse(schema)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// avroSingleObject checks the single-object header against the schema's
// fingerprint and decodes the body with the Avro library.
func avroSingleObject(t *testing.T, s avro.Schema, rec []byte, v any) {
	t.Helper()
	fp, err := s.FingerprintUsing(avro.CRC64AvroLE)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec) < 10 || rec[0] != 0xC3 || rec[1] != 0x01 || !bytes.Equal(rec[2:10], fp) {
		t.Fatalf("header %x; want C3 01 and the fingerprint %x", rec[:min(10, len(rec))], fp)
	}
	if err := avro.Unmarshal(s, rec[10:], v); err != nil {
		t.Fatalf("%v: %x", err, rec)
	}
	// The body holds exactly one record: re-encoding it gives it back.
	again, err := avro.Marshal(s, v)
	if err != nil || !bytes.Equal(again, rec[10:]) {
		t.Fatalf("re-encoded %x, %v; want %x", again, err, rec[10:])
	}
}

// mustProto compiles the shipped .proto.
func mustProto(t *testing.T) protoreflect.FileDescriptor {
	t.Helper()
	c := protocompile.Compiler{Resolver: &protocompile.SourceResolver{
		Accessor: protocompile.SourceAccessorFromMap(map[string]string{"kbench.proto": ProtoFile}),
	}}
	files, err := c.Compile(context.Background(), "kbench.proto")
	if err != nil {
		t.Fatal(err)
	}
	return files[0]
}

func protoDecode(t *testing.T, fd protoreflect.FileDescriptor, name string, rec []byte) *dynamicpb.Message {
	t.Helper()
	m := dynamicpb.NewMessage(fd.Messages().ByName(protoreflect.Name(name)))
	if err := (proto.UnmarshalOptions{DiscardUnknown: false}).Unmarshal(rec, m); err != nil {
		t.Fatalf("%v: %x", err, rec)
	}
	if len(m.GetUnknown()) > 0 {
		t.Fatalf("unknown fields %x", m.GetUnknown())
	}
	return m
}

// TestEnvelopeFoundWhenRewritten checks that the collectors find the
// envelope in records another writer re-encoded: JSON with other field
// order and spacing, protobuf with field 1 last.
func TestEnvelopeFoundWhenRewritten(t *testing.T) {
	e := envelope.Envelope{RunID: 9, ProducerID: 1, Seq: 77, Intended: 5, Sent: 6}
	kb := base64.StdEncoding.EncodeToString(e.Append(nil))
	jsonRec := []byte(`{"card": "tok_1", "_kb" : "` + kb + `", "amount": 3.5}`)
	pb := appendProtoString(nil, 4, "tok_1")
	pb = appendProtoString(pb, 1, string(e.Append(nil)))
	for name, rec := range map[string][]byte{"json": jsonRec, "protobuf": pb} {
		if got, err := Envelope(rec); err != nil || got != e {
			t.Errorf("%s: Envelope = %+v, %v; want %+v", name, got, err, e)
		}
	}
	for _, rec := range [][]byte{nil, []byte("{}"), []byte(`{"_kb":1}`), []byte("hello,world\n"), {0xC3, 0x01}} {
		if _, err := Envelope(rec); err == nil {
			t.Errorf("Envelope(%q) found one", rec)
		}
	}
}

// BenchmarkFormats measures encoding one record (ns and allocs per record)
// and reports its size in bytes, envelope included.
func BenchmarkFormats(b *testing.B) {
	for _, gen := range []string{"payments", "iot"} {
		for _, f := range Formats {
			b.Run(gen+"/"+f.Name, func(b *testing.B) {
				recs, _ := formatRecords(b, gen, f.Name, 1000)
				size := 0
				for _, r := range recs {
					size += len(r)
				}
				o, _ := NewOptions(gen)
				switch o := o.(type) {
				case *PaymentsOptions:
					o.Format = f.Name
				case *IoTOptions:
					o.Format = f.Name
				}
				g, _ := New(o, 1)
				slot, inside := SlotOf(g)
				e := envelope.Envelope{RunID: 1}
				buf := make([]byte, 0, 1024)
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					e.Seq = uint64(i)
					buf = buf[:0]
					if !inside {
						buf = e.Append(buf)
					}
					buf, _ = g.Next(buf, benchAt+int64(i)*1e6)
					if inside {
						slot.Put(buf, &e)
					}
				}
				b.ReportMetric(float64(size)/float64(len(recs)), "bytes/record")
			})
		}
	}
}

// envSink keeps the benchmarks' decoded envelopes alive.
var envSink uint64

// BenchmarkEnvelope measures finding and decoding the envelope of a record
// of each format, as the collectors do for every record.
func BenchmarkEnvelope(b *testing.B) {
	b.Run("prefix-decode-only", func(b *testing.B) { // the collectors' path before formats, for comparison
		recs, _ := formatRecords(b, "payments", "prefixed", 1)
		b.ReportAllocs()
		var sink uint64
		for b.Loop() {
			e, err := envelope.Decode(recs[0])
			if err != nil {
				b.Fatal(err)
			}
			sink += e.Seq + uint64(e.Sent)
		}
		envSink = sink
	})
	for _, f := range Formats {
		b.Run(f.Name, func(b *testing.B) {
			recs, _ := formatRecords(b, "payments", f.Name, 1)
			b.ReportAllocs()
			var sink uint64
			for b.Loop() {
				e, err := Envelope(recs[0])
				if err != nil {
					b.Fatal(err)
				}
				sink += e.Seq + uint64(e.Sent)
			}
			envSink = sink
		})
	}
}

// FuzzEnvelope feeds the collectors' envelope finder arbitrary records: it
// must never panic, and what it finds must be a kbench envelope.
func FuzzEnvelope(f *testing.F) {
	for _, format := range Formats.Names() {
		recs, _ := formatRecords(f, "iot", format, 1)
		f.Add(recs[0])
	}
	f.Add([]byte(`{"a":1,"_kb":"S0IB"}`))
	f.Fuzz(func(t *testing.T, rec []byte) {
		if _, err := Envelope(rec); err == nil && !bytes.Contains(rec, []byte("KB")) && !bytes.Contains(rec, []byte("S0IB")) {
			t.Fatalf("found an envelope in %q, which holds no magic", rec)
		}
	})
}
