package reports

import (
	"image/color"
	"maps"
	"slices"

	"github.com/kbench/kbench/internal/textfmt"
	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/results"
)

// histogramOrder is the order of kbench's histograms in the percentile
// plot: the write path, the read path, then the whole.
var histogramOrder = []string{
	metrics.LatPut, metrics.LatSendToArrival, metrics.LatArrivalToConsumed, metrics.LatDelivery,
	metrics.LatE2E, metrics.LatE2EUncorrected, metrics.LatLateness,
}

// histogramColors keeps each histogram's colour the same on every plot.
var histogramColors = map[string]color.Color{
	metrics.LatPut:               palette[4],
	metrics.LatSendToArrival:     palette[2],
	metrics.LatArrivalToConsumed: palette[6],
	metrics.LatDelivery:          palette[8],
	metrics.LatE2E:               palette[0],
	metrics.LatE2EUncorrected:    palette[1],
	metrics.LatLateness:          palette[9],
}

// deadlineLine returns the run's deadline as a reference line and its label.
func deadlineLine(s *results.Summary) (float64, string) {
	if s.Deadline != nil && s.Deadline.DeadlineMS > 0 {
		return s.Deadline.DeadlineMS, "deadline " + textfmt.Value(s.Deadline.DeadlineMS) + " ms"
	}
	return 0, ""
}

// distributionFigure draws every histogram of the run by percentile, on
// HdrHistogram's 1/(1-q) axis.
func distributionFigure(fs *figureSet, r *results.Run) {
	names := slices.Clone(histogramOrder)
	for _, k := range slices.Sorted(maps.Keys(r.Hists)) {
		if !slices.Contains(names, k) {
			names = append(names, k)
		}
	}
	var curves []series
	for i, name := range names {
		xys := percentileCurve(r.Hists[name])
		if len(xys) == 0 {
			continue
		}
		c, ok := histogramColors[name]
		if !ok {
			c = palette[i%len(palette)]
		}
		s := series{name: name, xys: xys, color: c}
		switch name {
		case metrics.LatE2E:
			s.width = 2.8
		case metrics.LatE2EUncorrected, metrics.LatDelivery:
			s.dashed = true // drawn over e2e and put, which show through
		}
		curves = append(curves, s)
	}
	dl, dlLabel := deadlineLine(r.Summary)
	ch, err := linePlot("Latency by percentile (whole run, from the .hlog files)", "percentile", "latency (ms)", curves,
		lineOpts{logX: true, hline: dl, hlineLabel: dlLabel})
	fs.add("Latency percentile distribution", PNGLatencyDistribution, fullSize, ch, err)
}

// latencyTimeFigure draws e2e p50, p99 and max and put p99 per second.
func latencyTimeFigure(fs *figureSet, r *results.Run) {
	if len(r.Rows) == 0 {
		return
	}
	rows := r.Rows
	dl, dlLabel := deadlineLine(r.Summary)
	ch, err := linePlot("Latency per second", timeAxis, "latency (ms)", []series{
		{name: "e2e p50", xys: column(rows, true, func(r results.Row) float64 { return r.E2EP50 }), color: palette[0]},
		{name: "e2e p99", xys: column(rows, true, func(r results.Row) float64 { return r.E2EP99 }), color: palette[1], width: 2.4},
		{name: "e2e max", xys: column(rows, true, func(r results.Row) float64 { return r.E2EMax }), color: palette[3], width: 1},
		{name: "put p99", xys: column(rows, true, func(r results.Row) float64 { return r.PutP99 }), color: palette[4], dashed: true},
	}, lineOpts{spans: phaseSpans(rows), timeX: true, hline: dl, hlineLabel: dlLabel,
		markers: eventMarkers(r.Summary), markerName: eventsLegend})
	fs.add("Latency over time", PNGLatencyOverTime, fullSize, ch, err)
}
