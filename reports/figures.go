package reports

import (
	"fmt"
	"html/template"
	"os"
	"path/filepath"

	"gonum.org/v1/plot/plotter"

	"github.com/kbench/kbench/results"
)

// PNG files a run report writes beside report.html, one per figure.
const (
	PNGLatencyDistribution = "latency-distribution.png"
	PNGLatencyOverTime     = "latency-over-time.png"
	PNGThroughput          = "throughput.png"
	PNGShards              = "shards.png"
	PNGLag                 = "lag.png"
	PNGDeadline            = "deadline.png"
	PNGDelivery            = "delivery.png"
)

// figure is one rendered chart of a report: inline SVG for the page and a
// PNG for the results directory.
type figure struct {
	Title  string
	SVG    template.HTML
	Legend []legendEntry
	Half   bool   // half the page width, paired with its neighbour
	File   string // the PNG's file name
	png    []byte
}

// timeAxis labels the x axis of every per-second plot.
const timeAxis = "time since start (s)"

// phaseSpans returns the shaded warmup and drain stretches of a run.
func phaseSpans(rows []results.Row) []span {
	var out []span
	for _, phase := range []string{results.PhaseWarmup, results.PhaseDrain} {
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

// eventMarkers turns the run's scenario events into vertical markers,
// labelled E1, E2, … as in the events table.
func eventMarkers(s *results.Summary) []marker {
	var ms []marker
	for i, e := range s.Events {
		ms = append(ms, marker{x: e.AtS, label: eventLabel(i)})
	}
	return ms
}

// eventLabel names the i-th event (from 0) in plots and tables.
func eventLabel(i int) string { return fmt.Sprintf("E%d", i+1) }

// eventsLegend is the legend entry of the event markers.
const eventsLegend = "scenario events (E1… in the events table)"

// column turns one per-second field into plot points; with skipZero, the
// seconds where the field is 0 (no samples) are left out.
func column(rows []results.Row, skipZero bool, f func(results.Row) float64) plotter.XYs {
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

// add renders a chart (nil: no data, skipped silently) into the set as SVG
// and as the PNG file; name says which chart in error messages.
func (fs *figureSet) add(name, file string, size figSize, ch *chart, err error) {
	if err == nil && ch != nil {
		var svg template.HTML
		svg, err = svgOf(ch, size)
		var png []byte
		if err == nil && file != "" {
			png, err = pngOf(ch, size)
		}
		if err == nil {
			fs.figs = append(fs.figs, figure{Title: ch.title, SVG: svg, Legend: ch.legend, Half: size == halfSize, File: file, png: png})
		}
	}
	if err != nil {
		fs.problems = append(fs.problems, "could not draw "+name+": "+err.Error())
	}
}

// writePNGs writes each figure's PNG into dir.
func (fs *figureSet) writePNGs(dir string) error {
	for _, f := range fs.figs {
		if f.File == "" || f.png == nil {
			continue
		}
		if err := results.WriteFileAtomic(filepath.Join(dir, f.File), f.png); err != nil {
			return err
		}
	}
	return nil
}

// removeStalePNGs deletes figure files a previous rendering wrote that this
// one did not draw, so a results directory never shows a stale plot.
func removeStalePNGs(dir string, fs figureSet, files []string) error {
	drawn := map[string]bool{}
	for _, f := range fs.figs {
		drawn[f.File] = true
	}
	for _, f := range files {
		if drawn[f] {
			continue
		}
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("reports: %w", err)
		}
	}
	return nil
}

// runPNGs are every PNG file a run report may write.
var runPNGs = []string{PNGLatencyDistribution, PNGLatencyOverTime, PNGThroughput, PNGShards, PNGLag, PNGDeadline, PNGDelivery,
	PNGDestinations}

// runFigures draws a run report's charts, in page order.
func runFigures(r *results.Run) figureSet {
	var fs figureSet
	distributionFigure(&fs, r)
	latencyTimeFigure(&fs, r)
	throughputFigure(&fs, r)
	deadlineFigure(&fs, r)
	destinationsFigure(&fs, r)
	shardFigure(&fs, r.Summary)
	lagFigure(&fs, r)
	deliveryFigure(&fs, r)
	return fs
}
