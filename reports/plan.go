package reports

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/kbench/kbench/internal/textfmt"
	"github.com/kbench/kbench/results"
)

// File names of a plan, written beside plan.json.
const (
	PlanHTMLFile     = "plan.html"
	PlanMarkdownFile = "plan.md"
	PlanPNGFile      = "plan.png"
)

// RenderPlan writes plan.md, plan.html and plan.png (cost and e2e p99
// against the shard count) for p into dir.
func RenderPlan(p *results.Plan, dir string) error {
	ch, err := planChart(p)
	if err != nil {
		return err
	}
	page := planPage{CSS: template.CSS(pageCSS), P: p, Rows: planRows(p)}
	if ch != nil {
		svg, err := svgOf(ch, panelSize)
		if err != nil {
			return err
		}
		png, err := pngOf(ch, panelSize)
		if err != nil {
			return err
		}
		if err := results.WriteFileAtomic(filepath.Join(dir, PlanPNGFile), png); err != nil {
			return err
		}
		page.Figure = &figure{Title: ch.title, SVG: svg, Legend: ch.legend, File: PlanPNGFile}
	}
	var html bytes.Buffer
	if err := planTemplate.Execute(&html, page); err != nil {
		return fmt.Errorf("reports: plan page: %w", err)
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, PlanHTMLFile), html.Bytes()); err != nil {
		return err
	}
	return results.WriteFileAtomic(filepath.Join(dir, PlanMarkdownFile), []byte(planMarkdown(p, ch != nil)))
}

// WritePlanText writes the recommendation and a compact table of the
// layouts to w, for the terminal.
func WritePlanText(w io.Writer, p *results.Plan) {
	fmt.Fprintf(w, "kbench plan %s: %s\n", p.Scenario, p.Recommendation)
	fmt.Fprintf(w, "  %s\n", p.Reason)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  \tlayout\thot shard\tacked/s\tthrottled\te2e p50 ms\te2e p99 ms\ton time\t$/hour\t$/month\t")
	for _, r := range planRows(p) {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Mark, r.Name, r.Hot, r.Acked, r.Throttle, r.P50, r.P99, r.OnTime, r.Hour, r.Month)
	}
	_ = tw.Flush()
	if line := planHotLine(p); line != "" {
		fmt.Fprintf(w, "  %s\n", line)
	}
	fmt.Fprintf(w, "  (* recommended; ✘ misses the workload's needs) %s\n", p.Model)
	if p.Verify != "" {
		fmt.Fprintf(w, "  run the recommended layout for the whole duration: %s\n", p.Verify)
	}
}

// planHotLine says what the hottest shard of the recommended layout (or,
// with none, of the first layout the model ran) takes: user records
// against the Kinesis records carrying them, bytes as sent, and which
// write quota binds. "" when no layout ran.
func planHotLine(p *results.Plan) string {
	var l *results.PlanLayout
	if p.Recommended >= 0 && p.Layouts[p.Recommended].HotShard != nil {
		l = &p.Layouts[p.Recommended]
	}
	for i := range p.Layouts {
		if l == nil && p.Layouts[i].HotShard != nil {
			l = &p.Layouts[i]
		}
	}
	if l == nil {
		return ""
	}
	h := l.HotShard
	return fmt.Sprintf("hottest shard of %s: %s user records/s in %s Kinesis records/s (%s of 1,000/s), %s (%s of 1 MiB/s): %s bind",
		l.Name, fmtRate(h.RecordsPerS), fmtRate(h.KinesisRecordsPerS), fmtPct(h.RecordQuotaUse),
		fmtBytesPerS(h.BytesPerS), fmtPct(h.ByteQuotaUse), h.Binding)
}

// planSentLine says what the quotas count of the peak when the producers
// pack their records (Kinesis records, bytes as sent); "" when they count
// the user records themselves.
func planSentLine(w results.PlanWorkload) string {
	if w.PeakKinesisRPS == 0 || (w.PeakKinesisRPS > 0.98*w.PeakRPS && math.Abs(w.PeakSentBytesPerS-w.PeakBytesPerS) < 0.02*w.PeakBytesPerS) {
		return ""
	}
	return fmt.Sprintf("as the write quotas count it (aggregated, compressed): %s Kinesis records/s, %s",
		fmtRate(w.PeakKinesisRPS), fmtBytesPerS(w.PeakSentBytesPerS))
}

// planRow is one layout, formatted.
type planRow struct {
	Mark, Name, Hot, Acked, Throttle, P50, P99, OnTime, Hour, Month, Miss string
	Recommended, Meets                                                    bool
	Cost                                                                  []results.PlanCostItem
}

func planRows(p *results.Plan) []planRow {
	var rows []planRow
	for i, l := range p.Layouts {
		r := planRow{Name: l.Name, Hot: "-", Acked: fmtRate(l.AckedRPS), Throttle: fmtPct(l.ThrottleRatio),
			P50: "-", P99: "-", OnTime: "-", Hour: planUSD(l.USDPerHour), Month: planUSD(l.USDPerMonth),
			Miss: l.Miss, Recommended: i == p.Recommended, Meets: l.Meets, Cost: l.Cost}
		switch {
		case r.Recommended:
			r.Mark = "*"
		case !l.Meets:
			r.Mark = "✘"
		}
		if l.Shards > 0 {
			r.Hot = fmtPct(l.HotUse)
		}
		if l.Measured {
			r.P50, r.P99 = strconv.FormatFloat(l.E2EP50MS, 'f', 0, 64), strconv.FormatFloat(l.E2EP99MS, 'f', 0, 64)
		}
		if p.Workload.DeadlineMS > 0 {
			r.OnTime = fmtPct(l.OnTimeRatio)
		}
		if l.Error != "" {
			r.Acked, r.Throttle = "error", "-"
		}
		rows = append(rows, r)
	}
	return rows
}

// planUSD formats dollars as fmtUSD does, whole dollars with thousands
// separators from $1,000 up.
func planUSD(v float64) string {
	if v >= 1000 {
		return "$" + textfmt.Int(int64(math.Round(v)))
	}
	return fmtUSD(v)
}

// planChart draws cost per hour and the slowest application's e2e p99
// against the provisioned shard count, one line per consumer variant, with
// on-demand's cost and the deadline as reference lines. nil when no
// provisioned layout ran.
func planChart(p *results.Plan) (*chart, error) {
	ch := &chart{title: "Cost and e2e p99 against the shard count"}
	cost := newPlot("shards", "USD per hour")
	lat := newPlot("shards", "e2e p99 (ms)")
	cost.Title.Text, lat.Title.Text = "cost per hour", "slowest application's e2e p99"
	var order []string
	byVariant := map[string][2]plotter.XYs{}
	onDemand := -1.0
	var xmin, xmax, ymaxCost, ymaxLat float64 = math.Inf(1), 0, 0, p.Workload.DeadlineMS
	for _, l := range p.Layouts {
		if l.Shards == 0 {
			onDemand = max(onDemand, l.USDPerHour)
			ymaxCost = max(ymaxCost, l.USDPerHour)
			continue
		}
		if _, ok := byVariant[l.Consumers]; !ok {
			order = append(order, l.Consumers)
		}
		v := byVariant[l.Consumers]
		x := float64(l.Shards)
		xmin, xmax = min(xmin, x), max(xmax, x)
		v[0] = append(v[0], plotter.XY{X: x, Y: l.USDPerHour})
		ymaxCost = max(ymaxCost, l.USDPerHour)
		if l.Measured && l.Error == "" {
			v[1] = append(v[1], plotter.XY{X: x, Y: l.E2EP99MS})
			ymaxLat = max(ymaxLat, l.E2EP99MS)
		}
		byVariant[l.Consumers] = v
	}
	if len(order) == 0 {
		return nil, nil
	}
	for i, name := range order {
		c := palette[i%len(palette)]
		for k, pl := range []*plot.Plot{cost, lat} {
			xys := byVariant[name][k]
			if len(xys) == 0 {
				continue
			}
			line, points, err := plotter.NewLinePoints(xys)
			if err != nil {
				return nil, fmt.Errorf("reports: plan plot: %w", err)
			}
			line.Color, line.Width = c, vg.Points(1.8)
			points.Color, points.Radius = c, vg.Points(3)
			pl.Add(line, points)
		}
		ch.addLegend(name+" consumers", c, false, false)
	}
	ref := func(pl *plot.Plot, y float64, label string, dashed bool) error {
		l, err := plotter.NewLine(plotter.XYs{{X: xmin, Y: y}, {X: xmax, Y: y}})
		if err != nil {
			return fmt.Errorf("reports: plan plot: %w", err)
		}
		l.Color, l.Width = red, vg.Points(1.2)
		if !dashed {
			l.Color = grey
		}
		l.Dashes = dashStyle
		pl.Add(l)
		ch.addLegend(label, l.Color, true, false)
		return nil
	}
	if onDemand >= 0 {
		if err := ref(cost, onDemand, "on-demand cost", false); err != nil {
			return nil, err
		}
	}
	if p.Workload.DeadlineMS > 0 {
		if err := ref(lat, p.Workload.DeadlineMS, fmt.Sprintf("deadline %s ms", textfmt.Value(p.Workload.DeadlineMS)), true); err != nil {
			return nil, err
		}
	}
	if r := p.Recommended; r >= 0 && p.Layouts[r].Shards > 0 {
		l := p.Layouts[r]
		// YTop: the label hangs below the point, inside the plot.
		if err := addLabel(cost, float64(l.Shards), l.USDPerHour, " ▲ recommended", darkGrey, true); err != nil {
			return nil, fmt.Errorf("reports: plan plot: %w", err)
		}
	}
	pad := max((xmax-xmin)*0.05, 0.5)
	for pl, ymax := range map[*plot.Plot]float64{cost: ymaxCost, lat: ymaxLat} {
		pl.X.Min, pl.X.Max = xmin-pad, xmax+pad
		pl.Y.Min, pl.Y.Max = 0, max(ymax, 1e-6)*1.15
	}
	ch.panels = []*plot.Plot{cost, lat}
	return ch, nil
}

// planPage is what plan.html shows.
type planPage struct {
	CSS    template.CSS
	P      *results.Plan
	Rows   []planRow
	Figure *figure
}

var planTemplate = template.Must(template.Must(template.New("plan").Funcs(funcs).Funcs(template.FuncMap{"hotLine": planHotLine, "sentLine": planSentLine}).Parse(figureTemplate)).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>kbench plan: {{.P.Scenario}}</title><style>{{.CSS}}</style></head>
<body><main>
<header>
<h1>Plan for {{.P.Scenario}}</h1>
{{with .P.Cell}}<p class="meta">matrix cell <b>{{.}}</b> · <a href="../plan.html">every cell</a></p>{{end}}
<p class="model-banner">{{.P.Model}}</p>
<p class="meta">source <b>{{.P.Source}}</b> · {{len .P.Layouts}} layouts · each layout ran {{.P.Window.DurationS}} s ({{.P.Window.WarmupS}} s warmup), then up to {{.P.Window.DrainS}} s drain · planned in <b>{{printf "%.1f" .P.ElapsedS}} s</b></p>
</header>
<section class="verdict{{if lt .P.Recommended 0}} fail{{end}}"><div class="big">{{.P.Recommendation}}</div><p>{{.P.Reason}}</p>
{{with .P.Verify}}<p>Run the recommended layout on the model for the scenario's whole duration: <code>{{.}}</code></p>{{end}}</section>

<h2>Workload</h2>
<table>
<tr><th class="l">peak rate</th><td class="l">{{rate .P.Workload.PeakRPS}} records/s, {{bps .P.Workload.PeakBytesPerS}} (mean record {{printf "%.0f" .P.Workload.MeanRecordBytes}} bytes with its key)</td></tr>
{{with sentLine .P.Workload}}<tr><th class="l">quota units</th><td class="l">{{.}}</td></tr>{{end}}
<tr><th class="l">partition keys</th><td class="l">{{.P.Workload.Keys}}</td></tr>
<tr><th class="l">minimum shards</th><td class="l">{{.P.Workload.MinShards}} on average ({{.P.Workload.MinShardsRecords}} for records/s, {{.P.Workload.MinShardsBytes}} for bytes/s); the hottest shard is offered {{pct .P.Workload.HotUseAtMin}} of its quota there; {{if .P.Workload.HotMinShards}}{{.P.Workload.HotMinShards}} shards keep it within its quota{{else}}no shard count keeps it within its quota{{end}}</td></tr>
<tr><th class="l">producers</th><td class="l wrap">{{range .P.Workload.Producers}}{{.}}<br>{{end}}</td></tr>
<tr><th class="l">consumers</th><td class="l">{{range $i, $c := .P.Workload.Consumers}}{{if $i}}, {{end}}{{$c.Name}} ({{$c.Kind}}{{if gt $c.Count 1}} ×{{$c.Count}}{{end}}){{else}}none{{end}}</td></tr>
<tr><th class="l">deadline</th><td class="l">{{if .P.Workload.DeadlineMS}}{{.P.Workload.DeadlineMS}} ms{{else}}none{{end}}</td></tr>
<tr><th class="l">thresholds</th><td class="l">{{range $i, $t := .P.Thresholds}}{{if $i}}, {{end}}<code>{{$t}}</code>{{else}}none{{end}}</td></tr>
</table>

<h2>Layouts</h2>
<div class="scroll"><table><tr><th class="l">layout</th><th>hottest shard</th><th>acked records/s</th><th>throttled</th><th>e2e p50 ms</th><th>e2e p99 ms</th><th>on time</th><th>$/hour</th><th>$/month</th><th class="l">meets the needs?</th></tr>
{{range .Rows}}<tr{{if .Recommended}} class="rec"{{end}}><td class="l"><b>{{.Name}}</b>{{if .Recommended}} <span class="ok">recommended</span>{{end}}</td><td>{{.Hot}}</td><td>{{.Acked}}</td><td>{{.Throttle}}</td><td>{{.P50}}</td><td>{{.P99}}</td><td>{{.OnTime}}</td><td>{{.Hour}}</td><td>{{.Month}}</td><td class="l wrap">{{if .Meets}}<span class="ok">✔ yes</span>{{else}}<span class="no">✘</span> {{.Miss}}{{end}}</td></tr>
{{end}}</table></div>
{{with hotLine .P}}<p>{{.}}.</p>{{end}}
<p class="desc">A layout meets the needs when its predicted run passes the scenario's thresholds with under 1% of writes throttled, 99% of the rate acknowledged and, with a deadline, 99% of records on time. Costs are us-east-1 prices at the scenario's average rate: shard-hours or on-demand stream-hours, PUT payload units or GB in, and enhanced fan-out.</p>

{{with .Figure}}<h2>Plot</h2><div class="figs">{{template "figure" .}}</div>{{end}}

<h2>Cost lines</h2>
<table><tr><th class="l">layout</th><th class="l">billed per hour</th><th>quantity</th><th>price</th><th>USD</th></tr>
{{range .Rows}}{{$n := .Name}}{{range .Cost}}<tr><td class="l">{{$n}}</td><td class="l">{{.What}}</td><td>{{value .Quantity}}</td><td>{{value .PriceUSD}}</td><td>{{printf "%.4f" .USD}}</td></tr>
{{end}}{{end}}</table>

{{with .P.Notes}}<h2>Notes</h2><ul class="notes">{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}
<footer>kbench {{.P.KbenchVersion}} plan · generated {{.P.GeneratedAt.Format "2006-01-02 15:04:05 UTC"}}{{with .Figure}} · plot also as {{.File}}{{end}}</footer>
</main></body></html>
`))

// planMarkdown is plan.md.
func planMarkdown(p *results.Plan, plotted bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# kbench plan: %s\n\n> %s\n\n", textfmt.MDEscape(p.Scenario), p.Model)
	if p.Cell != "" {
		fmt.Fprintf(&b, "Matrix cell `%s` ([every cell](../plan.md)).\n\n", p.Cell)
	}
	fmt.Fprintf(&b, "**Recommendation: %s**\n\n%s\n\n", p.Recommendation, p.Reason)
	if p.Verify != "" {
		fmt.Fprintf(&b, "Run the recommended layout on the model for the scenario's whole duration:\n\n    %s\n\n", p.Verify)
	}
	w := p.Workload
	fmt.Fprintf(&b, "## Workload\n\n- peak rate: %s records/s, %s (mean record %.0f bytes with its key)\n- partition keys: %s\n",
		fmtRate(w.PeakRPS), fmtBytesPerS(w.PeakBytesPerS), w.MeanRecordBytes, w.Keys)
	if line := planSentLine(w); line != "" {
		fmt.Fprintf(&b, "- %s\n", line)
	}
	fmt.Fprintf(&b, "- minimum shards: %d on average (%d for records/s, %d for bytes/s); hottest shard there offered %s of its quota",
		w.MinShards, w.MinShardsRecords, w.MinShardsBytes, fmtPct(w.HotUseAtMin))
	if w.HotMinShards > 0 {
		fmt.Fprintf(&b, "; %d shards keep it within its quota\n", w.HotMinShards)
	} else {
		b.WriteString("; no shard count keeps it within its quota\n")
	}
	for _, pr := range w.Producers {
		fmt.Fprintf(&b, "- producer %s\n", pr)
	}
	if w.DeadlineMS > 0 {
		fmt.Fprintf(&b, "- deadline: %s ms\n", textfmt.Value(w.DeadlineMS))
	}
	fmt.Fprintf(&b, "- window: %g s per layout (%g s warmup), then up to %g s drain; planned in %.1f s\n\n",
		p.Window.DurationS, p.Window.WarmupS, p.Window.DrainS, p.ElapsedS)
	b.WriteString("## Layouts\n\n| | layout | hottest shard | acked records/s | throttled | e2e p50 ms | e2e p99 ms | on time | $/hour | $/month | misses |\n|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|\n")
	for _, r := range planRows(p) {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.Mark, textfmt.MDEscape(r.Name), r.Hot, r.Acked,
			r.Throttle, r.P50, r.P99, r.OnTime, r.Hour, r.Month, textfmt.MDEscape(r.Miss))
	}
	if line := planHotLine(p); line != "" {
		fmt.Fprintf(&b, "\n%s.\n", strings.ToUpper(line[:1])+line[1:])
	}
	if plotted {
		fmt.Fprintf(&b, "\n![cost and e2e p99 against the shard count](%s)\n", PlanPNGFile)
	}
	if len(p.Notes) > 0 {
		b.WriteString("\n## Notes\n\n")
		for _, n := range p.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}
	return b.String()
}
