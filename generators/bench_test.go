package generators

import (
	"fmt"
	"testing"
	"time"
)

// benchAt is a fixed send time for benchmarks and tests: 2026-03-01T12:00:00Z.
const benchAt = int64(1772366400) * int64(time.Second)

func benchGenerator(b *testing.B, name string, edit func(Options)) {
	o, err := NewOptions(name)
	if err != nil {
		b.Fatal(err)
	}
	if edit != nil {
		edit(o)
	}
	g, err := New(o, 1)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 1<<20)
	at := benchAt
	var size int
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = g.Next(buf[:0], at)
		size = len(buf)
		at += 1e5
	}
	b.SetBytes(int64(size))
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkPayments measures one payments record, with fraud bursts on.
func BenchmarkPayments(b *testing.B) {
	benchGenerator(b, "payments", func(o Options) { o.(*PaymentsOptions).FraudRate = 0.01 })
}

// BenchmarkIoT measures one telemetry report from a fleet of 1,000 devices
// with bursts on.
func BenchmarkIoT(b *testing.B) {
	benchGenerator(b, "iot", func(o Options) { o.(*IoTOptions).BurstRate = 0.01 })
}

// BenchmarkAcoustic measures one default frame, 4 channels × 16 kHz × 100 ms
// (12,800 bytes of PCM plus the header at 16 bit), at each bit depth.
func BenchmarkAcoustic(b *testing.B) {
	for _, bits := range []int{16, 8, 24, 32} {
		b.Run(fmt.Sprintf("%dbit", bits), func(b *testing.B) {
			benchGenerator(b, "acoustic", func(o Options) { o.(*AcousticOptions).BitsPerSample = bits })
		})
	}
}

// BenchmarkKeys measures one Key call of each strategy.
func BenchmarkKeys(b *testing.B) {
	for _, kind := range KeyStrategies() {
		b.Run(kind, func(b *testing.B) {
			s, err := NewKeyStrategy(kind, KeyConfig{Shards: 16, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				s.Key("tok_0123456789abcdef")
			}
		})
	}
}

// BenchmarkShardForKey measures the MD5 and the explicit-hash-key paths.
func BenchmarkShardForKey(b *testing.B) {
	b.Run("md5", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ShardForKey("tok_0123456789abcdef", "", 16)
		}
	})
	b.Run("explicit", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ShardForKey("tok_0123456789abcdef", "170141183460469231731687303715884105727", 16)
		}
	})
}

// BenchmarkPacerDue measures Due(n) for n = 0, 1, 2, … of each profile.
func BenchmarkPacerDue(b *testing.B) {
	pacers := []struct {
		name  string
		pacer Pacer
	}{
		{"constant", Constant(10000)},
		{"ramp", Ramp(0, 10000, time.Minute)},
		{"steps", Steps([]Step{{1000, time.Minute}, {0, time.Minute}, {5000, time.Minute}, {2000, time.Minute}})},
		{"sine", Sine(10000, 8000, time.Minute)},
		{"poisson", Poisson(10000, 1)},
		{"switch", Switch(Poisson(10000, 1), 30*time.Second, Constant(20000))},
	}
	for _, p := range pacers {
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			n := uint64(0)
			for b.Loop() {
				p.pacer.Due(n)
				n++
			}
		})
	}
}
