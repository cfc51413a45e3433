package promexport

import (
	"math"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/kbench/kbench/metrics"
)

// TestHDRMetric: an HDR histogram becomes a Prometheus histogram in seconds
// with the same count, its sum within HDR's precision, classic buckets
// counting each value under the right bound, and native buckets holding
// each value between their bounds.
func TestHDRMetric(t *testing.T) {
	values := map[time.Duration]int64{
		700 * time.Microsecond: 10,
		70 * time.Millisecond:  5,
		3 * time.Second:        1,
		90 * time.Second:       2, // above the last classic bound: only in +Inf
	}
	h := metrics.NewHistogram()
	var wantSum float64
	var wantCount uint64
	for v, n := range values {
		if err := h.RecordValues(int64(v), n); err != nil {
			t.Fatal(err)
		}
		wantSum += v.Seconds() * float64(n)
		wantCount += uint64(n)
	}
	desc := prometheus.NewDesc("x_seconds", "x", []string{"consumer"}, prometheus.Labels{"run_id": "r"})
	var out dto.Metric
	if err := newHDRMetric(desc, h.Export(), "app").Write(&out); err != nil {
		t.Fatal(err)
	}
	if len(out.Label) != 2 {
		t.Errorf("labels %v, want consumer and run_id", out.Label)
	}
	dh := out.GetHistogram()
	if dh.GetSampleCount() != wantCount {
		t.Errorf("count %d, want %d", dh.GetSampleCount(), wantCount)
	}
	if got := dh.GetSampleSum(); math.Abs(got-wantSum) > wantSum*1e-3 {
		t.Errorf("sum %g, want %g within 0.1%%", got, wantSum)
	}

	// Classic: cumulative counts at each bound.
	if len(dh.Bucket) != len(LatencyBuckets) {
		t.Fatalf("%d classic buckets, want %d", len(dh.Bucket), len(LatencyBuckets))
	}
	for _, b := range dh.Bucket {
		var want uint64
		for v, n := range values {
			if v.Seconds() <= b.GetUpperBound() {
				want += uint64(n)
			}
		}
		if b.GetCumulativeCount() != want {
			t.Errorf("le %g: %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), want)
		}
	}

	// Native: decode the spans and check each bucket holds its values.
	if dh.GetSchema() != NativeSchema || dh.GetZeroCount() != 0 {
		t.Errorf("schema %d zero count %d, want %d and 0", dh.GetSchema(), dh.GetZeroCount(), NativeSchema)
	}
	got := map[int]int64{}
	idx, count, d := 0, int64(0), 0
	for k, sp := range dh.PositiveSpan {
		if k == 0 {
			idx = int(sp.GetOffset())
		} else {
			idx += int(sp.GetOffset()) + 1
		}
		for j := uint32(0); j < sp.GetLength(); j++ {
			if j > 0 {
				idx++
			}
			count += dh.PositiveDelta[d]
			d++
			got[idx] = count
		}
	}
	if d != len(dh.PositiveDelta) || len(got) != len(values) {
		t.Fatalf("native buckets %v (%d deltas), want one per value of %v", got, len(dh.PositiveDelta), values)
	}
	for v, n := range values {
		found := false
		for i, c := range got {
			lo, hi := math.Exp2(float64(i-1)/8), math.Exp2(float64(i)/8)
			if lo < v.Seconds() && v.Seconds() <= hi {
				found = true
				if c != n {
					t.Errorf("%v: native bucket %d holds %d, want %d", v, i, c, n)
				}
			}
		}
		if !found {
			t.Errorf("%v: in no native bucket of %v", v, got)
		}
	}
}

// TestSpans: sparse bucket counts become spans (offsets relative to the
// previous span's end) and deltas.
func TestSpans(t *testing.T) {
	sp, deltas := spans(map[int]int64{-3: 2, -2: 5, 4: 1, 5: 1, 9: 7})
	var got [][2]int64
	for _, s := range sp {
		got = append(got, [2]int64{int64(s.GetOffset()), int64(s.GetLength())})
	}
	want := [][2]int64{{-3, 2}, {5, 2}, {3, 1}}
	if len(got) != len(want) {
		t.Fatalf("spans %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("spans %v, want %v", got, want)
		}
	}
	wantD := []int64{2, 3, -4, 0, 6}
	for i := range wantD {
		if i >= len(deltas) || deltas[i] != wantD[i] {
			t.Fatalf("deltas %v, want %v", deltas, wantD)
		}
	}
}

// TestMidpoints: the midpoint table agrees with HDR's own Distribution of a
// histogram holding values over kbench's whole range, index by index.
func TestMidpoints(t *testing.T) {
	h := metrics.NewHistogram()
	for v := int64(0); v <= metrics.Highest; v = v*3/2 + 1 {
		if err := h.RecordValue(v); err != nil {
			t.Fatal(err)
		}
	}
	mid := midpoints()
	bars := h.Distribution()
	if len(bars) > len(mid) {
		t.Fatalf("%d bars, %d midpoints", len(bars), len(mid))
	}
	counts := h.Export().Counts
	seen := 0
	for i, b := range bars {
		if want := float64(b.From+b.To) / 2 / 1e9; mid[i] != want {
			t.Fatalf("index %d: midpoint %g, Distribution says %g", i, mid[i], want)
		}
		if b.Count != counts[i] {
			t.Fatalf("index %d: Distribution counts %d, Export %d", i, b.Count, counts[i])
		}
		if b.Count > 0 {
			seen++
		}
	}
	if seen < 50 {
		t.Errorf("only %d indexes hold values: the check covers too little", seen)
	}
}
