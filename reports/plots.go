package reports

import (
	"bytes"
	"fmt"
	"html/template"
	"image/color"
	"math"
	"regexp"
	"strconv"
	"strings"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Plot sizes. The SVGs scale to the page width; these set the aspect ratio
// and the text size relative to it.
const (
	plotW     = 11 * vg.Inch
	plotH     = 3.6 * vg.Inch
	halfPlotW = 6 * vg.Inch
	halfPlotH = 3.4 * vg.Inch
)

// palette is Tableau 10: distinguishable, and readable on white.
var palette = []color.Color{
	rgb(0x4e79a7), rgb(0xf28e2b), rgb(0x59a14f), rgb(0xe15759), rgb(0x76b7b2),
	rgb(0xedc948), rgb(0xb07aa1), rgb(0xff9da7), rgb(0x9c755f), rgb(0xbab0ac),
}

var (
	grey     = rgb(0x888888)
	red      = rgb(0xc0392b)
	shadeCol = color.NRGBA{R: 0x99, G: 0x99, B: 0x99, A: 0x33}
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
}

// span is a shaded stretch of the x axis (warmup, drain).
type span struct {
	from, to float64
	label    string
}

// lineOpts are the optional parts of a line plot.
type lineOpts struct {
	spans      []span
	hline      float64 // a horizontal reference line (the deadline) when > 0
	hlineLabel string
	logX       bool // x is 1/(1-q): log scale with percentile ticks
	timeX      bool // x is seconds: ticks at round second counts
}

// legendEntry is one key of a chart's legend. Legends are drawn in HTML
// above the chart, where they never cover data.
type legendEntry struct {
	Name   string
	Color  template.CSS
	Dashed bool
	Shade  bool
}

// chart is a plot with its title and legend, which the page draws in HTML.
type chart struct {
	p      *plot.Plot
	title  string
	legend []legendEntry
}

// cssColor formats a color as #rrggbb.
func cssColor(c color.Color) template.CSS {
	r, g, b, _ := c.RGBA()
	return template.CSS(fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8))
}

// newPlot returns a plot with axis labels, sans-serif text and tidy tick
// labels. Its title is drawn by the page.
func newPlot(xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	for _, sty := range []*text.Style{&p.X.Label.TextStyle, &p.Y.Label.TextStyle, &p.X.Tick.Label, &p.Y.Tick.Label} {
		sty.Font.Typeface, sty.Font.Variant = "Liberation", "Sans"
	}
	p.X.Label.TextStyle.Font.Size, p.Y.Label.TextStyle.Font.Size = 11, 11
	p.X.Tick.Label.Font.Size, p.Y.Tick.Label.Font.Size = 10, 10
	p.Y.Tick.Marker = cleanTicks{}
	p.Add(plotter.NewGrid())
	return p
}

// linePlot draws series against a shared x axis. It returns a nil chart
// when no series has a point.
func linePlot(title, xLabel, yLabel string, ss []series, o lineOpts) (*chart, error) {
	p := newPlot(xLabel, yLabel)
	ch := &chart{p: p, title: title}
	ymax, xmin, xmax, points := 0.0, math.Inf(1), math.Inf(-1), 0
	for _, s := range ss {
		for _, pt := range s.xys {
			ymax, xmin, xmax = max(ymax, pt.Y), min(xmin, pt.X), max(xmax, pt.X)
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
	p.Y.Min, p.Y.Max = 0, ymax*1.1
	for _, sp := range o.spans {
		xmin, xmax = min(xmin, sp.from), max(xmax, sp.to)
		poly, err := plotter.NewPolygon(plotter.XYs{{X: sp.from, Y: 0}, {X: sp.to, Y: 0}, {X: sp.to, Y: p.Y.Max}, {X: sp.from, Y: p.Y.Max}})
		if err != nil {
			return nil, err
		}
		poly.Color, poly.LineStyle.Width = shadeCol, 0
		p.Add(poly)
		lbl, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: sp.from, Y: p.Y.Max}}, Labels: []string{" " + sp.label}})
		if err != nil {
			return nil, err
		}
		for i := range lbl.TextStyle {
			lbl.TextStyle[i].Font.Typeface, lbl.TextStyle[i].Font.Variant = "Liberation", "Sans"
			lbl.TextStyle[i].Font.Size = 9
			lbl.TextStyle[i].Color = grey
			lbl.TextStyle[i].YAlign = draw.YTop
		}
		p.Add(lbl)
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
			l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		p.Add(l)
		ch.legend = append(ch.legend, legendEntry{Name: s.name, Color: cssColor(l.Color), Dashed: s.dashed})
	}
	if o.hline > 0 {
		l, err := plotter.NewLine(plotter.XYs{{X: xmin, Y: o.hline}, {X: xmax, Y: o.hline}})
		if err != nil {
			return nil, err
		}
		l.Color, l.Width, l.Dashes = red, vg.Points(1.2), []vg.Length{vg.Points(7), vg.Points(3)}
		p.Add(l)
		ch.legend = append(ch.legend, legendEntry{Name: o.hlineLabel, Color: cssColor(red), Dashed: true})
	}
	if len(o.spans) > 0 {
		ch.legend = append(ch.legend, legendEntry{Name: "warmup / drain (not measured)", Color: "#e6e6e6", Shade: true})
	}
	switch {
	case o.logX:
		p.X.Scale = plot.LogScale{}
		p.X.Min, p.X.Max = 1, max(xmax, 10)
		p.X.Tick.Marker = percentileTicks{}
	case o.timeX:
		p.X.Min, p.X.Max = min(0, xmin), xmax
		p.X.Tick.Marker = timeTicks{}
	}
	return ch, nil
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
			ts[i].Label = fmtInt(int64(v))
		} else {
			ts[i].Label = strconv.FormatFloat(v, 'g', 6, 64)
		}
	}
	return ts
}

// barPlot draws one bar per label.
func barPlot(title, xLabel, yLabel string, labels []string, values []float64, c color.Color) (*chart, error) {
	if len(values) == 0 {
		return nil, nil
	}
	p := newPlot(xLabel, yLabel)
	width := vg.Points(math.Max(2, math.Min(24, 380/float64(len(values)))))
	bars, err := plotter.NewBarChart(plotter.Values(values), width)
	if err != nil {
		return nil, err
	}
	bars.Color, bars.LineStyle.Width = c, 0
	p.Add(bars)
	p.Y.Min = 0
	p.Y.Max = max(p.Y.Max*1.08, 1)
	// Thin out the labels so they stay legible with many shards.
	step := (len(labels) + 23) / 24
	shown := make([]string, len(labels))
	for i, l := range labels {
		if i%step == 0 {
			shown[i] = l
		}
	}
	p.NominalX(shown...)
	p.X.Min, p.X.Max = -0.6, float64(len(values))-0.4
	return &chart{p: p, title: title}, nil
}

// percentileTicks labels a 1/(1-q) axis with percentiles: 0%, 90%, 99%, …
type percentileTicks struct{}

// Ticks implements plot.Ticker.
func (percentileTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for x := 1.0; x <= hi*1.0001; x *= 10 {
		if x >= lo {
			ts = append(ts, plot.Tick{Value: x, Label: percentileLabel(x)})
		}
		if 2*x <= hi && x == 1 {
			ts = append(ts, plot.Tick{Value: 2, Label: "50%"})
		}
	}
	return ts
}

// percentileLabel turns x = 1/(1-q) into q as a percentage: 10 → "90%".
func percentileLabel(x float64) string {
	q := 100 * (1 - 1/x)
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

var (
	svgProlog = regexp.MustCompile(`(?s)^.*?<svg `)
	svgSize   = regexp.MustCompile(`\s+width="[^"]*"\s+height="[^"]*"`)
	svgXMLNS  = regexp.MustCompile(`\s+xmlns(:xlink)?="[^"]*"`)
)

// svgOf draws p and returns it as an inline <svg> element for an HTML page:
// no XML prolog or namespace URLs (HTML5 infers them), scaled to its
// container, and its fonts falling back to metric-compatible ones.
func svgOf(p *plot.Plot, w, h vg.Length, alt string) (out template.HTML, err error) {
	defer func() {
		// gonum/plot panics on degenerate data (NaN ranges and the like);
		// one bad chart must not take the report down with it.
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("reports: plot %q: %v", alt, r)
		}
	}()
	c := vgsvg.New(w, h)
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return "", fmt.Errorf("reports: plot %q: %w", alt, err)
	}
	s := svgProlog.ReplaceAllString(buf.String(), `<svg role="img" aria-label="`+template.HTMLEscapeString(alt)+`" `)
	s = svgSize.ReplaceAllString(s, "")
	s = svgXMLNS.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, "font-family:Liberation Sans;", "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;")
	return template.HTML(s), nil // #nosec: generated by vgsvg, which escapes text
}
