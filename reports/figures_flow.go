package reports

import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"

	"github.com/kbench/kbench/internal/textfmt"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/scenarios"
)

// throughputFigure draws the records per second the run aimed for,
// produced, had acknowledged, had throttled and consumed; when producers
// aggregated, also the Kinesis records that carried the acknowledged user
// records and the streams' record quota, which counts Kinesis records: user
// records above the quota line with Kinesis records below it is what
// aggregation buys.
func throughputFigure(fs *figureSet, r *results.Run) {
	if len(r.Rows) == 0 {
		return
	}
	rows := r.Rows
	lines := []series{
		{name: "target", xys: column(rows, false, func(r results.Row) float64 { return r.TargetRPS }), color: grey, dashed: true},
		{name: "produced", xys: column(rows, false, func(r results.Row) float64 { return float64(r.Produced) }), color: palette[9]},
		{name: "acked", xys: column(rows, false, func(r results.Row) float64 { return float64(r.Acked) }), color: palette[0], width: 2.6},
		{name: "throttled attempts", xys: column(rows, false, func(r results.Row) float64 { return float64(r.Throttled) }), color: palette[3], clip: true},
		{name: "consumed", xys: column(rows, false, func(r results.Row) float64 { return float64(r.Consumed) }), color: palette[2], dashed: true},
	}
	if aggregated(rows) { // against the quota, which counts Kinesis records
		lines = append(lines,
			series{name: "acked Kinesis records", xys: column(rows, false, func(r results.Row) float64 { return float64(r.AckedKinesis) }),
				color: palette[4], width: 2.6},
			series{name: "Kinesis record quota (1,000/s per shard)", xys: column(rows, false, func(r results.Row) float64 {
				return float64(results.ShardRecordQuota * r.Shards)
			}), color: red, dashed: true})
	}
	ch, err := linePlot("Throughput per second", timeAxis, "records/s", lines,
		lineOpts{spans: phaseSpans(rows), timeX: true, markers: eventMarkers(r.Summary), markerName: eventsLegend})
	fs.add("Throughput over time", PNGThroughput, fullSize, ch, err)
}

// aggregated reports whether any second acknowledged fewer Kinesis records
// than user records: producers packed several into one. A time series
// written before the acked_kinesis_records column reads zero there and is
// not.
func aggregated(rows []results.Row) bool {
	for _, r := range rows {
		if r.AckedKinesis > 0 && r.AckedKinesis < r.Acked {
			return true
		}
	}
	return false
}

// lagFigure draws the primary consumer's lag behind the tip of the stream
// and the backlog of acknowledged records it had not consumed yet. It is
// left out when kbench read nothing itself (consumers: []): the backlog
// would be every record acknowledged.
func lagFigure(fs *figureSet, r *results.Run) {
	if len(r.Rows) == 0 || r.Summary.Config.Consumers == 0 {
		return
	}
	rows := r.Rows
	o := lineOpts{spans: phaseSpans(rows), timeX: true, markers: eventMarkers(r.Summary), markerName: eventsLegend}
	ch := &chart{title: "Consumer lag and backlog"}
	lag, err := lineInto(ch, timeAxis, "MillisBehindLatest (ms)", []series{
		{name: "lag: MillisBehindLatest, max over shards", xys: column(rows, false, func(r results.Row) float64 { return float64(r.MillisBehind) }), color: palette[6]},
	}, o)
	if err != nil {
		fs.add("Consumer lag over time", PNGLag, panelSize, nil, err)
		return
	}
	backlog, err := lineInto(ch, timeAxis, "records", []series{
		{name: "backlog: acknowledged, not yet consumed", xys: column(rows, false, func(r results.Row) float64 { return float64(r.Backlog) }), color: palette[8]},
	}, o)
	lag.Title.Text, backlog.Title.Text = "Lag behind the tip of the stream", "Backlog"
	ch.panels = []*plot.Plot{lag, backlog}
	fs.add("Consumer lag over time", PNGLag, panelSize, ch, err)
}

// deliveryFigure draws, per second, the records the primary consumer
// application consumed out of their production order and the records
// consumed again (a restarted consumer's re-reads show here). It is left
// out when there were none.
func deliveryFigure(fs *figureSet, r *results.Run) {
	t := r.Summary.Totals
	if len(r.Rows) == 0 || t.OutOfOrder == 0 && t.Duplicates == 0 {
		return
	}
	rows := r.Rows
	ch, err := linePlot("Delivery order and duplicates per second", timeAxis, "records", []series{
		{name: "out of order", xys: column(rows, false, func(r results.Row) float64 { return float64(r.OutOfOrder) }), color: palette[3], width: 2.6},
		{name: "duplicates", xys: column(rows, false, func(r results.Row) float64 { return float64(r.Duplicates) }), color: palette[6], dashed: true},
	}, lineOpts{spans: phaseSpans(rows), timeX: true, markers: eventMarkers(r.Summary), markerName: eventsLegend})
	fs.add("Delivery order over time", PNGDelivery, fullSize, ch, err)
}

// deadlineFigure draws the time value of data: the share of each second's
// measured records consumed within the deadline, and how stale records
// were when consumed.
func deadlineFigure(fs *figureSet, r *results.Run) {
	s := r.Summary
	if s.Deadline == nil || s.Deadline.DeadlineMS <= 0 {
		return
	}
	d := s.Deadline
	ch := &chart{title: "Time value of data: records consumed within the " + textfmt.Value(d.DeadlineMS) + " ms deadline"}
	var xys plotter.XYs
	for _, row := range r.Rows {
		if row.Measured > 0 {
			xys = append(xys, plotter.XY{X: float64(row.Second), Y: float64(row.OnTime) / float64(row.Measured)})
		}
	}
	o := lineOpts{timeX: true, ratioY: true, markers: eventMarkers(s), markerName: eventsLegend}
	if v, ok := onTimeThreshold(s); ok {
		o.hline, o.hlineLabel = v, "threshold "+fmtPct(v)
	}
	perSec, err := lineInto(ch, timeAxis, "on time", []series{{name: "share on time, per second", xys: xys, color: palette[2], width: 2.4}}, o)
	if err == nil && perSec != nil {
		perSec.Title.Text = "Share of each second's records on time"
		ch.panels = append(ch.panels, perSec)
	}
	if err == nil && len(d.Staleness) > 0 {
		pts := plotter.XYs{{X: 0, Y: 0}} // no record is consumed at age 0
		for _, p := range d.Staleness {
			pts = append(pts, plotter.XY{X: p.AgeMS, Y: p.Ratio})
		}
		var stale *plot.Plot
		stale, err = lineInto(ch, "age when consumed (ms)", "records no older", []series{
			{name: "share consumed by this age", xys: pts, color: palette[0], width: 2.4},
		}, lineOpts{ratioY: true, markers: []marker{{x: d.DeadlineMS, label: "deadline"}}})
		if stale != nil {
			stale.Title.Text = "Staleness when consumed (whole run)"
			ch.panels = append(ch.panels, stale)
		}
	}
	if len(ch.panels) == 0 && err == nil {
		return
	}
	size := panelSize
	if len(ch.panels) == 1 {
		size = fullSize
	}
	fs.add("Deadline share over time", PNGDeadline, size, ch, err)
}

// onTimeThreshold finds the scenario's lower bound on deadline.on_time_ratio.
func onTimeThreshold(s *results.Summary) (float64, bool) {
	for _, th := range s.Thresholds {
		t, err := scenarios.ParseThreshold(th.Expr)
		if err == nil && t.Metric == "deadline.on_time_ratio" && (t.Op == ">=" || t.Op == ">") {
			return t.Value, true
		}
	}
	return 0, false
}
