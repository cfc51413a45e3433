package envelope

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	cases := []Envelope{
		{},
		{RunID: 1, ProducerID: 2, Seq: 3, Intended: 4, Sent: 5},
		{RunID: ^uint64(0), ProducerID: ^uint32(0), Seq: ^uint64(0), Intended: -1, Sent: 1 << 62},
	}
	for _, want := range cases {
		rec := want.Append([]byte(nil))
		rec = append(rec, "payload"...)
		if len(rec) != Size+7 {
			t.Fatalf("len = %d", len(rec))
		}
		got, err := Decode(rec)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("Decode = %+v, want %+v", got, want)
		}
		if !bytes.Equal(rec[Size:], []byte("payload")) {
			t.Errorf("payload damaged")
		}
	}
}

func TestStampSent(t *testing.T) {
	e := Envelope{RunID: 9, Seq: 7, Intended: 100, Sent: 100}
	rec := e.Append(nil)
	StampSent(rec, 250)
	got, _ := Decode(rec)
	e.Sent = 250
	if got != e {
		t.Errorf("after StampSent: %+v, want %+v", got, e)
	}
}

func TestDecodeErrors(t *testing.T) {
	good := (&Envelope{RunID: 1}).Append(nil)
	badMagic := append([]byte(nil), good...)
	badMagic[0] = 'X'
	badVersion := append([]byte(nil), good...)
	badVersion[2] = 9
	cases := []struct {
		name string
		rec  []byte
		want error
	}{
		{"empty", nil, ErrShort},
		{"short", good[:Size-1], ErrShort},
		{"magic", badMagic, ErrMagic},
		{"version", badVersion, ErrVersion},
	}
	for _, c := range cases {
		if _, err := Decode(c.rec); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
}

func TestNowMonotonic(t *testing.T) {
	a := Now()
	b := Now()
	if b < a {
		t.Fatalf("clock went back: %d then %d", a, b)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add((&Envelope{RunID: 1, ProducerID: 2, Seq: 3, Intended: 4, Sent: 5}).Append(nil))
	f.Add([]byte("KB"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, rec []byte) {
		e, err := Decode(rec)
		if err != nil {
			return
		}
		again, err := Decode(e.Append(nil))
		if err != nil || again != e {
			t.Fatalf("re-encode of %+v gave %+v, %v", e, again, err)
		}
	})
}

func BenchmarkStampDecode(b *testing.B) {
	rec := make([]byte, Size+100)
	e := Envelope{RunID: 42, ProducerID: 1}
	b.ReportAllocs()
	var sink uint64
	for i := 0; b.Loop(); i++ {
		e.Seq = uint64(i)
		e.Intended = int64(i)
		e.Put(rec)
		StampSent(rec, int64(i)+1)
		d, err := Decode(rec)
		if err != nil {
			b.Fatal(err)
		}
		sink += d.Seq
	}
	_ = sink
}

func Example() {
	rec := (&Envelope{RunID: 7, ProducerID: 1, Seq: 42, Intended: 1000, Sent: 1500}).Append(nil)
	rec = append(rec, `{"amount":12.5}`...)
	e, _ := Decode(rec)
	fmt.Println(e.Seq, e.Sent-e.Intended, string(rec[Size:]))
	// Output: 42 500 {"amount":12.5}
}
