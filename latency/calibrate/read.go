package calibrate

import (
	"fmt"
	"math"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/kbench/kbench/latency"
	"github.com/kbench/kbench/results"
)

// histTable is h (nanoseconds) as a quantile table at tableQuantiles.
func histTable(h *hdrhistogram.Histogram) (latency.Dist, error) {
	return latency.Table(histPoints(h, tableQuantiles))
}

// histPoints reads h (nanoseconds) at the quantiles qs: 0 is its minimum
// and 1 its maximum.
func histPoints(h *hdrhistogram.Histogram, qs []float64) []latency.Point {
	out := make([]latency.Point, len(qs))
	for i, q := range qs {
		var v int64
		switch q {
		case 0:
			v = h.Min()
		case 1:
			v = h.Max()
		default:
			v = h.ValueAtQuantile(q * 100)
		}
		out[i] = latency.Point{Q: q, Value: time.Duration(v)}
		if i > 0 && out[i].Value < out[i-1].Value {
			out[i].Value = out[i-1].Value
		}
	}
	return out
}

// statsPoints are a summary's percentiles of one latency.
func statsPoints(ls results.LatencyStats) []latency.Point {
	ms := func(v float64) time.Duration { return time.Duration(math.Round(v * 1e6)) }
	return []latency.Point{{Q: 0.5, Value: ms(ls.P50)}, {Q: 0.9, Value: ms(ls.P90)}, {Q: 0.99, Value: ms(ls.P99)}}
}

func anyPrimary(cs []results.ConsumerStats) bool {
	for _, c := range cs {
		if c.Primary {
			return true
		}
	}
	return false
}

// scenarioConsumer is the consumer called name in a summary's echoed
// scenario, or nil.
func scenarioConsumer(sc map[string]any, name string) map[string]any {
	list, _ := sc["consumers"].([]any)
	for _, c := range list {
		if m, ok := c.(map[string]any); ok && m["name"] == name {
			return m
		}
	}
	return nil
}

// durationOf reads a duration field of an echoed scenario mapping; 0 when
// it is absent or not a duration.
func durationOf(m map[string]any, key string) time.Duration {
	s, _ := m[key].(string)
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0
	}
	return d
}

// processingOf describes a consumer's simulated processing, or "" when it
// has none.
func processingOf(sc map[string]any) string {
	p, _ := sc["processing"].(map[string]any)
	fixed, median, p99 := durationOf(p, "fixed"), durationOf(p, "median"), durationOf(p, "p99")
	switch {
	case fixed > 0:
		return fmt.Sprintf("fixed %v", fixed)
	case median > 0:
		return fmt.Sprintf("log-normal, median %v, p99 %v", median, p99)
	}
	return ""
}

// atMost99 leaves out the points above the 0.99 quantile, whose few
// samples would make the fit noisy.
func atMost99(ps []latency.Point) []latency.Point {
	var out []latency.Point
	for _, p := range ps {
		if p.Q <= 0.99 {
			out = append(out, p)
		}
	}
	return out
}
