package results

import (
	"fmt"
	"io"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/kbench/kbench/metrics"
)

// HlogWriter writes one histogram's per-second intervals as an HdrHistogram
// interval log (format version 1.3), readable by HistogramLogProcessor and
// the other HdrHistogram tools. Timestamps are seconds relative to the run's
// start; values are nanoseconds, so the max column (scaled by the default
// 1e6 ratio) reads in milliseconds. It is not safe for concurrent use.
type HlogWriter struct {
	lw *hdrhistogram.HistogramLogWriter
}

// NewHlogWriter writes the log header (format version, start time, base
// time and legend) to w.
func NewHlogWriter(w io.Writer, start time.Time) (*HlogWriter, error) {
	lw := hdrhistogram.NewHistogramLogWriter(w)
	startMs := start.UnixMilli()
	lw.SetBaseTime(startMs)
	// The library writes start and base times in whole seconds; write them
	// with milliseconds, as the Java writer does, so relative timestamps
	// map back to the exact wall time.
	secs := float64(startMs) / 1e3
	err := lw.OutputLogFormatVersion()
	if err == nil {
		err = lw.OutputComment(fmt.Sprintf("[StartTime: %.3f (seconds since epoch), %s]",
			secs, start.UTC().Format(time.RFC3339Nano)))
	}
	if err == nil {
		err = lw.OutputComment(fmt.Sprintf("[BaseTime: %.3f (seconds since epoch)]", secs))
	}
	if err == nil {
		err = lw.OutputLegend()
	}
	if err != nil {
		return nil, fmt.Errorf("results: hlog header: %w", err)
	}
	return &HlogWriter{lw: lw}, nil
}

// Write appends one interval histogram covering [from, to). It stamps iv
// with from and to (iv's start and end times are overwritten).
func (h *HlogWriter) Write(iv *hdrhistogram.Histogram, from, to time.Time) error {
	iv.SetStartTimeMs(from.UnixMilli())
	iv.SetEndTimeMs(to.UnixMilli())
	if err := h.lw.OutputIntervalHistogram(iv); err != nil {
		return fmt.Errorf("results: hlog interval: %w", err)
	}
	return nil
}

// ReadHlog reads an interval log and returns the merge of all its intervals
// and how many there were. An empty log gives an empty histogram with
// kbench's range.
func ReadHlog(r io.Reader) (total *hdrhistogram.Histogram, intervals int, err error) {
	lr := hdrhistogram.NewHistogramLogReader(r)
	total = metrics.NewHistogram()
	for {
		iv, err := lr.NextIntervalHistogram()
		if err != nil {
			return nil, intervals, fmt.Errorf("results: hlog interval %d: %w", intervals+1, err)
		}
		if iv == nil {
			return total, intervals, nil
		}
		intervals++
		if dropped := total.Merge(iv); dropped > 0 {
			return nil, intervals, fmt.Errorf("results: hlog interval %d: %d values outside kbench's range", intervals, dropped)
		}
	}
}
