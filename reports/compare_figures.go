package reports

import (
	"image/color"
	"strings"

	"github.com/kbench/kbench/internal/textfmt"
	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/results"
)

// PNG files a comparison writes beside comparison.html.
const (
	PNGCompareThrottling = "comparison-throttling.png"
	PNGCompareLatency    = "comparison-latency.png"
	PNGCompareThroughput = "comparison-throughput.png"
	PNGCompareE2EP99     = "comparison-e2e-p99.png"
)

// comparisonFigures draws the configurations side by side: throttle ratio
// and consumed throughput per configuration, the e2e and put percentile
// distributions overlaid, and the median runs' throughput and e2e p99 per
// second.
func comparisonFigures(cfgs []*configuration) figureSet {
	var fs figureSet
	throttlingFigure(&fs, cfgs)

	ch := &chart{title: "Latency by percentile, one line per configuration (median run)"}
	for _, h := range []struct{ name, title string }{
		{metrics.LatE2E, "End-to-end (e2e)"}, {metrics.LatPut, "PutRecords call (put)"},
	} {
		var curves []series
		for i, cf := range cfgs {
			curves = append(curves, series{name: cf.label, color: configColor(i), width: 2,
				xys: percentileCurve(cf.median.Hists[h.name])})
		}
		p, err := lineInto(ch, "percentile", "latency (ms)", curves, lineOpts{logX: true})
		if err != nil {
			fs.add("percentile distributions", PNGCompareLatency, panelSize, nil, err)
			return fs
		}
		if p != nil {
			p.Title.Text = h.title
			ch.panels = append(ch.panels, p)
		}
	}
	if len(ch.panels) > 0 {
		fs.add("percentile distributions", PNGCompareLatency, panelSize, ch, nil)
	}

	var acked, p99 []series
	for i, cf := range cfgs {
		col := configColor(i)
		acked = append(acked, series{name: cf.label, color: col,
			xys: column(cf.median.Rows, false, func(r results.Row) float64 { return float64(r.Acked) })})
		p99 = append(p99, series{name: cf.label, color: col,
			xys: column(cf.median.Rows, true, func(r results.Row) float64 { return r.E2EP99 })})
	}
	lc, err := linePlot("Acknowledged records per second (median run of each configuration)", timeAxis, "records/s", acked, lineOpts{timeX: true})
	fs.add("acknowledged throughput per configuration", PNGCompareThroughput, fullSize, lc, err)
	lc, err = linePlot("End-to-end p99 latency per second (median run of each configuration)", timeAxis, "e2e p99 (ms)", p99, lineOpts{timeX: true})
	fs.add("e2e p99 per configuration", PNGCompareE2EP99, fullSize, lc, err)
	return fs
}

// throttlingFigure draws each configuration's median throttle ratio, red
// at or over MaxRecommendedThrottleRatio, beside its consumed throughput
// against the target.
func throttlingFigure(fs *figureSet, cfgs []*configuration) {
	n := len(cfgs)
	labels := make([]string, n)
	ratio, rps, hot, hotRPS := make([]float64, n), make([]float64, n), make([]bool, n), make([]bool, n)
	ratioTexts, rpsTexts := make([]string, n), make([]string, n)
	target := 0.0
	for i, cf := range cfgs {
		labels[i] = cf.label
		thr, _ := cf.set.Stat("throttle_ratio")
		got, _ := cf.set.Stat("throughput.consumed_rps")
		tgt, _ := cf.set.Stat("throughput.target_rps")
		ratio[i], rps[i], target = 100*thr.Median, got.Median, max(target, tgt.Median)
		hot[i] = thr.Median >= MaxRecommendedThrottleRatio
		ratioTexts[i], rpsTexts[i] = fmtRatio(thr.Median), fmtRate(got.Median)
	}
	for i := range cfgs {
		hotRPS[i] = target > 0 && rps[i] < 0.95*target
	}
	ch := &chart{title: "Throttling and throughput per configuration (median of repeats)"}
	for _, b := range []bars{
		{title: "Write attempts throttled", yLabel: "throttle ratio (%)", values: ratio, hot: hot, texts: ratioTexts,
			ref: 100 * MaxRecommendedThrottleRatio},
		{title: "Records consumed per second", yLabel: "records/s", values: rps, hot: hotRPS, texts: rpsTexts, ref: target},
	} {
		b.labels, b.xLabel = shortLabels(labels)
		b.room = 380
		b.color, b.hotColor = green, red
		p, err := barPanel(b)
		if err != nil {
			fs.add("throttle ratio per configuration", PNGCompareThrottling, panelSize, nil, err)
			return
		}
		ch.panels = append(ch.panels, p)
	}
	ch.addLegend("throttle ratio under "+textfmt.Value(100*MaxRecommendedThrottleRatio)+"%"+" / at least 95% of target", green, false, true)
	ch.addLegend("over it / below it", red, false, true)
	ch.addLegend(textfmt.Value(100*MaxRecommendedThrottleRatio)+"%"+" limit / target rate", red, true, false)
	fs.add("throttle ratio per configuration", PNGCompareThrottling, panelSize, ch, nil)
}

// configPalette colours configurations without the red and green that mark
// bad and good elsewhere.
var configPalette = []int{0, 1, 6, 4, 8, 7, 5, 9}

// configColor is the i-th configuration's colour.
func configColor(i int) color.Color {
	return palette[configPalette[i%len(configPalette)]]
}

// shortLabels strips a prefix common to every label up to its last "="
// ("stream.shards=1", "stream.shards=2" → "1", "2") and returns it, without
// the "=", as the axis label; "configuration" when there is none.
func shortLabels(labels []string) ([]string, string) {
	if len(labels) < 2 {
		return labels, "configuration"
	}
	prefix := labels[0]
	for _, l := range labels[1:] {
		for !strings.HasPrefix(l, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	cut := strings.LastIndex(prefix, "=")
	if cut <= 0 {
		return labels, "configuration"
	}
	out := make([]string, len(labels))
	for i, l := range labels {
		out[i] = l[cut+1:]
	}
	return out, labels[0][:cut]
}
