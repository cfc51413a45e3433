package envelope

import (
	"bytes"
	"encoding/base64"
	"testing"
)

func TestSlot(t *testing.T) {
	e := Envelope{RunID: 0x0102030405060708, ProducerID: 9, Seq: 1 << 40, Intended: 1_700_000_000_123_456_789, Sent: 1}
	for _, s := range []Slot{{}, {Offset: 11}, {Offset: 8, Base64: true}, {Offset: 0, Base64: true}} {
		rec := bytes.Repeat([]byte{'x'}, s.Offset+s.Len()+5)
		s.Put(rec, &e)
		if !bytes.Equal(rec[:s.Offset], bytes.Repeat([]byte{'x'}, s.Offset)) || string(rec[s.Offset+s.Len():]) != "xxxxx" {
			t.Fatalf("%+v: Put wrote outside the slot: %q", s, rec)
		}
		if s.Base64 {
			raw, err := base64.StdEncoding.DecodeString(string(rec[s.Offset : s.Offset+B64Size]))
			if err != nil || !bytes.Equal(raw, e.Append(nil)) {
				t.Fatalf("%+v: slot holds %q, not the envelope in base64", s, rec[s.Offset:s.Offset+B64Size])
			}
		}
		for _, sent := range []int64{1_700_000_000_987_654_321, -1, 0} {
			s.StampSent(rec, sent)
			got, err := s.Decode(rec)
			want := e
			want.Sent = sent
			if err != nil || got != want {
				t.Errorf("%+v: after StampSent(%d) Decode = %+v, %v; want %+v", s, sent, got, err, want)
			}
		}
		if _, err := s.Decode(rec[:s.Offset+s.Len()-1]); err != ErrShort {
			t.Errorf("%+v: Decode of a short record = %v; want ErrShort", s, err)
		}
	}
}

func BenchmarkSlotStampSent(b *testing.B) {
	e := Envelope{RunID: 1, Seq: 2, Intended: 3}
	for _, bc := range []struct {
		name string
		s    Slot
	}{{"prefix", Slot{}}, {"base64", Slot{Offset: 8, Base64: true}}} {
		b.Run(bc.name, func(b *testing.B) {
			rec := make([]byte, 200)
			bc.s.Put(rec, &e)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				bc.s.StampSent(rec, int64(i))
			}
		})
	}
}
