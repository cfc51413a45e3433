package reports

import (
	"fmt"
	"html/template"
	"image/color"
	"math"
	"strconv"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/kbench/kbench/internal/textfmt"
)

// palette is Tableau 10: distinguishable, and readable on white.
var palette = []color.Color{
	rgb(0x4e79a7), rgb(0xf28e2b), rgb(0x59a14f), rgb(0xe15759), rgb(0x76b7b2),
	rgb(0xedc948), rgb(0xb07aa1), rgb(0xff9da7), rgb(0x9c755f), rgb(0xbab0ac),
}

var (
	grey      = rgb(0x888888)
	darkGrey  = rgb(0x555555)
	red       = rgb(0xc0392b)
	green     = rgb(0x2e8b3e)
	shadeCol  = color.NRGBA{R: 0x99, G: 0x99, B: 0x99, A: 0x33}
	eventCol  = rgb(0x6a3d9a)
	black     = rgb(0x1d2330)
	dashStyle = []vg.Length{vg.Points(5), vg.Points(3)}
)

func rgb(v uint32) color.Color {
	return color.NRGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

// series is one line of a line plot.
type series struct {
	name   string
	xys    plotter.XYs
	color  color.Color
	dashed bool
	width  float64 // points; 0 means 1.6
	// clip lets the series stretch the y range only to twice the others:
	// higher, it runs off the top, and its legend gives its peak.
	clip bool
}

// span is a shaded stretch of the x axis (warmup, drain).
type span struct {
	from, to float64
	label    string
}

// marker is a labelled vertical line: a scenario event, or the deadline on
// an age axis.
type marker struct {
	x     float64
	label string
}

// lineOpts are the optional parts of a line plot.
type lineOpts struct {
	spans      []span
	markers    []marker // vertical lines, labelled at the top
	markerName string   // the markers' legend entry
	hline      float64  // a horizontal reference line (the deadline) when > 0
	hlineLabel string
	logX       bool // x is 1/(1-q): log scale with percentile ticks
	timeX      bool // x is seconds: ticks at round second counts
	ratioY     bool // y is a share in [0, 1], labelled as a percentage
}

// legendEntry is one key of a chart's legend. Legends are drawn in HTML
// above the chart, where they never cover data, and in the header of the
// PNG files.
type legendEntry struct {
	Name   string
	Color  template.CSS
	Dashed bool
	Shade  bool

	c color.Color // the same colour, for the PNG
}

// chart is one figure: a title, a legend and one or more plots (panels)
// side by side.
type chart struct {
	title  string
	panels []*plot.Plot
	legend []legendEntry
}

// addLegend appends a legend entry.
func (ch *chart) addLegend(name string, c color.Color, dashed, shade bool) {
	for _, e := range ch.legend {
		if e.Name == name {
			return // panels of one chart share their legend
		}
	}
	ch.legend = append(ch.legend, legendEntry{Name: name, Color: cssColor(c), Dashed: dashed, Shade: shade, c: c})
}

// cssColor formats a color as #rrggbb.
func cssColor(c color.Color) template.CSS {
	r, g, b, _ := c.RGBA()
	return template.CSS(fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8))
}

// sansStyle sets a text style to the sans-serif face at the given size.
func sansStyle(sty *text.Style, size vg.Length) {
	sty.Font.Typeface, sty.Font.Variant, sty.Font.Size = "Liberation", "Sans", size
}

// newPlot returns a plot with axis labels, sans-serif text and tidy tick
// labels. A single-panel chart's title is drawn by the page; panels of a
// multi-panel chart carry their own (set by the caller).
func newPlot(xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	sansStyle(&p.X.Label.TextStyle, 11)
	sansStyle(&p.Y.Label.TextStyle, 11)
	sansStyle(&p.X.Tick.Label, 10)
	sansStyle(&p.Y.Tick.Label, 10)
	sansStyle(&p.Title.TextStyle, 12)
	p.Title.TextStyle.Font.Weight = xfont.WeightBold
	p.Y.Tick.Marker = cleanTicks{}
	p.Add(plotter.NewGrid())
	return p
}

// linePlot draws series against a shared x axis as a one-panel chart. It
// returns a nil chart when no series has a point.
func linePlot(title, xLabel, yLabel string, ss []series, o lineOpts) (*chart, error) {
	ch := &chart{title: title}
	p, err := lineInto(ch, xLabel, yLabel, ss, o)
	if err != nil || p == nil {
		return nil, err
	}
	ch.panels = []*plot.Plot{p}
	return ch, nil
}

// lineInto draws series into a new plot and adds their legend entries to
// ch. It returns nil when no series has a point.
func lineInto(ch *chart, xLabel, yLabel string, ss []series, o lineOpts) (*plot.Plot, error) {
	p := newPlot(xLabel, yLabel)
	ymax, xmin, xmax, points := 0.0, math.Inf(1), math.Inf(-1), 0
	peaks := make([]float64, len(ss))
	for i, s := range ss {
		for _, pt := range s.xys {
			xmin, xmax, peaks[i] = min(xmin, pt.X), max(xmax, pt.X), max(peaks[i], pt.Y)
			if !s.clip {
				ymax = max(ymax, pt.Y)
			}
		}
		points += len(s.xys)
	}
	if points == 0 {
		return nil, nil
	}
	ymax = max(ymax, o.hline)
	if ymax == 0 {
		ymax = 1
	}
	for i, s := range ss {
		if s.clip { // room for a clipped series up to twice the others
			ymax = max(ymax, min(peaks[i], 2*ymax))
		}
	}
	p.Y.Min, p.Y.Max = 0, ymax*1.1
	if o.ratioY {
		p.Y.Max = 1.08
		p.Y.Tick.Marker = ratioTicks{}
	}
	yTop := p.Y.Max
	for _, sp := range o.spans {
		xmin, xmax = min(xmin, sp.from), max(xmax, sp.to)
		poly, err := plotter.NewPolygon(plotter.XYs{{X: sp.from, Y: 0}, {X: sp.to, Y: 0}, {X: sp.to, Y: p.Y.Max}, {X: sp.from, Y: p.Y.Max}})
		if err != nil {
			return nil, err
		}
		poly.Color, poly.LineStyle.Width = shadeCol, 0
		p.Add(poly)
		if err := addLabel(p, sp.from, p.Y.Max, " "+sp.label, grey, false); err != nil {
			return nil, err
		}
	}
	for i, s := range ss {
		if len(s.xys) == 0 {
			continue
		}
		l, err := plotter.NewLine(s.xys)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = s.color, vg.Points(1.6)
		if l.Color == nil {
			l.Color = palette[i%len(palette)]
		}
		if s.width > 0 {
			l.Width = vg.Points(s.width)
		}
		if s.dashed {
			l.Dashes = dashStyle
		}
		p.Add(l)
		name := s.name
		if s.clip && peaks[i] > yTop {
			name += " (off the top; peak " + fmtRate(peaks[i]) + ")"
		}
		ch.addLegend(name, l.Color, s.dashed, false)
	}
	if o.hline > 0 {
		l, err := plotter.NewLine(plotter.XYs{{X: xmin, Y: o.hline}, {X: xmax, Y: o.hline}})
		if err != nil {
			return nil, err
		}
		l.Color, l.Width, l.Dashes = red, vg.Points(1.2), []vg.Length{vg.Points(7), vg.Points(3)}
		p.Add(l)
		ch.addLegend(o.hlineLabel, red, true, false)
	}
	for _, m := range o.markers {
		l, err := plotter.NewLine(plotter.XYs{{X: m.x, Y: 0}, {X: m.x, Y: p.Y.Max}})
		if err != nil {
			return nil, err
		}
		l.Color, l.Width, l.Dashes = eventCol, vg.Points(1.3), []vg.Length{vg.Points(2), vg.Points(2)}
		p.Add(l)
		if err := addLabel(p, m.x, p.Y.Max, " "+m.label, eventCol, true); err != nil {
			return nil, err
		}
		xmin, xmax = min(xmin, m.x), max(xmax, m.x)
	}
	if len(o.markers) > 0 && o.markerName != "" {
		ch.addLegend(o.markerName, eventCol, true, false)
	}
	if len(o.spans) > 0 {
		ch.addLegend("warmup / drain (not measured)", rgb(0xe6e6e6), false, true)
	}
	p.Y.Min, p.Y.Max = 0, yTop // adding a clipped series widened the range
	switch {
	case o.logX:
		p.X.Scale = plot.LogScale{}
		p.X.Min, p.X.Max = 1, max(xmax, 10)
		p.X.Tick.Marker = percentileTicks{}
	case o.timeX:
		p.X.Min, p.X.Max = min(0, xmin), xmax
		p.X.Tick.Marker = timeTicks{}
	default:
		p.X.Min, p.X.Max = min(0, xmin), xmax
		p.X.Tick.Marker = cleanTicks{}
	}
	return p, nil
}

// addLabel writes a small label with its top-left corner at (x, y).
func addLabel(p *plot.Plot, x, y float64, s string, c color.Color, bold bool) error {
	lbl, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: x, Y: y}}, Labels: []string{s}})
	if err != nil {
		return err
	}
	for i := range lbl.TextStyle {
		sansStyle(&lbl.TextStyle[i], 9)
		if bold {
			lbl.TextStyle[i].Font.Size = 10
		}
		lbl.TextStyle[i].Color = c
		lbl.TextStyle[i].YAlign = draw.YTop
	}
	p.Add(lbl)
	return nil
}

// timeTicks puts major ticks every 1, 2, 5, 10, 15, 30, 60… seconds, about
// ten per axis.
type timeTicks struct{}

// Ticks implements plot.Ticker.
func (timeTicks) Ticks(lo, hi float64) []plot.Tick {
	step := 1.0
	for _, s := range []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200} {
		step = s
		if (hi-lo)/s <= 12 {
			break
		}
	}
	var ts []plot.Tick
	for x := math.Ceil(lo/step) * step; x <= hi; x += step {
		ts = append(ts, plot.Tick{Value: x, Label: strconv.FormatFloat(x, 'f', -1, 64)})
	}
	return ts
}

// cleanTicks are gonum's default ticks with plain labels: "250" rather than
// "250.00", and thousands separators.
type cleanTicks struct{}

// Ticks implements plot.Ticker.
func (cleanTicks) Ticks(lo, hi float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label == "" {
			continue
		}
		v := ts[i].Value
		if v == math.Trunc(v) {
			ts[i].Label = textfmt.Int(int64(v))
		} else {
			ts[i].Label = strconv.FormatFloat(v, 'g', 6, 64)
		}
	}
	return ts
}

// ratioTicks label a [0, 1] axis in percent every 20 points.
type ratioTicks struct{}

// Ticks implements plot.Ticker.
func (ratioTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for i := 0; i <= 5; i++ {
		v := float64(i) / 5
		if v >= lo && v <= hi {
			ts = append(ts, plot.Tick{Value: v, Label: strconv.Itoa(i*20) + "%"})
		}
	}
	return ts
}

// percentileTicks labels a 1/(1-q) axis with percentiles, the way
// HdrHistogram's plotter does: 50%, 90%, 99%, 99.9%, …
type percentileTicks struct{}

// Ticks implements plot.Ticker.
func (percentileTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	if 2 >= lo && 2 <= hi {
		ts = append(ts, plot.Tick{Value: 2, Label: "50%"})
	}
	for e := 1; math.Pow10(e) <= hi*1.0001; e++ {
		if x := math.Pow10(e); x >= lo {
			ts = append(ts, plot.Tick{Value: x, Label: percentileLabel(x)})
		}
	}
	return ts
}

// percentileLabel turns x = 1/(1-q) into q as a percentage: 10 → "90%".
func percentileLabel(x float64) string {
	q := math.Round(100*(1-1/x)*1e6) / 1e6
	return strconv.FormatFloat(q, 'f', -1, 64) + "%"
}

// percentileCurve is a histogram's percentile distribution as points
// (1/(1-q), latency in ms), HdrHistogram's plotter style. The 100th
// percentile (x = ∞) is left out; the axis extends to the largest finite x.
func percentileCurve(h *hdrhistogram.Histogram) plotter.XYs {
	if h == nil || h.TotalCount() == 0 {
		return nil
	}
	var xys plotter.XYs
	for _, b := range h.CumulativeDistributionWithTicks(5) {
		if b.Quantile >= 100 {
			continue
		}
		xys = append(xys, plotter.XY{X: 1 / (1 - b.Quantile/100), Y: float64(b.ValueAt) / 1e6})
	}
	return xys
}
