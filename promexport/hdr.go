package promexport

import (
	"math"
	"slices"
	"sync"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/kbench/kbench/metrics"
)

// NativeSchema is the schema of the native histograms kbench exports:
// bucket boundaries grow by 2^(1/8), about 9% apart, so a quantile read from
// them is within about 4.5% of the HDR value.
const NativeSchema = 3

// LatencyBuckets are the classic bucket upper bounds, in seconds, of every
// latency histogram kbench exports, for scrapers without native histograms.
var LatencyBuckets = []float64{
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
}

// hdrMetric is a Prometheus histogram made from an HDR histogram of
// nanoseconds: its values in seconds, with classic buckets and native
// buckets in one metric (the text format shows the classic ones, the
// protobuf format both).
type hdrMetric struct {
	desc   *prometheus.Desc
	labels []*dto.LabelPair
	h      *dto.Histogram
}

// midpoints holds, by HDR counts index, the midpoint in seconds of the
// values each index counts, for histograms of kbench's geometry
// (metrics.NewHistogram). Distribution lists every index in order, from 0
// up to the highest recorded value, so one histogram holding the highest
// value kbench records gives them all.
var midpoints = sync.OnceValue(func() []float64 {
	h := metrics.NewHistogram()
	_ = h.RecordValue(metrics.Highest) // in range by construction
	bars := h.Distribution()
	mid := make([]float64, len(bars))
	for i, b := range bars {
		mid[i] = float64(b.From+b.To) / 2 / 1e9
	}
	return mid
})

// newHDRMetric converts the counts of an HDR histogram of kbench's geometry.
// Each HDR bucket (a range of values within 0.1% of each other) counts at
// its midpoint, as HDR's own mean does. That midpoint is never zero (HDR's
// first bucket spans 0 to 511 ns), so the zero bucket stays empty. It walks
// the snapshot's counts rather than h.Distribution(), which allocates a bar
// for every index on each scrape.
func newHDRMetric(desc *prometheus.Desc, snap *hdrhistogram.Snapshot, labelValues ...string) prometheus.Metric {
	var count uint64
	var sum float64
	native := map[int]int64{}
	classic := make([]uint64, len(LatencyBuckets))
	mid := midpoints()
	for i, c := range snap.Counts {
		if c == 0 {
			continue
		}
		// Nothing is recorded above metrics.Highest, the last midpoint.
		v := mid[min(i, len(mid)-1)]
		n := uint64(c)
		count += n
		sum += v * float64(c)
		if i, _ := slices.BinarySearch(LatencyBuckets, v); i < len(classic) {
			classic[i] += n
		}
		native[nativeIndex(v)] += c
	}
	dh := &dto.Histogram{
		SampleCount:   &count,
		SampleSum:     &sum,
		Schema:        new(int32(NativeSchema)),
		ZeroThreshold: new(0.0),
		ZeroCount:     new(uint64(0)),
	}
	var cum uint64
	for i, le := range LatencyBuckets {
		cum += classic[i]
		dh.Bucket = append(dh.Bucket, &dto.Bucket{UpperBound: new(le), CumulativeCount: new(cum)})
	}
	dh.PositiveSpan, dh.PositiveDelta = spans(native)
	return &hdrMetric{desc: desc, labels: prometheus.MakeLabelPairs(desc, labelValues), h: dh}
}

// nativeIndex is the native bucket of v > 0 at NativeSchema: bucket i holds
// (2^((i-1)/8), 2^(i/8)].
func nativeIndex(v float64) int {
	return int(math.Ceil(math.Log2(v) * (1 << NativeSchema)))
}

// spans encodes sparse bucket counts as native histogram spans and deltas.
func spans(buckets map[int]int64) ([]*dto.BucketSpan, []int64) {
	if len(buckets) == 0 {
		return nil, nil
	}
	idx := make([]int, 0, len(buckets))
	for i := range buckets {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	var out []*dto.BucketSpan
	var deltas []int64
	var prevCount int64
	for k, i := range idx {
		switch {
		case k == 0:
			out = append(out, &dto.BucketSpan{Offset: new(int32(i)), Length: new(uint32(1))})
		case i == idx[k-1]+1:
			*out[len(out)-1].Length++
		default:
			out = append(out, &dto.BucketSpan{Offset: new(int32(i - idx[k-1] - 1)), Length: new(uint32(1))})
		}
		deltas = append(deltas, buckets[i]-prevCount)
		prevCount = buckets[i]
	}
	return out, deltas
}

// Desc returns the metric's descriptor.
func (m *hdrMetric) Desc() *prometheus.Desc { return m.desc }

// Write fills out with the histogram and its labels.
func (m *hdrMetric) Write(out *dto.Metric) error {
	out.Label = m.labels
	out.Histogram = m.h
	return nil
}
