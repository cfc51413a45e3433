package reports

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/kbench/kbench/internal/textfmt"
	"github.com/kbench/kbench/results"
)

// RenderPlanMatrix writes plan.md and plan.html for a matrix plan into
// dir: the summary across the cells, each row linking to the cell's own
// plan (written by RenderPlan into its directory).
func RenderPlanMatrix(pm *results.PlanMatrix, dir string) error {
	var html bytes.Buffer
	page := planMatrixPage{CSS: template.CSS(pageCSS), M: pm, Rows: planCellRows(pm)}
	if err := planMatrixTemplate.Execute(&html, page); err != nil {
		return fmt.Errorf("reports: plan page: %w", err)
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, PlanHTMLFile), html.Bytes()); err != nil {
		return err
	}
	return results.WriteFileAtomic(filepath.Join(dir, PlanMarkdownFile), []byte(planMatrixMarkdown(pm)))
}

// WritePlanMatrixText writes a matrix plan's summary and a table of its
// cells to w, for the terminal.
func WritePlanMatrixText(w io.Writer, pm *results.PlanMatrix) {
	fmt.Fprintf(w, "kbench plan %s: %s\n", pm.Scenario, pm.Recommendation)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "  cells by %s\n", strings.Join(pm.Axes, ", "))
	fmt.Fprintln(tw, "  \tcell\tpeak records/s\tmin shards\trecommended\thot shard\te2e p99 ms\t$/hour\t$/month\t")
	for _, r := range planCellRows(pm) {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.Mark, r.Cell, r.Peak, r.MinShards, r.Layout, r.Hot, r.P99, r.Hour, r.Month)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "  (▲ the most shards; $ the cheapest; ✘ no layout tried meets the cell's needs) %s\n", pm.Model)
	for _, n := range pm.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
}

// planCellRow is one cell of a matrix plan, formatted.
type planCellRow struct {
	Mark, Cell, Dir, Peak, MinShards, Layout, Hot, P99, Hour, Month, Reason string
	Meets, Most, Cheapest                                                   bool
}

func planCellRows(pm *results.PlanMatrix) []planCellRow {
	var rows []planCellRow
	for i, c := range pm.Cells {
		p := c.Plan
		r := planCellRow{Cell: strings.Join(c.Values, ", "), Dir: c.Dir, Peak: fmtRate(p.Workload.PeakRPS),
			MinShards: strconv.Itoa(p.Workload.MinShards), Layout: "none meets", Hot: "-", P99: "-", Hour: "-", Month: "-",
			Reason: p.Reason, Most: i == pm.MostShards, Cheapest: i == pm.Cheapest, Meets: p.Recommended >= 0}
		var marks []string
		if r.Most {
			marks = append(marks, "▲")
		}
		if r.Cheapest {
			marks = append(marks, "$")
		}
		if !r.Meets {
			marks = append(marks, "✘")
		}
		r.Mark = strings.Join(marks, "")
		if r.Meets {
			l := p.Layouts[p.Recommended]
			r.Layout, r.Hour, r.Month = l.Name, planUSD(l.USDPerHour), planUSD(l.USDPerMonth)
			if l.Shards > 0 {
				r.Hot = fmtPct(l.HotUse)
			}
			if l.Measured {
				r.P99 = strconv.FormatFloat(l.E2EP99MS, 'f', 0, 64)
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// planMatrixPage is what a matrix plan's plan.html shows.
type planMatrixPage struct {
	CSS  template.CSS
	M    *results.PlanMatrix
	Rows []planCellRow
}

var planMatrixTemplate = template.Must(template.New("plan-matrix").Funcs(template.FuncMap{"link": planCellLink}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>kbench plan: {{.M.Scenario}}</title><style>{{.CSS}}</style></head>
<body><main>
<header>
<h1>Plan for {{.M.Scenario}}: {{len .M.Cells}} matrix cells</h1>
<p class="model-banner">{{.M.Model}}</p>
<p class="meta">source <b>{{.M.Source}}</b> · the workload varies in {{range $i, $a := .M.Axes}}{{if $i}}, {{end}}<code>{{$a}}</code>{{end}} · planned in <b>{{printf "%.1f" .M.ElapsedS}} s</b></p>
</header>
<section class="verdict{{if lt .M.Cheapest 0}} fail{{end}}"><div class="big">{{.M.Recommendation}}</div>
<p>Each cell is a workload of its own, planned as <code>kbench plan</code> plans a scenario without a matrix; its page has every layout tried, the plot and the cost lines.</p></section>

<h2>Cells</h2>
<div class="scroll"><table><tr><th class="l">{{range $i, $a := .M.Axes}}{{if $i}}, {{end}}{{$a}}{{end}}</th><th>peak records/s</th><th>minimum shards</th><th class="l">recommended</th><th>hottest shard</th><th>e2e p99 ms</th><th>$/hour</th><th>$/month</th><th class="l">why</th></tr>
{{range .Rows}}<tr{{if .Most}} class="hot"{{else if .Cheapest}} class="pick"{{end}}><td class="l wrap"><a href="{{link .Dir}}"><b>{{.Cell}}</b></a>{{if .Most}} <span class="no">most shards</span>{{end}}{{if .Cheapest}} <span class="ok">cheapest</span>{{end}}</td><td>{{.Peak}}</td><td>{{.MinShards}}</td><td class="l">{{if .Meets}}<b>{{.Layout}}</b>{{else}}<span class="no">✘ {{.Layout}}</span>{{end}}</td><td>{{.Hot}}</td><td>{{.P99}}</td><td>{{.Hour}}</td><td>{{.Month}}</td><td class="l wrap"><details><summary>reason</summary>{{.Reason}}</details></td></tr>
{{end}}</table></div>
<p class="desc">The minimum is the fewest shards whose write quotas add up to the cell's peak; the recommended layout is the cheapest the model predicts meets the cell's needs (thresholds, under 1% throttled, 99% acknowledged, the hottest shard's headroom and, with a deadline, 99% on time).</p>

{{with .M.Notes}}<h2>Notes</h2><ul class="notes">{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}
<footer>kbench {{.M.KbenchVersion}} plan · generated {{.M.GeneratedAt.Format "2006-01-02 15:04:05 UTC"}}</footer>
</main></body></html>
`))

// planCellLink is the relative address of a cell's plan.html.
func planCellLink(dir string) string {
	return path.Join(filepath.ToSlash(dir), PlanHTMLFile)
}

// planMatrixMarkdown is a matrix plan's plan.md.
func planMatrixMarkdown(pm *results.PlanMatrix) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# kbench plan: %s (%d matrix cells)\n\n> %s\n\n", textfmt.MDEscape(pm.Scenario), len(pm.Cells), pm.Model)
	fmt.Fprintf(&b, "**%s**\n\n", textfmt.MDEscape(pm.Recommendation))
	fmt.Fprintf(&b, "| | %s | peak records/s | minimum shards | recommended | hottest shard | e2e p99 ms | $/hour | $/month |\n|---|---|--:|--:|---|--:|--:|--:|--:|\n", textfmt.MDEscape(strings.Join(pm.Axes, ", ")))
	for _, r := range planCellRows(pm) {
		fmt.Fprintf(&b, "| %s | [%s](%s) | %s | %s | %s | %s | %s | %s | %s |\n", r.Mark, textfmt.MDEscape(r.Cell), planCellLink(r.Dir),
			r.Peak, r.MinShards, textfmt.MDEscape(r.Layout), r.Hot, r.P99, r.Hour, r.Month)
	}
	b.WriteString("\n▲ the most shards; $ the cheapest; ✘ no layout tried meets the cell's needs. Each cell's plan.md has its layouts and reason.\n\n## Per cell\n\n")
	for _, r := range planCellRows(pm) {
		fmt.Fprintf(&b, "- **%s**: %s\n", textfmt.MDEscape(r.Cell), r.Reason)
	}
	if len(pm.Notes) > 0 {
		b.WriteString("\n## Notes\n\n")
		for _, n := range pm.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}
	return b.String()
}
