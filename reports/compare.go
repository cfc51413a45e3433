package reports

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/kbench/kbench/internal/textfmt"
	"github.com/kbench/kbench/results"
)

// Comparison file names.
const (
	ComparisonHTMLFile     = "comparison.html"
	ComparisonMarkdownFile = "comparison.md"
)

// MaxRecommendedThrottleRatio is the throttle ratio under which a
// configuration counts as having room: the comparison recommends the
// cheapest passing configuration below it.
const MaxRecommendedThrottleRatio = 0.01

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
	ranked bool // listed in the ranking
	format func(float64) string
}

var compareColumns = []compareColumn{
	{"shards", "config.shards", neutral, false, textfmt.Value},
	{"target rec/s", "throughput.target_rps", neutral, false, fmtRate},
	{"consumed rec/s", "throughput.consumed_rps", higherBetter, true, fmtRate},
	{"e2e p99 ms", "latency.e2e.p99_ms", lowerBetter, true, fmtLatency},
	{"throttle ratio", "throttle_ratio", lowerBetter, true, fmtRatio},
	{"cost $/h", "cost.usd_per_hour", lowerBetter, true, fmtUSD},
	// Per million records delivered: a throttled layout is cheap per hour
	// only because it carries less.
	{"$ per M records", "cost.usd_per_million_records", lowerBetter, true, fmtUSD},
	{"on time", "deadline.on_time_ratio", higherBetter, false, fmtPct},
	{"lost", "totals.lost", lowerBetter, false, textfmt.Value},
	{"out of order", "totals.out_of_order", lowerBetter, false, textfmt.Value},
	{"failed", "totals.failed", lowerBetter, false, textfmt.Value},
	{"put p99 ms", "latency.put.p99_ms", lowerBetter, false, fmtLatency},
}

// compareCell is one value of the comparison table: the median over the
// repeats and, with several, their spread.
type compareCell struct {
	Text, Spread string
	Best, Worst  bool
}

// compareRow is one configuration of the comparison table.
type compareRow struct {
	Label, Dir, DirName, Verdict, VerdictCSS, VerdictSub string
	Runs                                                 int
	Cells                                                []compareCell
}

// ranking is one ranked column: the configurations best first.
type ranking struct {
	Title   string
	Better  string // "higher" or "lower"
	Entries []rankEntry
}

// rankEntry is one configuration's place in a ranking.
type rankEntry struct {
	Label, Value string
}

// comparison is what comparison.html and comparison.md show.
type comparison struct {
	CSS            template.CSS
	Title          string
	Columns        []string
	Rows           []compareRow
	Rankings       []ranking
	Recommendation string
	Recommended    string // the recommended row's label, "" for none
	Repeats        bool   // some row has several runs
	Figures        []figure
	Problems       []string
	Generated      string
}

// configuration is one directory of a comparison: its runs and the
// results of the median run, whose plots stand for the set.
type configuration struct {
	set    *results.RunSet
	median *results.Run
	label  string
}

// RenderComparison reads several results directories (for example the
// cells of a matrix: shards=1,2,4), each a single run or the repeats of one
// (see RunSet), and writes comparison.html, comparison.md and the PNG plots
// into outDir: one row per configuration with the median of its key numbers
// and their spread, the best and worst of each column marked, a ranking by
// throughput, e2e p99, throttle ratio and cost, a recommendation, and
// overlaid plots of the median runs.
func RenderComparison(dirs []string, outDir string) error {
	if len(dirs) == 0 {
		return errors.New("reports: comparison needs at least one results directory")
	}
	var cfgs []*configuration
	for _, d := range dirs {
		set, err := results.LoadRunSet(d)
		if err != nil {
			return err
		}
		med := set.Median("latency.e2e.p99_ms")
		mdir := set.Dirs[slices.Index(set.Runs, med)]
		r, err := results.LoadRun(mdir)
		if err != nil {
			return err
		}
		cfgs = append(cfgs, &configuration{set: set, median: r})
	}
	setLabels(cfgs)
	c, fs := buildComparison(cfgs)
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	var buf bytes.Buffer
	if err := compareTemplate.Execute(&buf, c); err != nil {
		return fmt.Errorf("reports: render %s: %w", ComparisonHTMLFile, err)
	}
	if err := results.WriteFileAtomic(filepath.Join(outDir, ComparisonHTMLFile), buf.Bytes()); err != nil {
		return err
	}
	if err := fs.writePNGs(outDir); err != nil {
		return err
	}
	return results.WriteFileAtomic(filepath.Join(outDir, ComparisonMarkdownFile), []byte(comparisonMarkdown(c)))
}

// setLabels names each configuration for the table and legends: the matrix
// cell when there is one, made unique with the directory name when needed.
func setLabels(cfgs []*configuration) {
	seen := map[string]int{}
	for _, c := range cfgs {
		s := c.median.Summary
		c.label = s.Config.Cell
		if c.label == "" {
			c.label = runLabel(s)
		}
		seen[c.label]++
	}
	for _, c := range cfgs {
		if seen[c.label] > 1 {
			c.label += " (" + filepath.Base(c.set.Dir) + ")"
		}
	}
}

// buildComparison fills the table, the rankings and the recommendation, and
// draws the overlaid plots.
func buildComparison(cfgs []*configuration) (*comparison, figureSet) {
	c := &comparison{CSS: template.CSS(pageCSS), Generated: time.Now().UTC().Format(time.RFC3339)}
	names := map[string]bool{}
	for _, cf := range cfgs {
		names[cf.median.Summary.Config.Name] = true
	}
	c.Title = "kbench comparison"
	if n := cfgs[0].median.Summary.Config.Name; len(names) == 1 && n != "" {
		c.Title += ": " + n
	}
	for _, col := range compareColumns {
		c.Columns = append(c.Columns, col.title)
	}
	vals := make([][]float64, len(cfgs))
	have := make([][]bool, len(cfgs))
	for i, cf := range cfgs {
		row := compareRow{Label: cf.label, Dir: cf.set.Dir, DirName: filepath.Base(cf.set.Dir), Runs: len(cf.set.Runs)}
		row.Verdict, row.VerdictCSS, row.VerdictSub = setVerdict(cf.set)
		c.Repeats = c.Repeats || row.Runs > 1
		for _, col := range compareColumns {
			sp, ok := cf.set.Stat(col.metric)
			vals[i], have[i] = append(vals[i], sp.Median), append(have[i], ok)
			cell := compareCell{Text: "–"}
			if ok {
				cell.Text = col.format(sp.Median)
				if sp.N > 1 && sp.Min != sp.Max {
					cell.Spread = col.format(sp.Min) + "–" + col.format(sp.Max)
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		c.Rows = append(c.Rows, row)
		for _, m := range cf.median.Missing {
			c.Problems = append(c.Problems, cf.label+": "+m)
		}
	}
	markExtremes(c.Rows, vals, have)
	c.Rankings = rankings(c.Rows, vals, have)
	c.Recommendation, c.Recommended = recommend(cfgs)
	fs := comparisonFigures(cfgs)
	c.Figures, c.Problems = fs.figs, append(c.Problems, fs.problems...)
	return c, fs
}

// setVerdict is a configuration's verdict: pass only when every run passed.
func setVerdict(set *results.RunSet) (word, css, sub string) {
	passed := 0
	for _, r := range set.Runs {
		if r.Verdict == results.VerdictPass {
			passed++
		}
	}
	if len(set.Runs) == 1 {
		return verdictWord(set.Runs[0].Verdict), verdictCSS(set.Runs[0].Verdict), ""
	}
	sub = fmt.Sprintf("%d of %d runs passed", passed, len(set.Runs))
	if passed == len(set.Runs) {
		return verdictWord(results.VerdictPass), verdictCSS(results.VerdictPass), sub
	}
	return verdictWord(results.VerdictFail), verdictCSS(results.VerdictFail), sub
}

// markExtremes marks the best and worst value of each directed column (every
// row that ties for it), when at least two configurations have it and they
// differ.
func markExtremes(rows []compareRow, vals [][]float64, have [][]bool) {
	for j, col := range compareColumns {
		if col.dir == neutral {
			continue
		}
		best, worst, n := -1, -1, 0
		for i := range rows {
			if !have[i][j] {
				continue
			}
			n++
			if best < 0 || col.better(vals[i][j], vals[best][j]) {
				best = i
			}
			if worst < 0 || col.better(vals[worst][j], vals[i][j]) {
				worst = i
			}
		}
		if n < 2 || vals[best][j] == vals[worst][j] {
			continue
		}
		for i := range rows {
			if have[i][j] {
				rows[i].Cells[j].Best = vals[i][j] == vals[best][j]
				rows[i].Cells[j].Worst = vals[i][j] == vals[worst][j]
			}
		}
	}
}

// better reports whether a is strictly better than b in this column.
func (col compareColumn) better(a, b float64) bool {
	if col.dir == higherBetter {
		return a > b
	}
	return a < b
}

// rankings orders the configurations by each ranked column, best first;
// configurations without the metric are left out of that ranking.
func rankings(rows []compareRow, vals [][]float64, have [][]bool) []ranking {
	var out []ranking
	for j, col := range compareColumns {
		if !col.ranked {
			continue
		}
		var idx []int
		for i := range rows {
			if have[i][j] {
				idx = append(idx, i)
			}
		}
		if len(idx) == 0 {
			continue
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			switch {
			case col.better(vals[a][j], vals[b][j]):
				return -1
			case col.better(vals[b][j], vals[a][j]):
				return 1
			}
			return 0
		})
		rk := ranking{Title: col.title, Better: "lower"}
		if col.dir == higherBetter {
			rk.Better = "higher"
		}
		for _, i := range idx {
			rk.Entries = append(rk.Entries, rankEntry{Label: rows[i].Label, Value: rows[i].Cells[j].Text})
		}
		out = append(out, rk)
	}
	return out
}

// recommend picks the cheapest configuration whose runs all passed and
// whose median throttle ratio is under MaxRecommendedThrottleRatio. Cost is
// cost.usd_per_hour; when a candidate's summary has none, the fewest shards
// stand for the cheapest. It returns the sentence and the label.
func recommend(cfgs []*configuration) (string, string) {
	type cand struct {
		cf                     *configuration
		cost, shards, rps, p99 float64
	}
	var cands []cand
	allCost := true
	for _, cf := range cfgs {
		if w, _, _ := setVerdict(cf.set); w != verdictWord(results.VerdictPass) {
			continue
		}
		thr, _ := cf.set.Stat("throttle_ratio")
		if thr.Median >= MaxRecommendedThrottleRatio {
			continue
		}
		cost, ok := cf.set.Stat("cost.usd_per_hour")
		shards, _ := cf.set.Stat("config.shards")
		rps, _ := cf.set.Stat("throughput.consumed_rps")
		p99, _ := cf.set.Stat("latency.e2e.p99_ms")
		allCost = allCost && ok
		cands = append(cands, cand{cf: cf, cost: cost.Median, shards: shards.Median, rps: rps.Median, p99: p99.Median})
	}
	rule := fmt.Sprintf("passes every threshold with under %s%% of write attempts throttled", textfmt.Value(100*MaxRecommendedThrottleRatio))
	if len(cands) == 0 {
		return "None of the configurations " + rule + ".", ""
	}
	slices.SortStableFunc(cands, func(a, b cand) int {
		ka, kb := a.shards, b.shards
		if allCost {
			ka, kb = a.cost, b.cost
		}
		switch {
		case ka < kb:
			return -1
		case ka > kb:
			return 1
		case a.rps > b.rps:
			return -1
		case a.rps < b.rps:
			return 1
		}
		return 0
	})
	best := cands[0]
	detail := fmt.Sprintf("%s records/s consumed, e2e p99 %s ms", fmtRate(best.rps), fmtMS(best.p99))
	how := "cheapest"
	if allCost {
		detail = fmtUSD(best.cost) + "/h, " + detail
	} else {
		how = "smallest (fewest shards; cost.usd_per_hour is missing)"
	}
	return fmt.Sprintf("%s: the %s configuration that %s (%s).", best.cf.label, how, rule, detail), best.cf.label
}
