package reports

import (
	"html/template"
	"strings"

	"gonum.org/v1/plot/plotter"

	"github.com/kbench/kbench/metrics"
)

// figure is one rendered chart of a report.
type figure struct {
	Title  string
	SVG    template.HTML
	Legend []legendEntry
	Half   bool // half the page width, paired with its neighbour
}

// timeAxis labels the x axis of every per-second plot.
const timeAxis = "time since start (s)"

// phaseSpans returns the shaded warmup and drain stretches of a run.
func phaseSpans(rows []Row) []span {
	var out []span
	for _, phase := range []string{PhaseWarmup, PhaseDrain} {
		from, to, seen := 0.0, 0.0, false
		for _, r := range rows {
			if r.Phase != phase {
				continue
			}
			x := float64(r.Second)
			if !seen {
				from, to, seen = x, x+1, true
			}
			from, to = min(from, x), max(to, x+1)
		}
		if seen {
			out = append(out, span{from: from, to: to, label: phase})
		}
	}
	return out
}

// column turns one per-second field into plot points; with skipZero, the
// seconds where the field is 0 (no samples) are left out.
func column(rows []Row, skipZero bool, f func(Row) float64) plotter.XYs {
	var xys plotter.XYs
	for _, r := range rows {
		v := f(r)
		if skipZero && v == 0 {
			continue
		}
		xys = append(xys, plotter.XY{X: float64(r.Second), Y: v})
	}
	return xys
}

// figureSet collects rendered figures and the reasons any could not be drawn.
type figureSet struct {
	figs     []figure
	problems []string
}

// add renders a chart (nil: no data, skipped silently) into the set; name
// says which chart in error messages.
func (fs *figureSet) add(name string, half bool, ch *chart, err error) {
	if err == nil && ch != nil {
		w, h := plotW, plotH
		if half {
			w, h = halfPlotW, halfPlotH
		}
		var svg template.HTML
		svg, err = svgOf(ch.p, w, h, ch.title)
		if err == nil {
			fs.figs = append(fs.figs, figure{Title: ch.title, SVG: svg, Legend: ch.legend, Half: half})
		}
	}
	if err != nil {
		fs.problems = append(fs.problems, "could not draw "+name+": "+err.Error())
	}
}

// runFigures draws a run report's charts.
func runFigures(r *results) figureSet {
	var fs figureSet
	s, rows := r.summary, r.rows
	spans := phaseSpans(rows)
	deadline, deadlineLabel := 0.0, ""
	if s.Deadline != nil && s.Deadline.DeadlineMS > 0 {
		deadline, deadlineLabel = s.Deadline.DeadlineMS, "deadline "+fmtValue(s.Deadline.DeadlineMS)+" ms"
	}

	if len(rows) > 0 {
		ch, err := linePlot("Throughput: target vs acknowledged vs consumed", timeAxis, "records/s", []series{
			{name: "target", xys: column(rows, false, func(r Row) float64 { return r.TargetRPS }), color: grey, dashed: true},
			{name: "acked", xys: column(rows, false, func(r Row) float64 { return float64(r.Acked) }), color: palette[0], width: 3},
			{name: "consumed", xys: column(rows, false, func(r Row) float64 { return float64(r.Consumed) }), color: palette[2]},
		}, lineOpts{spans: spans, timeX: true})
		fs.add("Throughput over time", false, ch, err)

		ch, err = linePlot("End-to-end latency per second", timeAxis, "latency (ms)", []series{
			{name: "e2e p50", xys: column(rows, true, func(r Row) float64 { return r.E2EP50 }), color: palette[0]},
			{name: "e2e p99", xys: column(rows, true, func(r Row) float64 { return r.E2EP99 }), color: palette[1]},
			{name: "put p99", xys: column(rows, true, func(r Row) float64 { return r.PutP99 }), color: palette[4], dashed: true},
		}, lineOpts{spans: spans, timeX: true, hline: deadline, hlineLabel: deadlineLabel})
		fs.add("Latency over time", false, ch, err)
	}

	var curves []series
	for i, name := range []string{metrics.LatE2E, metrics.LatE2EUncorrected, metrics.LatDelivery, metrics.LatPut} {
		if xys := percentileCurve(r.hists[name]); len(xys) > 0 {
			curves = append(curves, series{name: name, xys: xys, color: palette[i]})
		}
	}
	ch, err := linePlot("Latency by percentile (whole run, from the .hlog files)", "percentile", "latency (ms)", curves,
		lineOpts{logX: true, hline: deadline, hlineLabel: deadlineLabel})
	fs.add("Latency percentile distribution", false, ch, err)

	if len(rows) > 0 {
		ch, err = linePlot("Throttled and failed records", timeAxis, "per second", []series{
			{name: "throttled attempts", xys: column(rows, false, func(r Row) float64 { return float64(r.Throttled) }), color: palette[1]},
			{name: "failed", xys: column(rows, false, func(r Row) float64 { return float64(r.Failed) }), color: palette[3]},
		}, lineOpts{spans: spans, timeX: true})
		fs.add("Throttling over time", true, ch, err)

		ch, err = linePlot("Consumer lag (MillisBehindLatest)", timeAxis, "lag behind the tip (ms)", []series{
			{name: "max over shards", xys: column(rows, false, func(r Row) float64 { return float64(r.MillisBehind) }), color: palette[6]},
		}, lineOpts{spans: spans, timeX: true})
		fs.add("Consumer lag over time", true, ch, err)
	}

	if len(s.PerShard) > 0 {
		labels := make([]string, len(s.PerShard))
		recs := make([]float64, len(s.PerShard))
		thr := make([]float64, len(s.PerShard))
		for i, sh := range s.PerShard {
			labels[i], recs[i], thr[i] = shortShard(sh.ShardID), float64(sh.Records), float64(sh.Throttled)
		}
		ch, err = barPlot("Records acknowledged per shard", "shard", "records", labels, recs, palette[0])
		fs.add("Records per shard", true, ch, err)
		ch, err = barPlot("Throttled attempts per shard", "shard", "record-attempts", labels, thr, palette[1])
		fs.add("Throttles per shard", true, ch, err)
	}
	return fs
}

// shortShard shortens "shardId-000000000003" to "3" for axis labels.
func shortShard(id string) string {
	n := strings.TrimLeft(strings.TrimPrefix(id, "shardId-"), "0")
	if n == "" && strings.HasPrefix(id, "shardId-") {
		return "0"
	}
	if n == "" {
		return id
	}
	return n
}
