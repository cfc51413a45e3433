package metrics

import hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

// Record-size histogram range and precision, in bytes: 1 byte to 16 MiB
// (a Kinesis record holds at most 1 MiB, an aggregated one too), three
// significant digits. Every size histogram uses it, so any two can be
// merged.
const (
	SizeLowest  = 1
	SizeHighest = 16 << 20
)

// NewSizeHistogram returns an empty record-size histogram.
func NewSizeHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(SizeLowest, SizeHighest, SigFigs)
}

// RecordSize records one record's size in h, clamped into the range.
func RecordSize(h *hdrhistogram.Histogram, bytes int) {
	_ = h.RecordValue(min(max(int64(bytes), SizeLowest), SizeHighest))
}
