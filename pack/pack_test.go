package pack

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

// userRecords returns n records that look like kbench's: an envelope-sized
// header and JSON-ish text, each with one of keys partition keys.
func userRecords(n, keys int) (pks []string, data [][]byte) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		pks = append(pks, fmt.Sprintf("device-%d", i%keys))
		d := fmt.Appendf([]byte("KB\x01\x00"), `{"device":"device-%d","seq":%d,"temp_c":%.2f,"humidity":%.1f,"battery":%d}`,
			i%keys, i, 20+rng.Float64()*5, 40+rng.Float64()*20, rng.IntN(100))
		data = append(data, d)
	}
	return pks, data
}

func TestAggregateRoundTrip(t *testing.T) {
	pks, data := userRecords(300, 17)
	var a Aggregate
	for i := range pks {
		ehk := ""
		if i%3 == 0 {
			ehk = fmt.Sprint(uint64(i) * 1e15)
		}
		want := a.SizeWith(pks[i], ehk, len(data[i]))
		a.Add(pks[i], ehk, data[i])
		if a.Size() != want {
			t.Fatalf("record %d: Size %d after Add, SizeWith said %d", i, a.Size(), want)
		}
	}
	out := a.AppendTo([]byte("prefix"))
	if !bytes.HasPrefix(out, []byte("prefix")) || len(out)-len("prefix") != a.Size() {
		t.Fatalf("AppendTo wrote %d bytes, Size is %d", len(out)-6, a.Size())
	}
	if a.PartitionKey() != pks[0] {
		t.Errorf("PartitionKey %q, want the first record's %q", a.PartitionKey(), pks[0])
	}
	var u Unpacker
	got, err := u.Unpack("outer", out[6:])
	if err != nil {
		t.Fatal(err)
	}
	if !got.Aggregated || got.Codec != "" || len(got.Records) != len(pks) {
		t.Fatalf("Unpack: aggregated %v codec %q, %d records; want aggregated, no codec, %d", got.Aggregated, got.Codec, len(got.Records), len(pks))
	}
	for i, r := range got.Records {
		ehk := ""
		if i%3 == 0 {
			ehk = fmt.Sprint(uint64(i) * 1e15)
		}
		if string(r.PartitionKey) != pks[i] || string(r.ExplicitHashKey) != ehk || !bytes.Equal(r.Data, data[i]) {
			t.Fatalf("record %d: got %q %q %q", i, r.PartitionKey, r.ExplicitHashKey, r.Data)
		}
	}
	a.Reset()
	if a.Len() != 0 || a.Size() != Overhead {
		t.Errorf("after Reset: Len %d Size %d", a.Len(), a.Size())
	}
}

func TestUnpackPassesPlainRecordsThrough(t *testing.T) {
	var u Unpacker
	got, err := u.Unpack("k", []byte("KB plain"))
	if err != nil || got.Aggregated || got.Codec != "" || len(got.Records) != 1 ||
		string(got.Records[0].Data) != "KB plain" || string(got.Records[0].PartitionKey) != "k" {
		t.Fatalf("Unpack(plain) = %+v, %v", got, err)
	}
}

func TestCorruptAggregates(t *testing.T) {
	pks, data := userRecords(20, 3)
	var a Aggregate
	for i := range pks {
		a.Add(pks[i], "", data[i])
	}
	good := a.AppendTo(nil)
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x40
		return b
	}
	// A valid digest over a malformed message: a record pointing past the key table.
	var bad Aggregate
	bad.Add("k", "", []byte("x"))
	badIdx := bad.AppendTo(nil)
	body := badIdx[4 : len(badIdx)-16]
	body = bytes.Replace(body, []byte{0x08, 0x00}, []byte{0x08, 0x05}, 1) // partition_key_index 0 → 5
	badIdx = append(append(append([]byte{}, Magic...), body...), md5Of(body)...)
	cases := map[string][]byte{
		"body bit flipped":   flip(30),
		"digest bit flipped": flip(len(good) - 1),
		"truncated":          good[:len(good)-5],
		"index out of range": badIdx,
		"only magic+digest":  append(append([]byte{}, Magic...), make([]byte, 16)...),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			var u Unpacker
			got, err := u.Unpack("k", b)
			if name == "only magic+digest" { // an empty body whose digest is wrong
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err == nil || len(got.Records) != 0 {
				t.Fatalf("Unpack = %d records, %v; want an error and none", len(got.Records), err)
			}
			if name != "index out of range" && !errors.Is(err, ErrDigest) {
				t.Errorf("error %v, want ErrDigest", err)
			}
		})
	}
}

func TestCodecsRoundTrip(t *testing.T) {
	pks, data := userRecords(200, 10)
	var a Aggregate
	for i := range pks {
		a.Add(pks[i], "", data[i])
	}
	agg := a.AppendTo(nil)
	for _, c := range Codecs {
		for level := c.MinLevel; level <= c.MaxLevel; level++ {
			t.Run(fmt.Sprintf("%s-%d", c.Name, level), func(t *testing.T) {
				enc, err := c.NewEncoder(level)
				if err != nil {
					t.Fatal(err)
				}
				var u Unpacker
				for _, src := range [][]byte{data[0], agg, data[1], {}} { // reuse across records
					z, err := enc.Encode([]byte("xx"), src)
					if err != nil {
						t.Fatal(err)
					}
					if string(z[:2]) != "xx" || !bytes.HasPrefix(z[2:], c.Magic) {
						t.Fatalf("Encode did not append a frame starting with the magic: % x", z[:min(len(z), 12)])
					}
					got, err := u.Unpack("pk", z[2:])
					if err != nil {
						t.Fatal(err)
					}
					if got.Codec != c.Name {
						t.Fatalf("detected codec %q", got.Codec)
					}
					if len(src) == len(agg) {
						if !got.Aggregated || len(got.Records) != len(pks) || !bytes.Equal(got.Records[7].Data, data[7]) {
							t.Fatalf("aggregate through %s: %d records", c.Name, len(got.Records))
						}
					} else if len(got.Records) != 1 || !bytes.Equal(got.Records[0].Data, src) {
						t.Fatalf("record through %s: got %q want %q", c.Name, got.Records[0].Data, src)
					}
				}
				if len(agg) > 4000 {
					z, _ := enc.Encode(nil, agg)
					if len(z) >= len(agg)/2 {
						t.Errorf("%s level %d: %d bytes of repetitive JSON compressed to %d", c.Name, level, len(agg), len(z))
					}
				}
			})
		}
	}
}

func TestCorruptFramesAreErrors(t *testing.T) {
	_, data := userRecords(50, 5)
	src := bytes.Join(data, nil)
	for _, c := range Codecs {
		enc, _ := c.NewEncoder(c.DefaultLevel)
		z, _ := enc.Encode(nil, src)
		for _, cut := range []int{len(c.Magic) + 1, len(z) / 2, len(z) - 1} {
			var u Unpacker
			if got, err := u.Unpack("k", z[:cut]); err == nil {
				t.Errorf("%s cut at %d of %d: no error, %d records", c.Name, cut, len(z), len(got.Records))
			}
		}
	}
}

func TestDecodeRefusesBombs(t *testing.T) {
	big := make([]byte, MaxDecoded+1000)
	for _, c := range Codecs {
		enc, _ := c.NewEncoder(c.DefaultLevel)
		z, err := enc.Encode(nil, big)
		if err != nil {
			t.Fatal(err)
		}
		var u Unpacker
		if _, err := u.Unpack("k", z); err == nil {
			t.Errorf("%s: %d zero bytes in %d compressed decoded without error", c.Name, len(big), len(z))
		}
	}
}

func TestCodecMagicsAreDistinct(t *testing.T) {
	starts := [][]byte{Magic, []byte("KB")} // an aggregate, an envelope
	for _, c := range Codecs {
		for _, s := range starts {
			if bytes.HasPrefix(s, c.Magic) || bytes.HasPrefix(c.Magic, s) {
				t.Errorf("%s's magic % x overlaps % x", c.Name, c.Magic, s)
			}
		}
		starts = append(starts, c.Magic)
	}
}
