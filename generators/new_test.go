package generators

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

// newGen builds a generator from the named defaults changed by edit.
func newGen[O any, PO interface {
	*O
	Options
}](t testing.TB, name string, seed int64, edit func(*O)) Generator {
	t.Helper()
	o, err := NewOptions(name)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(o.(PO))
	}
	g, err := New(o, seed)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// records returns n records of g stamped 1 ms apart from benchAt.
func records(g Generator, n int) (payloads [][]byte, entities []string) {
	for i := range n {
		p, e := g.Next(nil, benchAt+int64(i)*int64(time.Millisecond))
		payloads = append(payloads, p)
		entities = append(entities, e)
	}
	return payloads, entities
}

func TestNewDeterministic(t *testing.T) {
	for _, name := range []string{"payments", "iot", "acoustic"} {
		t.Run(name, func(t *testing.T) {
			gen := func(seed int64) []byte {
				o, err := NewOptions(name)
				if err != nil {
					t.Fatal(err)
				}
				switch o := o.(type) {
				case *PaymentsOptions:
					o.FraudRate = 0.02
				case *IoTOptions:
					o.BurstRate = 0.02
				case *AcousticOptions:
					o.TransientRate = 0.2
				}
				g, err := New(o, seed)
				if err != nil {
					t.Fatal(err)
				}
				var all, buf []byte
				for i := range 500 {
					var e string
					buf, e = g.Next(buf[:0], benchAt+int64(i)*int64(time.Millisecond))
					all = append(append(all, e...), buf...)
				}
				return all
			}
			a, b, c := gen(7), gen(7), gen(8)
			if !bytes.Equal(a, b) {
				t.Error("the same seed gave different output")
			}
			if bytes.Equal(a, c) {
				t.Error("different seeds gave the same output")
			}
		})
	}
}

// TestNextAppends checks that Next appends to dst and leaves its prefix alone.
func TestNextAppends(t *testing.T) {
	for _, name := range []string{"payments", "iot", "acoustic"} {
		o, _ := NewOptions(name)
		g, err := New(o, 1)
		if err != nil {
			t.Fatal(err)
		}
		alone, _ := g.Next(nil, benchAt)
		g, _ = New(o, 1)
		got, _ := g.Next([]byte("prefix"), benchAt)
		if !bytes.Equal(got, append([]byte("prefix"), alone...)) {
			t.Errorf("%s: Next did not append to dst", name)
		}
	}
}

func TestNewValidation(t *testing.T) {
	tests := []struct {
		name   string
		opts   Options
		fields []string // the FieldError fields, in order
	}{
		{"payments ok", ptr(DefaultPaymentsOptions()), nil},
		{"payments all wrong", &PaymentsOptions{Cards: 0, Merchants: -1, MerchantSkew: 1, AmountMedian: 0,
			AmountSigma: -1, FraudRate: 2, FraudBurst: 0},
			[]string{"cards", "merchants", "merchant_skew", "amount_median", "amount_sigma", "fraud_rate", "fraud_burst"}},
		{"payments fraud covers more than everything", with(DefaultPaymentsOptions(), func(o *PaymentsOptions) {
			o.FraudRate, o.FraudBurst = 0.2, 6
		}), []string{"fraud_rate"}},
		{"iot ok", ptr(DefaultIoTOptions()), nil},
		{"iot all wrong", &IoTOptions{Devices: 0, PeriodMin: 0, PeriodMax: -1, Jitter: 2, BurstRate: -1, BurstSize: 0},
			[]string{"devices", "period_min", "period_max", "jitter", "burst_rate", "burst_size"}},
		{"iot bursts cover more than everything", with(DefaultIoTOptions(), func(o *IoTOptions) {
			o.BurstRate, o.BurstSize = 0.5, 3
		}), []string{"burst_rate"}},
		{"acoustic ok", ptr(DefaultAcousticOptions()), nil},
		{"acoustic all wrong", &AcousticOptions{Hydrophones: 0, Channels: 65, SampleRate: 0, BitsPerSample: 12,
			FrameLength: 0, Tones: []float64{-1}, NoiseLevel: 2, TransientRate: 2},
			[]string{"hydrophones", "channels", "sample_rate", "bits_per_sample", "frame_length", "tones", "noise_level", "transient_rate"}},
		{"acoustic tone above Nyquist", with(DefaultAcousticOptions(), func(o *AcousticOptions) { o.Tones = []float64{9000} }),
			[]string{"tones"}},
		{"acoustic frame without a sample", with(DefaultAcousticOptions(), func(o *AcousticOptions) { o.FrameLength = time.Microsecond }),
			[]string{"frame_length"}},
		{"acoustic frame over 1 MiB", with(DefaultAcousticOptions(), func(o *AcousticOptions) { o.FrameLength = 10 * time.Second }),
			[]string{"frame_length"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := New(tt.opts, 1)
			if len(tt.fields) == 0 {
				if err != nil || g == nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("New accepted bad options")
			}
			joined, ok := err.(interface{ Unwrap() []error })
			if !ok {
				t.Fatalf("error %T is not an errors.Join", err)
			}
			var fields []string
			for _, e := range joined.Unwrap() {
				var fe *FieldError
				if !errors.As(e, &fe) {
					t.Fatalf("%v is not a *FieldError", e)
				}
				fields = append(fields, fe.Field)
			}
			if strings.Join(fields, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("fields = %v, want %v (%v)", fields, tt.fields, err)
			}
		})
	}
}

func TestNewBadOptions(t *testing.T) {
	for _, o := range []Options{nil, (*PaymentsOptions)(nil), (*IoTOptions)(nil), (*AcousticOptions)(nil)} {
		if _, err := New(o, 1); err == nil {
			t.Errorf("New(%#v) gave no error", o)
		}
	}
	if _, err := NewOptions("video"); err == nil {
		t.Error("NewOptions accepted an unknown generator")
	}
}

func ptr[T any](v T) *T { return &v }

func with[T any](v T, edit func(*T)) *T {
	edit(&v)
	return &v
}
