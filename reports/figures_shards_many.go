package reports

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/kbench/kbench/internal/textfmt"
	"github.com/kbench/kbench/results"
)

// manyShards is the most shards drawn a bar each: past it the bars and
// their labels run together, and shardFigure draws the distribution.
const manyShards = 64

// topShards is how many shards a panel of manyShardFigure names.
const topShards = 8

// manyShardFigure draws a stream of many shards in three panels: every
// shard's records sorted from the busiest down (how the load spreads), and
// the busiest and the most throttled topShards shards by name, each bar
// labelled with its multiple of the mean records or its throttle ratio.
// The hot shards are red, as in the bar figure.
func manyShardFigure(shards []results.ShardStats) (*chart, error) {
	n := len(shards)
	hot := hotShards(shards)
	var sum int64
	for _, sh := range shards {
		sum += sh.Records
	}
	mean := float64(sum) / float64(n)
	byRecords := rankShards(shards, func(sh results.ShardStats) int64 { return sh.Records })
	byThrottled := slices.DeleteFunc(rankShards(shards, func(sh results.ShardStats) int64 { return sh.Throttled }),
		func(i int) bool { return shards[i].Throttled == 0 })

	busiest := topBars(shards, byRecords, hot, func(sh results.ShardStats) (float64, string) {
		return float64(sh.Records), shortRatio(float64(sh.Records)/max(mean, 1), "×")
	})
	busiest.title, busiest.yLabel = fmt.Sprintf("Busiest %d: records (× mean)", len(busiest.values)), "records"
	throttled := topBars(shards, byThrottled, hot, func(sh results.ShardStats) (float64, string) {
		return float64(sh.Throttled), shortRatio(100*sh.ThrottleRatio, "%")
	})
	throttled.title, throttled.yLabel = fmt.Sprintf("Most throttled %d: attempts (ratio)", len(throttled.values)), "record-attempts"

	ch := &chart{title: fmt.Sprintf("Per shard: how the load spreads over %s shards (whole run)", textfmt.Int(int64(n)))}
	spread, err := spreadPanel(shards, byRecords, hot, mean)
	if err != nil {
		return nil, fmt.Errorf("reports: shard plot: %w", err)
	}
	ch.panels = append(ch.panels, spread)
	for _, b := range []bars{busiest, throttled} {
		p, err := barPanel(b)
		if err == nil && p == nil { // no shard throttled: a panel that says so
			p, err = notePanel("Throttled attempts: none", fmt.Sprintf("none of the %s shards\nwas throttled", textfmt.Int(int64(n))))
		}
		if err != nil {
			return nil, fmt.Errorf("reports: shard plot: %w", err)
		}
		ch.panels = append(ch.panels, p)
	}
	ch.addLegend("shard", palette[0], false, true)
	if slices.Contains(hot, true) {
		ch.addLegend(hotLegend, red, false, true)
	}
	ch.addLegend("mean records per shard", grey, true, false)
	return ch, nil
}

// rankShards returns the indexes of shards ordered by key, the largest
// first (in shard order on a tie).
func rankShards(shards []results.ShardStats, key func(results.ShardStats) int64) []int {
	idx := make([]int, len(shards))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(key(shards[b]), key(shards[a])) })
	return idx
}

// topBars makes a bar panel of the first topShards shards of order, named
// by their shard number; value gives each bar's height and the text above
// it.
func topBars(shards []results.ShardStats, order []int, hot []bool, value func(results.ShardStats) (float64, string)) bars {
	b := bars{xLabel: "shard", room: 220, color: palette[0], hotColor: red}
	for _, i := range order[:min(len(order), topShards)] {
		v, text := value(shards[i])
		b.labels = append(b.labels, shortShard(shards[i].ShardID))
		b.values = append(b.values, v)
		b.texts = append(b.texts, text)
		b.hot = append(b.hot, hot[i])
	}
	return b
}

// spreadPanel draws every shard's records, in order (the busiest first),
// as an area: blue, a red line at each hot shard, and the mean dashed.
func spreadPanel(shards []results.ShardStats, order []int, hot []bool, mean float64) (*plot.Plot, error) {
	n := len(order)
	p := newPlot("shards, busiest first", "records")
	p.Title.Text = "Every shard's records, sorted"
	all := make(plotter.XYs, n)
	for rank, i := range order {
		all[rank] = plotter.XY{X: float64(rank + 1), Y: float64(shards[i].Records)}
	}
	area, err := plotter.NewLine(all)
	if err != nil {
		return nil, err
	}
	area.Color, area.FillColor, area.Width = palette[0], palette[0], vg.Points(1)
	p.Add(area)
	for rank, i := range order {
		if !hot[i] {
			continue
		}
		// Hot by records, a shard is near the left; hot only by its
		// throttles, it shows as a red line where it ranks.
		l, err := plotter.NewLine(plotter.XYs{{X: all[rank].X, Y: 0}, all[rank]})
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = red, vg.Points(1.5)
		p.Add(l)
	}
	m, err := plotter.NewLine(plotter.XYs{{X: 1, Y: mean}, {X: float64(n), Y: mean}})
	if err != nil {
		return nil, err
	}
	m.Color, m.Width, m.Dashes = grey, vg.Points(1.5), dashStyle
	p.Add(m)
	p.X.Min, p.X.Max = 1, float64(n)
	p.X.Tick.Marker = cleanTicks{}
	p.Y.Min, p.Y.Max = 0, max(all[0].Y*1.1, 1)
	return p, nil
}

// notePanel is a panel without axes saying note in its middle.
func notePanel(title, note string) (*plot.Plot, error) {
	p := newPlot("", "")
	p.Title.Text = title
	p.HideAxes()
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	lbl, err := plotter.NewLabels(plotter.XYLabels{XYs: plotter.XYs{{X: 0.5, Y: 0.5}}, Labels: []string{note}})
	if err != nil {
		return nil, err
	}
	sansStyle(&lbl.TextStyle[0], 11)
	lbl.TextStyle[0].Color = darkGrey
	lbl.TextStyle[0].XAlign, lbl.TextStyle[0].YAlign = draw.XCenter, draw.YCenter
	p.Add(lbl)
	return p, nil
}

// shortRatio formats v with unit in at most four characters, to fit above
// a bar: one decimal under 10, none from 10.
func shortRatio(v float64, unit string) string {
	if v < 10 {
		return strconv.FormatFloat(v, 'f', 1, 64) + unit
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + unit
}
