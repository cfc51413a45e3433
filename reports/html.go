package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"path/filepath"
	"time"
)

// pageCSS styles every kbench page. Inline: reports open from disk or a CI
// artifact with no network.
const pageCSS = `
:root { --fg:#1d2330; --muted:#5b6475; --line:#dde1e8; --bg:#f6f7f9; --pass:#1e7e34; --fail:#c0392b; --warn:#9a6700; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 -apple-system, "Segoe UI", "Liberation Sans", Arial, Helvetica, sans-serif; color:var(--fg); background:var(--bg); }
main { max-width:1180px; margin:0 auto; padding:24px 28px 48px; }
h1 { font-size:26px; margin:0; display:flex; align-items:center; gap:14px; flex-wrap:wrap; }
h2 { font-size:19px; margin:34px 0 12px; padding-bottom:6px; border-bottom:1px solid var(--line); }
.desc { color:var(--muted); margin:6px 0 0; font-size:16px; }
.meta { color:var(--muted); margin:10px 0 0; font-size:13.5px; }
.meta b { color:var(--fg); font-weight:600; }
.badge { display:inline-block; padding:3px 12px; border-radius:14px; color:#fff; font-size:15px; font-weight:700; letter-spacing:.06em; }
.badge.pass { background:var(--pass); } .badge.fail { background:var(--fail); } .badge.none { background:var(--muted); }
.deadline { margin:22px 0 4px; padding:18px 22px; background:#fff; border:1px solid var(--line); border-left:6px solid var(--pass); border-radius:6px; }
.deadline.miss { border-left-color:var(--fail); }
.deadline .big { font-size:30px; font-weight:700; }
.deadline .bar { height:10px; background:#f1d5d1; border-radius:5px; margin-top:10px; overflow:hidden; }
.deadline .bar span { display:block; height:100%; background:var(--pass); }
.cards { display:grid; grid-template-columns:repeat(auto-fill, minmax(165px, 1fr)); gap:10px; }
.card { background:#fff; border:1px solid var(--line); border-radius:6px; padding:10px 14px; }
.card .k { color:var(--muted); font-size:12.5px; text-transform:uppercase; letter-spacing:.04em; }
.card .v { font-size:22px; font-weight:650; font-variant-numeric:tabular-nums; }
.card .s { color:var(--muted); font-size:12.5px; overflow-wrap:anywhere; }
.card.bad { border-color:#e8b4ad; background:#fdf3f2; } .card.bad .v { color:var(--fail); }
table { border-collapse:collapse; background:#fff; border:1px solid var(--line); width:100%; font-variant-numeric:tabular-nums; }
th, td { padding:6px 10px; border-bottom:1px solid var(--line); text-align:right; white-space:nowrap; }
th { background:#eef0f4; font-size:13px; } tr:last-child td { border-bottom:none; }
td.l, th.l { text-align:left; } td.wrap { white-space:normal; }
td .sub { color:var(--muted); font-size:12.5px; }
code { font:13px ui-monospace, "Liberation Mono", Menlo, Consolas, monospace; }
.ok { color:var(--pass); font-weight:700; } .no { color:var(--fail); font-weight:700; }
table.cmp { font-size:13.5px; } table.cmp th { white-space:normal; vertical-align:bottom; } table.cmp th, table.cmp td { padding:6px 7px; }
.best { background:#e3f4e6; } .worst { background:#fbe4e1; }
.notes { background:#fffbea; border:1px solid #eedc9a; border-radius:6px; padding:10px 16px 10px 34px; margin:14px 0 0; }
.errors { background:#fdf3f2; border:1px solid #e8b4ad; border-radius:6px; padding:10px 16px 10px 34px; margin:14px 0 0; }
.figs { display:flex; flex-wrap:wrap; gap:14px; }
figure { margin:0; background:#fff; border:1px solid var(--line); border-radius:6px; padding:8px; flex:1 1 100%; }
figure.half { flex:1 1 calc(50% - 7px); min-width:420px; }
figure svg { width:100%; height:auto; display:block; }
figcaption { text-align:center; font-weight:650; font-size:15px; margin:2px 0 4px; }
.legend { display:flex; flex-wrap:wrap; justify-content:center; gap:4px 18px; font-size:13px; color:var(--muted); margin:0 0 -2px; }
.legend i { display:inline-block; width:24px; height:0; vertical-align:middle; margin-right:6px; border-top:3px solid var(--c); }
.legend i.dash { border-top-style:dashed; }
.legend i.shade { height:12px; border:1px solid #bbb; background:var(--c); }
details { margin-top:12px; } summary { cursor:pointer; color:var(--muted); }
pre { background:#fff; border:1px solid var(--line); padding:12px; overflow:auto; font-size:12.5px; }
footer { color:var(--muted); font-size:12.5px; margin-top:36px; }
`

// card is one key number.
type card struct {
	Key, Value, Sub string
	Bad             bool
}

// runPage is what report.html shows.
type runPage struct {
	CSS                 template.CSS
	Label, Description  string
	Verdict, VerdictCSS string
	Meta                [][2]string
	Deadline            string
	DeadlinePct         string // bar width, "97.3%"
	DeadlineMiss        bool
	Cards, RateCards    []card
	Latency             []latencyRow
	Thresholds          []ThresholdResult
	Notes, Errors       []string
	Figures             []figure
	Problems            []string
	Shards              []ShardStats
	ScenarioJSON        string
	Generated, RunID    string
}

// latencyRow is one histogram in the latency table.
type latencyRow struct {
	Name, Desc string
	LatencyStats
}

var funcs = template.FuncMap{"int": fmtInt, "ms": fmtMS, "value": fmtValue, "rate": fmtRate, "bps": fmtBytesPerS}

// figureTemplate draws one chart with its legend above it.
const figureTemplate = `{{define "figure"}}<figure{{if .Half}} class="half"{{end}}><figcaption>{{.Title}}</figcaption>
{{with .Legend}}<div class="legend">{{range .}}<span><i class="{{if .Shade}}shade{{else if .Dashed}}dash{{else}}solid{{end}}" style="--c:{{.Color}}"></i>{{.Name}}</span>{{end}}</div>{{end}}
{{.SVG}}</figure>
{{end}}`

var runTemplate = template.Must(template.Must(template.New("run").Funcs(funcs).Parse(figureTemplate)).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>kbench {{.Verdict}}: {{.Label}}</title><style>{{.CSS}}</style></head>
<body><main>
<header>
<h1>{{.Label}} <span class="badge {{.VerdictCSS}}">{{.Verdict}}</span></h1>
{{with .Description}}<p class="desc">{{.}}</p>{{end}}
<p class="meta">{{range $i, $m := .Meta}}{{if $i}} · {{end}}{{index $m 0}} <b>{{index $m 1}}</b>{{end}}</p>
{{with .Errors}}<ul class="errors">{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{with .Notes}}<ul class="notes">{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}
</header>
{{if .Deadline}}<section class="deadline{{if .DeadlineMiss}} miss{{end}}"><div class="big">{{.Deadline}}</div>
<div class="bar"><span style="width:{{.DeadlinePct}}"></span></div></section>{{end}}

<h2>Records</h2>
<div class="cards">{{range .Cards}}<div class="card{{if .Bad}} bad{{end}}"><div class="k">{{.Key}}</div><div class="v">{{.Value}}</div>{{with .Sub}}<div class="s">{{.}}</div>{{end}}</div>{{end}}</div>
<h2>Throughput <small class="desc">(measured window, after warmup)</small></h2>
<div class="cards">{{range .RateCards}}<div class="card{{if .Bad}} bad{{end}}"><div class="k">{{.Key}}</div><div class="v">{{.Value}}</div>{{with .Sub}}<div class="s">{{.}}</div>{{end}}</div>{{end}}</div>

{{with .Latency}}<h2>Latency (ms)</h2>
<table><tr><th class="l">histogram</th><th class="l">measures</th><th>count</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>mean</th></tr>
{{range .}}<tr><td class="l"><code>{{.Name}}</code></td><td class="l"><span class="sub">{{.Desc}}</span></td><td>{{int .Count}}</td><td>{{ms .P50}}</td><td>{{ms .P90}}</td><td>{{ms .P99}}</td><td>{{ms .P999}}</td><td>{{ms .Max}}</td><td>{{ms .Mean}}</td></tr>
{{end}}</table>{{end}}

<h2>Thresholds</h2>
{{if .Thresholds}}<table><tr><th class="l">result</th><th class="l">expression</th><th>value</th></tr>
{{range .Thresholds}}<tr><td class="l">{{if .OK}}<span class="ok">✔ pass</span>{{else}}<span class="no">✘ fail</span>{{end}}</td><td class="l"><code>{{.Expr}}</code></td><td>{{if .Error}}<span class="no">error:</span> {{.Error}}{{else}}{{value .Value}}{{end}}</td></tr>
{{end}}</table>{{else}}<p class="desc">The scenario sets no thresholds.</p>{{end}}

<h2>Plots</h2>
<div class="figs">{{range .Figures}}{{template "figure" .}}{{end}}</div>
{{with .Problems}}<ul class="notes">{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}

{{with .Shards}}<details><summary>Per-shard numbers ({{len .}} shards)</summary>
<table><tr><th class="l">shard</th><th>records</th><th>bytes</th><th>throttled</th><th>consumed</th><th>records/s</th><th>bytes/s</th></tr>
{{range .}}<tr><td class="l"><code>{{.ShardID}}</code></td><td>{{int .Records}}</td><td>{{int .Bytes}}</td><td>{{int .Throttled}}</td><td>{{int .Consumed}}</td><td>{{rate .RecordsPerS}}</td><td>{{bps .BytesPerS}}</td></tr>
{{end}}</table></details>{{end}}
<details><summary>Resolved scenario</summary><pre>{{.ScenarioJSON}}</pre></details>
<footer>kbench report for run {{.RunID}} · rendered {{.Generated}} · latency from HdrHistogram (1 µs resolution, 3 significant digits)</footer>
</main></body></html>
`))

// Render reads a results directory (summary.json, and timeseries.csv and
// *.hlog when present) and writes report.html and report.md into it.
func Render(dir string) error {
	r, err := loadResults(dir)
	if err != nil {
		return err
	}
	page, err := newRunPage(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := runTemplate.Execute(&buf, page); err != nil {
		return fmt.Errorf("reports: render %s: %w", HTMLFile, err)
	}
	if err := writeFileAtomic(filepath.Join(dir, HTMLFile), buf.Bytes()); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, MarkdownFile), []byte(markdown(r.summary)))
}

// newRunPage assembles report.html's content.
func newRunPage(r *results) (*runPage, error) {
	s := r.summary
	t, tp, c := s.Totals, s.Throughput, s.Config
	scen, err := json.MarshalIndent(s.Scenario, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("reports: scenario: %w", err)
	}
	p := &runPage{
		CSS:          template.CSS(pageCSS),
		Label:        runLabel(s),
		Description:  scenarioDescription(s),
		Verdict:      verdictWord(s.Verdict),
		VerdictCSS:   verdictCSS(s.Verdict),
		Deadline:     deadlineSentence(s),
		Thresholds:   s.Thresholds,
		Notes:        notes(s),
		Errors:       s.Errors,
		Shards:       s.PerShard,
		ScenarioJSON: string(scen),
		RunID:        s.RunID,
		Generated:    time.Now().UTC().Format(time.RFC3339),
	}
	p.Meta = [][2]string{
		{"target", targetLine(s.Target)}, {"stream", c.Stream}, {"shards", fmt.Sprint(c.Shards)},
		{"producers", fmt.Sprint(c.Producers)}, {"consumers", fmt.Sprint(c.Consumers)},
		{"duration", durationLine(c)}, {"run", s.RunID}, {"started", c.StartedAt.UTC().Format(time.RFC3339)},
	}
	if c.Host != "" {
		p.Meta = append(p.Meta, [2]string{"host", c.Host})
	}
	if c.KbenchVersion != "" {
		p.Meta = append(p.Meta, [2]string{"kbench", c.KbenchVersion})
	}
	if d := s.Deadline; d != nil && d.Measured > 0 {
		p.DeadlinePct = fmtPct(d.OnTimeRatio)
		p.DeadlineMiss = d.OnTimeRatio < 0.99
	}
	p.Cards = []card{
		{Key: "produced", Value: fmtInt(t.Produced)},
		{Key: "acked", Value: fmtInt(t.Acked)},
		{Key: "failed", Value: fmtInt(t.Failed), Sub: failedReasons(t), Bad: t.Failed > 0},
		{Key: "unsent", Value: fmtInt(t.Unsent), Bad: t.Unsent > 0},
		{Key: "throttled attempts", Value: fmtInt(t.Throttled), Sub: fmtInt(t.Retried) + " retried", Bad: t.Throttled > 0},
		{Key: "consumed", Value: fmtInt(t.Consumed)},
		{Key: "lost", Value: fmtInt(t.Lost), Bad: t.Lost > 0},
		{Key: "duplicates", Value: fmtInt(t.Duplicates), Bad: t.Duplicates > 0},
	}
	achieved := ""
	if tp.TargetRPS > 0 {
		achieved = fmtPct(tp.AckedRPS/tp.TargetRPS) + " of target"
	}
	p.RateCards = []card{
		{Key: "target records/s", Value: fmtRate(tp.TargetRPS)},
		{Key: "acked records/s", Value: fmtRate(tp.AckedRPS), Sub: achieved, Bad: tp.TargetRPS > 0 && tp.AckedRPS < 0.95*tp.TargetRPS},
		{Key: "produced records/s", Value: fmtRate(tp.ProducedRPS)},
		{Key: "consumed records/s", Value: fmtRate(tp.ConsumedRPS)},
		{Key: "bytes in", Value: fmtBytesPerS(tp.ProducedBytesPerS), Sub: perShardBytes(tp.ProducedBytesPerS, c.Shards, "of 1 MiB/s")},
		{Key: "bytes out", Value: fmtBytesPerS(tp.ConsumedBytesPerS), Sub: perShardBytes(tp.ConsumedBytesPerS, c.Shards, "of 2 MiB/s")},
	}
	for _, name := range latencyOrder(s) {
		p.Latency = append(p.Latency, latencyRow{Name: name, Desc: latencyDescriptions[name], LatencyStats: s.Latency[name]})
	}
	figs := runFigures(r)
	p.Figures = figs.figs
	p.Problems = append(append([]string(nil), r.missing...), figs.problems...)
	return p, nil
}

// perShardBytes describes a byte rate per shard against its quota.
func perShardBytes(total float64, shards int, quota string) string {
	if shards <= 0 {
		return ""
	}
	return fmtBytesPerS(total/float64(shards)) + " per shard " + quota
}

// verdictCSS is the badge class for a verdict.
func verdictCSS(v string) string {
	switch v {
	case VerdictPass:
		return "pass"
	case VerdictFail:
		return "fail"
	}
	return "none"
}
