package reports

import (
	"gonum.org/v1/plot"

	"github.com/kbench/kbench/internal/textfmt"
	"github.com/kbench/kbench/results"
)

// PNGDestinations is the destinations' figure file.
const PNGDestinations = "destinations.png"

// destinationsFigure draws, per second and per destination of the
// application under test, the outputs that arrived, their end-to-end
// latency (p99 solid, p50 dashed, against the deadline) and the expected
// outputs not seen yet. It is left out when the run had no destination
// (or its time series has no destination columns: an older run).
func destinationsFigure(fs *figureSet, r *results.Run) {
	rows := r.Rows
	names := results.TimeseriesDestinations(rows)
	if len(names) == 0 {
		return
	}
	o := lineOpts{spans: phaseSpans(rows), timeX: true, markers: eventMarkers(r.Summary), markerName: eventsLegend}
	var outputs, latency, missing []series
	for i, name := range names {
		c := palette[i%len(palette)]
		field := func(f func(results.DestinationRow) float64) func(results.Row) float64 {
			return func(row results.Row) float64 {
				if i < len(row.Destinations) {
					return f(row.Destinations[i])
				}
				return 0
			}
		}
		outputs = append(outputs, series{name: name + ": outputs/s", color: c, width: 2.2,
			xys: column(rows, false, field(func(d results.DestinationRow) float64 { return float64(d.Outputs) }))})
		latency = append(latency,
			series{name: name + ": e2e p99", color: c, width: 2.2,
				xys: column(rows, true, field(func(d results.DestinationRow) float64 { return d.E2EP99 }))},
			series{name: name + ": e2e p50", color: c, dashed: true,
				xys: column(rows, true, field(func(d results.DestinationRow) float64 { return d.E2EP50 }))})
		missing = append(missing, series{name: name + ": expected, not seen yet", color: c, width: 1.2,
			xys: column(rows, false, field(func(d results.DestinationRow) float64 { return float64(d.Missing) }))})
	}
	ch := &chart{title: "Destinations of the application under test"}
	outP, err := lineInto(ch, timeAxis, "outputs/s", outputs, o)
	var latP, missP *plot.Plot
	if err == nil {
		lo := o
		lo.hline, lo.hlineLabel = destinationDeadline(r.Summary)
		latP, err = lineInto(ch, timeAxis, "ms", latency, lo)
	}
	if err == nil {
		missP, err = lineInto(ch, timeAxis, "outputs", missing, o)
	}
	if err != nil {
		fs.add("Destinations over time", PNGDestinations, panelSize, nil, err)
		return
	}
	for _, p := range []struct {
		p     *plot.Plot
		title string
	}{{outP, "Outputs per second"}, {latP, "End-to-end latency per second"}, {missP, "Expected outputs not seen yet"}} {
		if p.p != nil {
			p.p.Title.Text = p.title
			ch.panels = append(ch.panels, p.p)
		}
	}
	if len(ch.panels) == 0 {
		return
	}
	fs.add("Destinations over time", PNGDestinations, panelSize, ch, nil)
}

// destinationDeadline is the deadline the destinations are judged
// against, as a reference line and its label; 0 without one.
func destinationDeadline(s *results.Summary) (float64, string) {
	for _, d := range s.Destinations {
		if d.Deadline != nil && d.Deadline.DeadlineMS > 0 {
			return d.Deadline.DeadlineMS, "deadline " + textfmt.Value(d.Deadline.DeadlineMS) + " ms"
		}
	}
	return 0, ""
}
