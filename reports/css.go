package reports

// pageCSS styles every kbench page. Inline: reports open from disk or a CI
// artifact with no network.
const pageCSS = `
:root { --fg:#1d2330; --muted:#5b6475; --line:#dde1e8; --bg:#f6f7f9; --pass:#1e7e34; --fail:#c0392b; --warn:#9a6700; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 -apple-system, "Segoe UI", "Liberation Sans", Arial, Helvetica, sans-serif; color:var(--fg); background:var(--bg); }
main { max-width:1100px; margin:0 auto; padding:24px 28px 48px; }
h1 { font-size:26px; margin:0; display:flex; align-items:center; gap:14px; flex-wrap:wrap; }
h2 { font-size:19px; margin:34px 0 12px; padding-bottom:6px; border-bottom:1px solid var(--line); }
.desc { color:var(--muted); margin:6px 0 0; font-size:16px; }
.meta { color:var(--muted); margin:10px 0 0; font-size:13.5px; }
.meta b { color:var(--fg); font-weight:600; }
.badge { display:inline-block; padding:3px 12px; border-radius:14px; color:#fff; font-size:15px; font-weight:700; letter-spacing:.06em; }
.badge.pass { background:var(--pass); } .badge.fail { background:var(--fail); } .badge.none { background:var(--muted); }
.deadline { margin:12px 0 2px; }
.deadline .dl { font-size:18px; font-weight:600; }
.deadline .bar { height:10px; background:#f1d5d1; border-radius:5px; margin-top:8px; overflow:hidden; }
.deadline .bar span { display:block; height:100%; background:var(--pass); }
.deadline.miss .bar span { background:var(--warn); }
td .warn { color:var(--warn); }
td.wrap { min-width:200px; }
.model-banner { margin:10px 0; padding:10px 16px; background:#fff4d6; border:1px solid #e0b000; border-radius:6px; font-weight:600; }
.verdict { margin:18px 0 4px; padding:14px 20px; background:#fff; border:1px solid var(--line); border-left:6px solid var(--pass); border-radius:6px; }
.verdict.fail { border-left-color:var(--fail); } .verdict .big { font-size:22px; font-weight:700; } .verdict p { margin:6px 0 0; }
.verdict ul { margin:8px 0 0; padding-left:20px; } .verdict li { margin:2px 0; }
.cards { display:grid; grid-template-columns:repeat(auto-fill, minmax(165px, 1fr)); gap:10px; }
.card { background:#fff; border:1px solid var(--line); border-radius:6px; padding:10px 14px; }
.card .k { color:var(--muted); font-size:12.5px; text-transform:uppercase; letter-spacing:.04em; }
.card .v { font-size:22px; font-weight:650; font-variant-numeric:tabular-nums; }
.card .s { color:var(--muted); font-size:12.5px; overflow-wrap:anywhere; }
.card.bad { border-color:#e8b4ad; background:#fdf3f2; } .card.bad .v { color:var(--fail); }
table { border-collapse:collapse; background:#fff; border:1px solid var(--line); width:100%; font-variant-numeric:tabular-nums; }
th, td { padding:6px 10px; border-bottom:1px solid var(--line); text-align:right; white-space:nowrap; }
th { background:#eef0f4; font-size:13px; white-space:normal; vertical-align:bottom; } tr:last-child td { border-bottom:none; }
td.l, th.l { text-align:left; } td.wrap { white-space:normal; }
td .sub { color:var(--muted); font-size:12.5px; }
code { font:13px ui-monospace, "Liberation Mono", Menlo, Consolas, monospace; }
.ok { color:var(--pass); font-weight:700; } .no { color:var(--fail); font-weight:700; }
table.cmp { font-size:13px; } table.cmp td.cfg { white-space:normal; overflow-wrap:anywhere; min-width:130px; } table.cmp th { white-space:normal; vertical-align:bottom; } table.cmp th, table.cmp td { padding:6px 7px; }
tr.hot td { background:#fdf3f2; } tr.hot td:first-child { box-shadow:inset 4px 0 0 var(--fail); }
tr.pick td { background:#f1faf2; } tr.pick td:first-child { box-shadow:inset 4px 0 0 var(--pass); }
.scroll { overflow-x:auto; } table.rank td { white-space:normal; }
.chip { display:inline-block; padding:1px 8px; margin:2px 0; border:1px solid var(--line); border-radius:10px; background:#f6f7f9; }
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
