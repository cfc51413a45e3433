package generators

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeTrace(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "trace.csv")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadTrace(t *testing.T) {
	t0 := time.Date(2025, 11, 28, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name, body string
		want       []TracePoint
		err        string
	}{
		{"ISO with header", "Timestamp,IncomingRecords\n2025-11-28T09:00:00Z,600\n2025-11-28T09:01:00Z,1200\n",
			[]TracePoint{{t0, 600}, {t0.Add(time.Minute), 1200}}, ""},
		{"epoch seconds, extra columns", fmt.Sprintf("%d,5,x\n%d,7,y\n", t0.Unix(), t0.Unix()+60),
			[]TracePoint{{t0, 5}, {t0.Add(time.Minute), 7}}, ""},
		{"newest first is sorted", "2025-11-28 09:01:00,7\n2025-11-28 09:00:00,5\n",
			[]TracePoint{{t0, 5}, {t0.Add(time.Minute), 7}}, ""},
		{"blank lines", "2025-11-28T09:00:00Z,1\n\n2025-11-28T09:01:00Z,2\n",
			[]TracePoint{{t0, 1}, {t0.Add(time.Minute), 2}}, ""},
		{"bad time names the line", "time,value\n2025-11-28T09:00:00Z,1\nyesterday,2\n", nil, ":3: time \"yesterday\""},
		{"bad value names the line", "2025-11-28T09:00:00Z,1\n2025-11-28T09:01:00Z,-4\n", nil, ":2: value \"-4\""},
		{"one column", "2025-11-28T09:00:00Z\n", nil, ":1: want two columns"},
		{"one row", "2025-11-28T09:00:00Z,1\n", nil, "needs at least two rows"},
		{"duplicate time", "2025-11-28T09:00:00Z,1\n2025-11-28T09:00:00Z,2\n", nil, "two rows for the time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeTrace(t, tt.body)
			got, err := ReadTrace(path)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), path) {
					t.Fatalf("err = %v; want one naming %s and containing %q", err, path, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v; want %v", got, tt.want)
			}
			for i := range got {
				if !got[i].Time.Equal(tt.want[i].Time) || got[i].Count != tt.want[i].Count {
					t.Errorf("row %d = %v; want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestTraceReproducesPerSecondRates counts Due over each second of the
// replay and compares it with the trace's rate for that second, scaled and
// compressed.
func TestTraceReproducesPerSecondRates(t *testing.T) {
	t0 := time.Date(2025, 11, 28, 0, 0, 0, 0, time.UTC)
	counts := []float64{60000, 120000, 30000, 90000, 0, 240000} // per minute
	var pts []TracePoint
	for i, c := range counts {
		pts = append(pts, TracePoint{Time: t0.Add(time.Duration(i) * time.Minute), Count: c})
	}
	for _, tc := range []struct{ scale, speed float64 }{{1, 1}, {3, 1}, {1, 60}, {3, 60}, {0.5, 10}} {
		t.Run(fmt.Sprintf("scale %g speed %g", tc.scale, tc.speed), func(t *testing.T) {
			p := Trace(pts, tc.scale, tc.speed)
			secPerRow := 60 / tc.speed
			seconds := int(math.Round(secPerRow * float64(len(counts))))
			perSec := make([]float64, seconds)
			for n := uint64(0); ; n++ {
				at, ok := p.Due(n)
				if !ok || at >= time.Duration(seconds)*time.Second {
					break
				}
				perSec[int(at/time.Second)]++
			}
			checked := 0
			for s, got := range perSec {
				start, end := float64(s), float64(s+1)
				if math.Floor(start/secPerRow) != math.Floor((end-1e-9)/secPerRow) {
					continue // a second that spans two rows
				}
				want := counts[int(start/secPerRow)] / 60 * tc.scale
				if math.Abs(got-want) > 0.01*want+1e-9 {
					t.Errorf("second %d: %g records; want %g within 1%%", s, got, want)
				}
				checked++
			}
			if checked < len(counts) {
				t.Fatalf("checked %d seconds; want at least one per row", checked)
			}
		})
	}
}

func TestTraceRateOptions(t *testing.T) {
	dir := t.TempDir()
	body := "time,value\n2025-11-28T00:00:00Z,600\n2025-11-28T00:10:00Z,1200\n"
	if err := os.WriteFile(filepath.Join(dir, "t.csv"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	o := &TraceRate{File: "t.csv", Scale: 3, Speed: 60}
	o.Resolve(dir)
	if errs := o.Validate(); errs != nil {
		t.Fatalf("Validate = %v", errs)
	}
	if got, want := o.Peak(), 1200.0/600*3; got != want {
		t.Errorf("Peak = %g; want %g", got, want)
	}
	// Two 10-minute rows at speed 60 last 10 s each: 3 rec/s then 6 rec/s.
	if got, want := o.Records(20*time.Second), 3.0*10+6*10; got != want {
		t.Errorf("Records(20s) = %g; want %g", got, want)
	}
	if got := o.Pacer(2, 0).Rate(15 * time.Second); got != 3 {
		t.Errorf("Rate at 15 s with 2 instances = %g; want 3", got)
	}

	bad := &TraceRate{File: "missing.csv", Scale: 0, Speed: -1}
	bad.Resolve(dir)
	fields := map[string]bool{}
	for _, fe := range bad.Validate() {
		fields[fe.Field] = true
	}
	for _, f := range []string{"file", "scale", "speed"} {
		if !fields[f] {
			t.Errorf("Validate did not report %s; got %v", f, fields)
		}
	}
}

// FuzzReadTrace feeds the trace reader arbitrary files: it must not panic,
// and a trace it accepts must pace without a negative or decreasing time.
func FuzzReadTrace(f *testing.F) {
	f.Add("time,value\n2025-11-28T00:00:00Z,600\n2025-11-28T00:10:00Z,1200\n")
	f.Add("1700000000,5\n1700000060.5,7,x\n")
	f.Fuzz(func(t *testing.T, body string) {
		pts, err := ReadTrace(writeTrace(t, body))
		if err != nil {
			return
		}
		p := Trace(pts, 1, 1)
		var last time.Duration
		for n := range uint64(100) {
			at, ok := p.Due(n)
			if !ok {
				return
			}
			if at < last {
				t.Fatalf("Due(%d) = %v before Due(%d) = %v", n, at, n-1, last)
			}
			last = at
		}
	})
}
