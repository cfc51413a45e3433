package reports

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kbench/kbench/metrics"
)

// Comparison file names.
const (
	ComparisonHTMLFile     = "comparison.html"
	ComparisonMarkdownFile = "comparison.md"
)

// direction says which way a comparison column gets better.
type direction int

const (
	neutral direction = iota
	higherBetter
	lowerBetter
)

// compareColumn is one key number of the comparison table.
type compareColumn struct {
	title  string
	metric string // a Lookup path
	dir    direction
	format func(float64) string
}

var compareColumns = []compareColumn{
	{"shards", "config.shards", neutral, fmtValue},
	{"target rec/s", "throughput.target_rps", neutral, fmtRate},
	{"acked rec/s", "throughput.acked_rps", higherBetter, fmtRate},
	{"consumed rec/s", "throughput.consumed_rps", higherBetter, fmtRate},
	{"throttled", "totals.throttled", lowerBetter, fmtValue},
	{"failed", "totals.failed", lowerBetter, fmtValue},
	{"lost", "totals.lost", lowerBetter, fmtValue},
	{"e2e p50 ms", "latency.e2e.p50_ms", lowerBetter, fmtMS},
	{"e2e p99 ms", "latency.e2e.p99_ms", lowerBetter, fmtMS},
	{"e2e p99.9 ms", "latency.e2e.p999_ms", lowerBetter, fmtMS},
	{"e2e max ms", "latency.e2e.max_ms", lowerBetter, fmtMS},
	{"put p99 ms", "latency.put.p99_ms", lowerBetter, fmtMS},
	{"within deadline", "deadline.on_time_ratio", higherBetter, fmtPct},
}

// compareCell is one value of the comparison table.
type compareCell struct {
	Text        string
	Best, Worst bool
}

// compareRow is one run of the comparison table.
type compareRow struct {
	Label, Dir, Verdict, VerdictCSS string
	Cells                           []compareCell
}

// comparison is what comparison.html and comparison.md show.
type comparison struct {
	CSS       template.CSS
	Title     string
	Columns   []string
	Rows      []compareRow
	Figures   []figure
	Problems  []string
	Generated string
}

// RenderComparison reads several results directories (for example the
// cells of a matrix: shards=1,2,4) and writes comparison.html and
// comparison.md into outDir: one row per run with its key numbers, the best
// and worst of each column marked, and overlaid plots.
func RenderComparison(dirs []string, outDir string) error {
	if len(dirs) == 0 {
		return errors.New("reports: comparison needs at least one results directory")
	}
	var runs []*results
	for _, d := range dirs {
		r, err := loadResults(d)
		if err != nil {
			return err
		}
		runs = append(runs, r)
	}
	c := buildComparison(runs)
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	var buf bytes.Buffer
	if err := compareTemplate.Execute(&buf, c); err != nil {
		return fmt.Errorf("reports: render %s: %w", ComparisonHTMLFile, err)
	}
	if err := writeFileAtomic(filepath.Join(outDir, ComparisonHTMLFile), buf.Bytes()); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(outDir, ComparisonMarkdownFile), []byte(comparisonMarkdown(c)))
}

// runLabels names each run for the table and legends: the matrix cell when
// there is one, made unique with the directory name when needed.
func runLabels(runs []*results) []string {
	labels := make([]string, len(runs))
	seen := map[string]int{}
	for i, r := range runs {
		labels[i] = r.summary.Config.Cell
		if labels[i] == "" {
			labels[i] = runLabel(r.summary)
		}
		seen[labels[i]]++
	}
	for i, r := range runs {
		if seen[labels[i]] > 1 {
			labels[i] += " (" + filepath.Base(r.dir) + ")"
		}
	}
	return labels
}

// buildComparison fills the table and draws the overlaid plots.
func buildComparison(runs []*results) *comparison {
	labels := runLabels(runs)
	c := &comparison{CSS: template.CSS(pageCSS), Generated: time.Now().UTC().Format(time.RFC3339)}
	names := map[string]bool{}
	for _, r := range runs {
		names[r.summary.Config.Name] = true
	}
	c.Title = "kbench comparison"
	if len(names) == 1 && runs[0].summary.Config.Name != "" {
		c.Title += ": " + runs[0].summary.Config.Name
	}
	for _, col := range compareColumns {
		c.Columns = append(c.Columns, col.title)
	}
	vals := make([][]float64, len(runs))
	have := make([][]bool, len(runs))
	for i, r := range runs {
		m := r.summary.metrics()
		row := compareRow{Label: labels[i], Dir: r.dir, Verdict: verdictWord(r.summary.Verdict), VerdictCSS: verdictCSS(r.summary.Verdict)}
		for _, col := range compareColumns {
			v, ok := m[col.metric]
			vals[i], have[i] = append(vals[i], v), append(have[i], ok)
			text := "–"
			if ok {
				text = col.format(v)
			}
			row.Cells = append(row.Cells, compareCell{Text: text})
		}
		c.Rows = append(c.Rows, row)
	}
	markExtremes(c.Rows, vals, have)

	var fs figureSet
	var acked, p99, curves []series
	for i, r := range runs {
		col := palette[i%len(palette)]
		acked = append(acked, series{name: labels[i], color: col,
			xys: column(r.rows, false, func(r Row) float64 { return float64(r.Acked) })})
		p99 = append(p99, series{name: labels[i], color: col,
			xys: column(r.rows, true, func(r Row) float64 { return r.E2EP99 })})
		curves = append(curves, series{name: labels[i], color: col, xys: percentileCurve(r.hists[metrics.LatE2E])})
		for _, m := range r.missing {
			c.Problems = append(c.Problems, labels[i]+": "+m)
		}
	}
	ch, err := linePlot("Acknowledged throughput per run", timeAxis, "records/s", acked, lineOpts{timeX: true})
	fs.add("Acknowledged throughput per run", false, ch, err)
	ch, err = linePlot("End-to-end p99 latency per second, per run", timeAxis, "e2e p99 (ms)", p99, lineOpts{timeX: true})
	fs.add("e2e p99 per run", false, ch, err)
	ch, err = linePlot("End-to-end latency by percentile, per run", "percentile", "e2e latency (ms)", curves, lineOpts{logX: true})
	fs.add("e2e percentile distribution per run", false, ch, err)
	c.Figures, c.Problems = fs.figs, append(c.Problems, fs.problems...)
	return c
}

// markExtremes marks the best and worst value of each directed column, when
// at least two runs have it and they differ.
func markExtremes(rows []compareRow, vals [][]float64, have [][]bool) {
	for j, col := range compareColumns {
		if col.dir == neutral {
			continue
		}
		best, worst, n := -1, -1, 0
		better := func(a, b float64) bool {
			if col.dir == higherBetter {
				return a > b
			}
			return a < b
		}
		for i := range rows {
			if !have[i][j] {
				continue
			}
			n++
			if best < 0 || better(vals[i][j], vals[best][j]) {
				best = i
			}
			if worst < 0 || better(vals[worst][j], vals[i][j]) {
				worst = i
			}
		}
		if n < 2 || vals[best][j] == vals[worst][j] {
			continue
		}
		rows[best].Cells[j].Best = true
		rows[worst].Cells[j].Worst = true
	}
}

var compareTemplate = template.Must(template.Must(template.New("compare").Parse(figureTemplate)).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title><style>{{.CSS}}</style></head>
<body><main>
<h1>{{.Title}}</h1>
<p class="meta">{{len .Rows}} runs · best of each column <span class="best">&nbsp;★ green&nbsp;</span>, worst <span class="worst">&nbsp;▼ red&nbsp;</span></p>
<h2>Key numbers</h2>
<div style="overflow-x:auto"><table class="cmp"><tr><th class="l">run</th><th class="l">verdict</th>{{range .Columns}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr><td class="l"><b>{{.Label}}</b><br><span class="sub">{{.Dir}}</span></td><td class="l"><span class="badge {{.VerdictCSS}}">{{.Verdict}}</span></td>{{range .Cells}}<td{{if .Best}} class="best"{{else if .Worst}} class="worst"{{end}}>{{.Text}}{{if .Best}} ★{{else if .Worst}} ▼{{end}}</td>{{end}}</tr>
{{end}}</table></div>
<h2>Plots</h2>
<div class="figs">{{range .Figures}}{{template "figure" .}}{{end}}</div>
{{with .Problems}}<ul class="notes">{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}
<footer>kbench comparison · rendered {{.Generated}}</footer>
</main></body></html>
`))

// comparisonMarkdown renders comparison.md.
func comparisonMarkdown(c *comparison) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n★ best, ▼ worst of each column.\n\n| run | verdict |", mdEscape(c.Title))
	for _, col := range c.Columns {
		fmt.Fprintf(&b, " %s |", col)
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---:|", len(c.Columns)) + "\n")
	for _, r := range c.Rows {
		fmt.Fprintf(&b, "| %s | %s |", mdEscape(r.Label), r.Verdict)
		for _, cell := range r.Cells {
			switch {
			case cell.Best:
				fmt.Fprintf(&b, " **%s** ★ |", cell.Text)
			case cell.Worst:
				fmt.Fprintf(&b, " %s ▼ |", cell.Text)
			default:
				fmt.Fprintf(&b, " %s |", cell.Text)
			}
		}
		b.WriteString("\n")
	}
	if len(c.Problems) > 0 {
		b.WriteString("\n")
		for _, p := range c.Problems {
			fmt.Fprintf(&b, "- %s\n", mdEscape(p))
		}
	}
	return b.String()
}
