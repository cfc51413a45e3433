package pack

import (
	"fmt"
	"testing"
)

// The benchmarks report per user record: ns and allocations (b.N counts
// user records), and bytes per record as sent (sent-B/rec) against the raw
// records (raw-B/rec). The records are IoT-like JSON readings of about 110
// bytes; "single" compresses each record alone, "agg" packs 100 records per
// aggregate (compressed as a whole when a codec is named).

const benchAggRecords = 100

func BenchmarkPack(b *testing.B) {
	pks, data := userRecords(1000, 50)
	raw := 0
	for _, d := range data {
		raw += len(d) + len(pks[0])
	}
	codecs := append([]string{"none"}, Codecs.Names()...)
	for _, agg := range []bool{false, true} {
		for _, name := range codecs {
			mode := "single"
			if agg {
				mode = "agg"
			}
			b.Run(fmt.Sprintf("%s/%s", mode, name), func(b *testing.B) {
				var enc Encoder
				if c, ok := Codecs.Lookup(name); ok {
					var err error
					if enc, err = c.NewEncoder(c.DefaultLevel); err != nil {
						b.Fatal(err)
					}
				}
				var a Aggregate
				var buf, out []byte
				sent, kinesis := 0, 0
				emit := func(pk string, rec []byte) {
					if enc != nil {
						out, _ = enc.Encode(out[:0], rec)
						rec = out
					}
					sent += len(rec) + len(pk)
					kinesis++
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := range b.N {
					k := i % len(data)
					if !agg {
						emit(pks[k], data[k])
						continue
					}
					a.Add(pks[k], "", data[k])
					if a.Len() == benchAggRecords || i == b.N-1 {
						buf = a.AppendTo(buf[:0])
						emit(a.PartitionKey(), buf)
						a.Reset()
					}
				}
				b.ReportMetric(float64(sent)/float64(b.N), "sent-B/rec")
				b.ReportMetric(float64(raw)/float64(len(data)), "raw-B/rec")
				b.ReportMetric(float64(b.N)/float64(kinesis), "recs/kinesis")
			})
		}
	}
}

func BenchmarkUnpack(b *testing.B) {
	pks, data := userRecords(benchAggRecords, 50)
	var a Aggregate
	for i := range pks {
		a.Add(pks[i], "", data[i])
	}
	agg := a.AppendTo(nil)
	codecs := append([]string{"none"}, Codecs.Names()...)
	for _, aggregated := range []bool{false, true} {
		for _, name := range codecs {
			mode := "single"
			src := data[0]
			if aggregated {
				mode, src = "agg", agg
			}
			b.Run(fmt.Sprintf("%s/%s", mode, name), func(b *testing.B) {
				src := src
				if c, ok := Codecs.Lookup(name); ok {
					enc, err := c.NewEncoder(c.DefaultLevel)
					if err != nil {
						b.Fatal(err)
					}
					src, _ = enc.Encode(nil, src)
				}
				var u Unpacker
				per := 1
				if aggregated {
					per = benchAggRecords
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i += per {
					got, err := u.Unpack("k", src)
					if err != nil || len(got.Records) != per {
						b.Fatal(err, len(got.Records))
					}
				}
			})
		}
	}
}
