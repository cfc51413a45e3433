package reports

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// bars is one bar-chart panel: a bar per label, the highlighted ones in
// another colour, optionally a text above each bar and a dashed reference
// line.
type bars struct {
	title, xLabel, yLabel string
	labels                []string
	values                []float64
	color, hotColor       color.Color
	hot                   []bool   // per bar; nil for none
	texts                 []string // per bar, drawn above it; nil for none
	ref                   float64  // a horizontal reference line when > 0
	room                  float64  // the panel's width in points, to size the bars
}

// barPanel draws b into a new plot; nil when there are no values.
func barPanel(b bars) (*plot.Plot, error) {
	n := len(b.values)
	if n == 0 {
		return nil, nil
	}
	p := newPlot(b.xLabel, b.yLabel)
	p.Title.Text = b.title
	room := b.room
	if room <= 0 {
		room = 380
	}
	width := vg.Points(math.Max(2, math.Min(36, 0.6*room/float64(n))))
	cool, hot := make(plotter.Values, n), make(plotter.Values, n)
	ymax := b.ref
	for i, v := range b.values {
		ymax = max(ymax, v)
		if i < len(b.hot) && b.hot[i] {
			hot[i] = v
		} else {
			cool[i] = v
		}
	}
	for _, set := range []struct {
		vs plotter.Values
		c  color.Color
	}{{cool, b.color}, {hot, b.hotColor}} {
		bc, err := plotter.NewBarChart(set.vs, width)
		if err != nil {
			return nil, err
		}
		bc.Color, bc.LineStyle.Width = set.c, 0
		p.Add(bc)
	}
	p.Y.Min = 0
	p.Y.Max = max(ymax*1.15, 1)
	if b.ref > 0 {
		l, err := plotter.NewLine(plotter.XYs{{X: -0.6, Y: b.ref}, {X: float64(n) - 0.4, Y: b.ref}})
		if err != nil {
			return nil, err
		}
		l.Color, l.Width, l.Dashes = red, vg.Points(1.2), []vg.Length{vg.Points(7), vg.Points(3)}
		p.Add(l)
	}
	if len(b.texts) == n {
		xys := make(plotter.XYs, n)
		for i, v := range b.values {
			xys[i] = plotter.XY{X: float64(i), Y: v}
		}
		lbl, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: b.texts})
		if err != nil {
			return nil, err
		}
		for i := range lbl.TextStyle {
			sansStyle(&lbl.TextStyle[i], 10)
			lbl.TextStyle[i].Color = black
			lbl.TextStyle[i].XAlign = draw.XCenter
		}
		lbl.Offset = vg.Point{Y: vg.Points(3)}
		p.Add(lbl)
	}
	// Thin out the labels so they stay legible with many shards.
	step := (len(b.labels) + 15) / 16
	shown := make([]string, len(b.labels))
	for i, l := range b.labels {
		if i%step == 0 {
			shown[i] = l
		}
	}
	p.NominalX(shown...)
	p.X.Min, p.X.Max = -0.6, float64(n)-0.4
	return p, nil
}
