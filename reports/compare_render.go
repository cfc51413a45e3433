package reports

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/kbench/kbench/internal/textfmt"
)

var compareTemplate = template.Must(template.Must(template.New("compare").Parse(figureTemplate)).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title><style>{{.CSS}}</style></head>
<body><main>
<h1>{{.Title}}</h1>
<p class="meta">{{len .Rows}} configurations{{if .Repeats}} · medians of the repeats, spread (min–max) below each{{end}} · best of each column <span class="best">&nbsp;★ green&nbsp;</span>, worst <span class="worst">&nbsp;▼ red&nbsp;</span></p>
<section class="verdict {{if .Recommended}}pass{{else}}fail{{end}}"><div class="big">Recommendation</div><p>{{.Recommendation}}</p></section>
<h2>Key numbers</h2>
<div class="scroll"><table class="cmp"><tr><th class="l">configuration</th><th class="l">verdict</th>{{range .Columns}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr{{if eq .Label $.Recommended}} class="pick"{{end}}><td class="l cfg" title="{{.Dir}}"><b>{{.Label}}</b>{{if gt .Runs 1}} <span class="sub">({{.Runs}} runs)</span>{{end}}<br><span class="sub">{{.DirName}}</span></td><td class="l"><span class="badge {{.VerdictCSS}}">{{.Verdict}}</span>{{with .VerdictSub}}<br><span class="sub">{{.}}</span>{{end}}</td>{{range .Cells}}<td{{if .Best}} class="best"{{else if .Worst}} class="worst"{{end}}>{{.Text}}{{if .Best}} ★{{else if .Worst}} ▼{{end}}{{with .Spread}}<br><span class="sub">{{.}}</span>{{end}}</td>{{end}}</tr>
{{end}}</table></div>
<h2>Ranking</h2>
<table class="rank"><tr><th class="l">by</th><th class="l">best first</th></tr>
{{range .Rankings}}<tr><td class="l"><b>{{.Title}}</b><br><span class="sub">{{.Better}} is better</span></td><td class="l wrap">{{range $i, $e := .Entries}}{{if $i}} <span class="sub">›</span> {{end}}<span class="chip">{{$e.Label}} <b>{{$e.Value}}</b></span>{{end}}</td></tr>
{{end}}</table>
<h2>Plots</h2>
<div class="figs">{{range .Figures}}{{template "figure" .}}{{end}}</div>
{{with .Problems}}<ul class="notes">{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}
<footer>kbench comparison · rendered {{.Generated}}</footer>
</main></body></html>
`))

// comparisonMarkdown renders comparison.md.
func comparisonMarkdown(c *comparison) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n**Recommendation:** %s\n\n", textfmt.MDEscape(c.Title), textfmt.MDEscape(c.Recommendation))
	b.WriteString("★ best, ▼ worst of each column.")
	if c.Repeats {
		b.WriteString(" Medians of the repeats, (min–max) after them.")
	}
	b.WriteString("\n\n| configuration | verdict |")
	for _, col := range c.Columns {
		fmt.Fprintf(&b, " %s |", col)
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---:|", len(c.Columns)) + "\n")
	for _, r := range c.Rows {
		v := r.Verdict
		if r.VerdictSub != "" {
			v += " (" + r.VerdictSub + ")"
		}
		fmt.Fprintf(&b, "| %s | %s |", textfmt.MDEscape(r.Label), v)
		for _, cell := range r.Cells {
			text := cell.Text
			if cell.Spread != "" {
				text += " (" + cell.Spread + ")"
			}
			switch {
			case cell.Best:
				fmt.Fprintf(&b, " **%s** ★ |", text)
			case cell.Worst:
				fmt.Fprintf(&b, " %s ▼ |", text)
			default:
				fmt.Fprintf(&b, " %s |", text)
			}
		}
		b.WriteString("\n")
	}
	if len(c.Rankings) > 0 {
		b.WriteString("\n### Ranking\n\n")
		for _, rk := range c.Rankings {
			var parts []string
			for _, e := range rk.Entries {
				parts = append(parts, textfmt.MDEscape(e.Label)+" "+e.Value)
			}
			fmt.Fprintf(&b, "- **%s** (%s is better): %s\n", rk.Title, rk.Better, strings.Join(parts, " › "))
		}
	}
	if len(c.Problems) > 0 {
		b.WriteString("\n")
		for _, p := range c.Problems {
			fmt.Fprintf(&b, "- %s\n", textfmt.MDEscape(p))
		}
	}
	return b.String()
}
