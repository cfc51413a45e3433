package results

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/kbench/kbench/metrics"
)

// writeTestHlog writes n one-second intervals of random latencies and
// returns the log and the merge of its intervals.
func writeTestHlog(t testing.TB, n int) ([]byte, *hdrhistogram.Histogram) {
	t.Helper()
	var buf bytes.Buffer
	start := time.Date(2025, 6, 1, 12, 0, 0, 250e6, time.UTC)
	w, err := NewHlogWriter(&buf, start)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	merged := metrics.NewHistogram()
	for i := range n {
		iv := metrics.NewHistogram()
		for range 500 {
			if err := iv.RecordValue(int64(rng.ExpFloat64() * 50e6)); err != nil {
				t.Fatal(err)
			}
		}
		merged.Merge(iv)
		from := start.Add(time.Duration(i) * time.Second)
		if err := w.Write(iv, from, from.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes(), merged
}

func TestHlogRoundTrip(t *testing.T) {
	log, merged := writeTestHlog(t, 5)
	text := string(log)
	for _, want := range []string{
		"#[Histogram log format version 1.3]",
		"#[StartTime: 1748779200.250 (seconds since epoch), 2025-06-01T12:00:00.25Z]",
		"#[BaseTime: 1748779200.250 (seconds since epoch)]",
		`"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"`,
		"\n0.000000,1.000000,", "\n4.000000,1.000000,",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("log lacks %q:\n%s", want, text[:min(len(text), 600)])
		}
	}

	// hdrhistogram's own reader sees the same intervals at the right times.
	lr := hdrhistogram.NewHistogramLogReader(bytes.NewReader(log))
	own := metrics.NewHistogram()
	n := 0
	for {
		iv, err := lr.NextIntervalHistogram()
		if err != nil {
			t.Fatal(err)
		}
		if iv == nil {
			break
		}
		wantStart := int64(1748779200250) + int64(n)*1000
		if iv.StartTimeMs() != wantStart || iv.EndTimeMs() != wantStart+1000 {
			t.Errorf("interval %d: %d..%d ms, want %d..%d", n, iv.StartTimeMs(), iv.EndTimeMs(), wantStart, wantStart+1000)
		}
		own.Merge(iv)
		n++
	}
	if n != 5 || !own.Equals(merged) {
		t.Errorf("hdrhistogram reader: %d intervals, equal %v", n, own.Equals(merged))
	}

	total, intervals, err := ReadHlog(bytes.NewReader(log))
	if err != nil {
		t.Fatal(err)
	}
	if intervals != 5 || !total.Equals(merged) {
		t.Errorf("ReadHlog: %d intervals, equal %v", intervals, total.Equals(merged))
	}
}

func TestReadHlogEmpty(t *testing.T) {
	log, _ := writeTestHlog(t, 0)
	total, n, err := ReadHlog(bytes.NewReader(log))
	if err != nil || n != 0 || total.TotalCount() != 0 {
		t.Errorf("empty log: %v, %d, %v", total.TotalCount(), n, err)
	}
	if _, _, err := ReadHlog(strings.NewReader("0.0,1.0,1.0,notbase64!\n")); err == nil {
		t.Error("corrupt interval: want an error")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestHlogWriterErrors(t *testing.T) {
	if _, err := NewHlogWriter(failWriter{}, time.Now()); err == nil {
		t.Error("header write error not reported")
	}
	w, err := NewHlogWriter(io.Discard, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	w.lw = hdrhistogram.NewHistogramLogWriter(failWriter{})
	if err := w.Write(metrics.NewHistogram(), time.Now(), time.Now()); err == nil {
		t.Error("interval write error not reported")
	}
}

func FuzzReadHlog(f *testing.F) {
	log, _ := writeTestHlog(f, 2)
	f.Add(string(log))
	f.Add("#[StartTime: 1.5 (seconds since epoch)]\n1,1,1,HISTFAAAAB\n")
	f.Fuzz(func(t *testing.T, in string) {
		total, n, err := ReadHlog(strings.NewReader(in))
		if err == nil && (total == nil || n < 0) {
			t.Fatalf("no error but total %v, n %d", total, n)
		}
	})
}

func BenchmarkHlogWrite(b *testing.B) {
	iv := metrics.NewHistogram()
	for i := range 2000 {
		_ = iv.RecordValue(int64(i) * 1e5)
	}
	w, err := NewHlogWriter(io.Discard, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if err := w.Write(iv, now, now.Add(time.Second)); err != nil {
			b.Fatal(err)
		}
	}
}
