// Package reports renders what a kbench run recorded (package results) for
// people: a text summary for the terminal, report.html and report.md with
// their plots, and side-by-side comparisons of several runs or matrix cells.
// It writes no data another step reads back; judging is package gate's.
package reports

import (
	"bytes"
	"fmt"
	"html/template"
	"path/filepath"

	"github.com/kbench/kbench/internal/textfmt"
	"github.com/kbench/kbench/results"
)

var funcs = template.FuncMap{"int": textfmt.Int, "ms": fmtMS, "value": textfmt.Value, "rate": fmtRate, "bps": fmtBytesPerS,
	"pct": fmtPct, "ratio": fmtRatio, "ns": fmtNs}

// figureTemplate draws one chart with its legend above it.
const figureTemplate = `{{define "figure"}}<figure{{if .Half}} class="half"{{end}}><figcaption>{{.Title}}</figcaption>
{{with .Legend}}<div class="legend">{{range .}}<span><i class="{{if .Shade}}shade{{else if .Dashed}}dash{{else}}solid{{end}}" style="--c:{{.Color}}"></i>{{.Name}}</span>{{end}}</div>{{end}}
{{.SVG}}</figure>
{{end}}`

// cardsTemplate draws a grid of key numbers.
const cardsTemplate = `{{define "cards"}}<div class="cards">{{range .}}<div class="card{{if .Bad}} bad{{end}}"><div class="k">{{.Key}}</div><div class="v">{{.Value}}</div>{{with .Sub}}<div class="s">{{.}}</div>{{end}}</div>{{end}}</div>{{end}}`

var runTemplate = template.Must(template.Must(template.Must(template.New("run").Funcs(funcs).Parse(figureTemplate)).Parse(cardsTemplate)).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>kbench {{.Verdict}}: {{.Label}}</title><style>{{.CSS}}</style></head>
<body><main>
<header>
<h1>{{.Label}} <span class="badge {{.VerdictCSS}}">{{.Verdict}}</span></h1>
{{with .Description}}<p class="desc">{{.}}</p>{{end}}
{{with .Model}}<p class="model-banner">{{.}}</p>{{end}}
<p class="meta">{{range $i, $m := .Meta}}{{if $i}} · {{end}}{{index $m 0}} <b>{{index $m 1}}</b>{{end}}</p>
</header>
{{range .Banners}}<section class="verdict fail"><div class="big">{{.}}</div></section>{{end}}
<section class="verdict {{.VerdictCSS}}"><div class="big">{{.Verdict}} · {{.VerdictLine}}</div>
{{with .Failed}}<ul>{{range .}}<li><code>{{.Expr}}</code> — {{if .NoData}}<b>no data</b>: {{.Error}}{{else if .Error}}<span class="no">error:</span> {{.Error}}{{else}}value <b>{{value .Value}}</b>{{end}}</li>{{end}}</ul>{{end}}
{{with .Errors}}<ul>{{range .}}<li class="no">{{.}}</li>{{end}}</ul>{{end}}
{{with .Bottleneck}}<p><b>Bottleneck:</b> {{.}}</p>{{end}}
{{if .Deadline}}<div class="deadline{{if .DeadlineMiss}} miss{{end}}"><div class="dl">{{.Deadline}}</div>
<div class="bar"><span style="width:{{.DeadlinePct}}"></span></div></div>{{end}}</section>

<h2>Key numbers <small class="desc">(measured window, after warmup)</small></h2>
{{template "cards" .KeyCards}}
{{with .Notes}}<ul class="notes">{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}

<h2>Plots</h2>
<div class="figs">{{range .Figures}}{{template "figure" .}}{{end}}</div>
{{with .Problems}}<ul class="notes">{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}

<h2>Records</h2>
{{template "cards" .Cards}}
<div style="height:10px"></div>
{{template "cards" .RateCards}}

{{with .Producers}}<h2>Producers <small class="desc">(record sizes in bytes, envelope included)</small></h2>
<table><tr><th class="l">producer</th><th>records</th><th>min</th><th>p50</th><th>p99</th><th>max</th><th>mean</th></tr>
{{range .}}<tr><td class="l"><b>{{.Name}}</b> <span class="sub">{{.Generator}}{{with .Format}}, {{.}}{{end}}</span></td><td>{{int .RecordBytes.Count}}</td><td>{{int .RecordBytes.Min}}</td><td>{{int .RecordBytes.P50}}</td><td>{{int .RecordBytes.P99}}</td><td>{{int .RecordBytes.Max}}</td><td>{{rate .RecordBytes.Mean}}</td></tr>
{{end}}</table>{{end}}

{{with .Consumers}}<h2>Consumers</h2>
<table><tr><th class="l">application</th><th>consumed</th><th>records/s</th><th>lost / dupes</th><th>e2e p50 ms</th><th>e2e p99 ms</th><th>on time</th><th>lag max ms</th><th>checkpoints / at risk max</th><th>throttled reads</th></tr>
{{range .}}<tr><td class="l wrap"><b>{{.Name}}</b> <span class="sub">{{.Kind}}{{if .Primary}}, primary{{end}}</span>{{with .Fallback}}<br><span class="sub warn">fallback: {{.}}</span>{{end}}</td><td>{{int .Consumed}}</td><td>{{rate .ConsumedRPS}}</td><td><span{{if .Lost}} class="no"{{end}}>{{int .Lost}}</span> / {{int .Duplicates}}</td><td>{{ms .E2E.P50}}</td><td>{{ms .E2E.P99}}</td><td>{{.OnTime}}</td><td>{{int .MillisBehindMax}}</td><td>{{int .Checkpoints}} / {{int .AtRiskMax}}</td><td>{{int .Throttled}}</td></tr>
{{end}}</table>{{end}}

{{with .Destinations}}<h2>Destinations <small class="desc">(the application under test's outputs; latency from each input's intended send time)</small></h2>
<table><tr><th class="l">destination</th><th>outputs</th><th>expected</th><th>missing</th><th>unexpected / dupes</th><th>recall</th><th>precision</th><th>outputs/s</th><th>e2e p50 ms</th><th>e2e p99 ms</th><th>application p99 ms</th><th>on time</th></tr>
{{range .}}<tr><td class="l wrap"><b>{{.Name}}</b> <span class="sub">{{.Kind}}, {{.Expect}}; {{.Correlation}}</span></td><td>{{int .Outputs}}</td><td>{{int .Expected}}{{with .Unmeasured}}<br><span class="sub">+{{int .}} unmeasured</span>{{end}}</td><td><span{{if .Missing}} class="no"{{end}}>{{int .Missing}}</span></td><td>{{int .Unexpected}} / {{int .Duplicates}}</td><td>{{.Cells.Recall}}</td><td>{{.Cells.Precision}}</td><td>{{rate .OutputsRPS}}</td><td>{{.Cells.E2EP50}}</td><td>{{.Cells.E2EP99}}</td><td>{{.Cells.AppP99}}</td><td>{{.Cells.OnTime}}</td></tr>
{{end}}</table>{{end}}

{{with .Shards}}<h2>Shards <small class="desc">({{len .}}; hot shards marked red: most throttled, or over 1.5× the mean)</small></h2>
{{if $.ShardsFolded}}<details><summary>every shard's figures, {{len .}} rows (the per-shard plot names the busiest and the most throttled)</summary>{{end}}<div class="scroll"><table><tr><th class="l">shard</th><th>records</th><th>bytes</th><th>records/s</th><th>Kinesis records/s</th><th>bytes/s</th><th>quota use: records / bytes</th><th>throttled</th><th>throttle ratio</th><th>consumed</th><th>e2e p99 ms</th></tr>
{{range .}}<tr{{if .Hot}} class="hot"{{end}}><td class="l"><code>{{.ShardID}}</code>{{if .Hot}} <span class="no">hot</span>{{end}}{{if .Closed}} <span class="sub">closed</span>{{end}}</td><td>{{int .Records}}</td><td>{{int .Bytes}}</td><td>{{rate .RecordsPerS}}</td><td>{{rate .KinesisRecordsPerS}}</td><td>{{bps .BytesPerS}}</td><td>{{pct .RecordQuotaUse}} / {{pct .ByteQuotaUse}}{{with .Binding}} <span class="sub">{{.}} bind</span>{{end}}</td><td>{{int .Throttled}}</td><td>{{ratio .ThrottleRatio}}</td><td>{{int .Consumed}}</td><td>{{ms .E2E.P99}}</td></tr>
{{end}}</table></div>{{if $.ShardsFolded}}</details>{{end}}{{end}}

{{with .Packing}}<h2>Packing <small class="desc">(user records into Kinesis records: aggregation and compression)</small></h2>
<table><tr><th class="l">producer</th><th class="l">packing</th><th>user records</th><th>Kinesis records</th><th>bytes/record raw</th><th>sent</th><th>ratio</th><th>encode per record</th></tr>
{{range .}}<tr><td class="l"><b>{{.Name}}</b></td><td class="l">{{.Text}}</td><td>{{int .Records}}</td><td>{{int .KinesisRecords}}</td><td>{{printf "%.0f" .BytesPerRecordRaw}}</td><td>{{printf "%.0f" .BytesPerRecordSent}}</td><td>{{printf "%.2f" .CompressionRatio}}</td><td>{{ns .EncodeNsPerRecord}}</td></tr>
{{end}}</table>{{end}}

{{with .Events}}<h2>Events</h2>
<table><tr><th class="l">event</th><th>at</th><th class="l">action</th><th class="l">what changed</th><th class="l">result</th></tr>
{{range .}}<tr><td class="l"><b>{{.Label}}</b></td><td>{{.At}}</td><td class="l"><code>{{.Action}}</code></td><td class="l wrap">{{.Detail}}</td><td class="l wrap">{{if .OK}}<span class="ok">✔ done</span>{{else}}<span class="no">✘ failed</span> {{.Error}}{{end}}</td></tr>
{{end}}</table>{{end}}

{{with .Latency}}<h2>Latency (ms)</h2>
<table><tr><th class="l">histogram</th><th class="l">measures</th><th>count</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>mean</th></tr>
{{range .}}<tr><td class="l"><code>{{.Name}}</code></td><td class="l"><span class="sub">{{.Desc}}</span></td><td>{{int .Count}}</td>{{if .Count}}<td>{{ms .P50}}</td><td>{{ms .P90}}</td><td>{{ms .P99}}</td><td>{{ms .P999}}</td><td>{{ms .Max}}</td><td>{{ms .Mean}}</td>{{else}}<td colspan="6">no data</td>{{end}}</tr>
{{end}}</table>{{end}}

<h2>Thresholds</h2>
{{if .Thresholds}}<table><tr><th class="l">result</th><th class="l">expression</th><th>value</th></tr>
{{range .Thresholds}}<tr><td class="l">{{if .OK}}<span class="ok">✔ pass</span>{{else}}<span class="no">✘ fail</span>{{end}}</td><td class="l"><code>{{.Expr}}</code></td><td>{{if .NoData}}<b>no data</b>{{else if .Error}}<span class="no">error:</span> {{.Error}}{{else}}{{value .Value}}{{end}}</td></tr>
{{end}}</table>{{else}}<p class="desc">The scenario sets no thresholds.</p>{{end}}

<h2>Configuration</h2>
<table>{{range .Config}}<tr><th class="l">{{index . 0}}</th><td class="l wrap">{{index . 1}}</td></tr>{{end}}</table>
<details><summary>Resolved scenario</summary><pre>{{.ScenarioJSON}}</pre></details>
<footer>kbench report for run {{.RunID}} · rendered {{.Generated}} · latency from HdrHistogram (1 µs resolution, 3 significant digits){{with .PNGs}} · plots also as {{range $i, $f := .}}{{if $i}}, {{end}}{{$f}}{{end}}{{end}}</footer>
</main></body></html>
`))

// File names of a run's report, written into its results directory.
const (
	HTMLFile     = "report.html"
	MarkdownFile = "report.md"
)

// Render reads a results directory (summary.json, and timeseries.csv and
// *.hlog when present) and writes report.html, report.md and one PNG per
// plot (latency-distribution.png, throughput.png, …) into it.
func Render(dir string) error {
	r, err := results.LoadRun(dir)
	if err != nil {
		return err
	}
	page, figs, err := newRunPage(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := runTemplate.Execute(&buf, page); err != nil {
		return fmt.Errorf("reports: render %s: %w", HTMLFile, err)
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, HTMLFile), buf.Bytes()); err != nil {
		return err
	}
	if err := figs.writePNGs(dir); err != nil {
		return err
	}
	if err := removeStalePNGs(dir, figs, runPNGs); err != nil {
		return err
	}
	return results.WriteFileAtomic(filepath.Join(dir, MarkdownFile), []byte(markdown(r.Summary, r.Rows)))
}
