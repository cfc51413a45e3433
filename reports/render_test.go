package reports

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kbench/kbench/gate"
	"github.com/kbench/kbench/internal/resultstest"
	"github.com/kbench/kbench/results"
)

// externalRef finds anything in a page that would make a browser fetch
// from outside: src/href to a URL, CSS url() or @import.
var externalRef = regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?\s*(https?:)?//|url\(|@import|<link|<script`)

func TestRender(t *testing.T) {
	dir := fixtureDir(t, "run-shards2", 2)
	if err := Render(dir); err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	page := string(html)
	for _, want := range []string{
		`<span class="badge pass">PASS</span>`, "PASS · all 3 thresholds met", "payments-fraud-window [stream.shards=2]",
		"of records were consumed within 500 ms", "<svg", "Throughput per second", "Latency per second",
		"Latency by percentile", "Per shard: records, bytes and throttles", "MillisBehindLatest", "Backlog",
		"Time value of data: records consumed within the 500 ms deadline", "threshold 95.0%",
		"lake-writer", "fallback: enhanced fan-out", "<b>E1</b>", "card-payments 1,500 -&gt; 1,700",
		"arrival_to_consumed", "send_to_arrival", "cost per hour", "throttle ratio",
		"latency.e2e.p99_ms &lt; 500", "one clock", "Resolved scenario",
		"Delivery order and duplicates per second", "out of order",
		"Destinations of the application under test", "Outputs per second", "Expected outputs not seen yet",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if n := strings.Count(page, "<svg"); n != 8 {
		t.Errorf("report.html has %d plots, want 8", n)
	}
	checkPNGs(t, dir, runPNGs...)
	if m := externalRef.FindString(page); m != "" {
		t.Errorf("report.html refers to an outside resource: %q", m)
	}
	if strings.Contains(page, "https://") || strings.Contains(page, "xmlns=") {
		t.Error("report.html contains URLs beyond the target endpoint")
	}

	md, err := os.ReadFile(filepath.Join(dir, MarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	resultstest.Golden(t, "report.md", md, *update)
}

func TestRenderFailingRunWithoutTimeseries(t *testing.T) {
	dir := fixtureDir(t, "run-shards1", 1)
	if err := Render(dir); err != nil { // a first rendering with every plot
		t.Fatal(err)
	}
	for _, f := range []string{results.TimeseriesFile, "put.hlog"} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	if err := Render(dir); err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(filepath.Join(dir, HTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	page := string(html)
	for _, want := range []string{`<span class="badge fail">FAIL</span>`, "FAIL · 1 of 3 thresholds failed", `<tr class="hot">`,
		"<code>totals.lost == 0</code> — value <b>3</b>", "timeseries.csv not found", "throttled", "✘ fail"} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if n := strings.Count(page, "<svg"); n != 3 { // percentile distribution, staleness and the shard bars
		t.Errorf("report.html has %d plots, want 3", n)
	}
	checkPNGs(t, dir, PNGLatencyDistribution, PNGDeadline, PNGShards)
	for _, stale := range []string{PNGThroughput, PNGLag, PNGLatencyOverTime} {
		if _, err := os.Stat(filepath.Join(dir, stale)); !os.IsNotExist(err) {
			t.Errorf("%s: want no file without a time series, got %v", stale, err)
		}
	}
	md, err := os.ReadFile(filepath.Join(dir, MarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	resultstest.Golden(t, "report-fail.md", md, *update)
}

// A run in which kbench read nothing itself (consumers: []) has no lag
// figure: its backlog would be every record acknowledged.
func TestRenderWithoutConsumersHasNoLagFigure(t *testing.T) {
	dir := fixtureDir(t, "run-shards2", 2)
	s, err := results.ReadSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Config.Consumers = 0
	if err := results.WriteSummary(dir, s); err != nil {
		t.Fatal(err)
	}
	if err := Render(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, PNGLag)); !os.IsNotExist(err) {
		t.Errorf("%s: want no lag figure without consumers, got %v", PNGLag, err)
	}
	checkPNGs(t, dir, PNGThroughput)
}

func TestRenderNoSummary(t *testing.T) {
	if err := Render(t.TempDir()); err == nil {
		t.Error("want an error without summary.json")
	}
}

func TestWriteText(t *testing.T) {
	for _, tt := range []struct{ name, fixture string }{{"text", "run-shards2"}, {"text-fail", "run-shards1"}} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := results.ReadSummary(filepath.Join("testdata", tt.fixture))
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			WriteText(&buf, s)
			resultstest.Golden(t, tt.name, buf.Bytes(), *update)
		})
	}
}

func TestRenderComparison(t *testing.T) {
	dirs := []string{fixtureDir(t, "run-shards1", 1), fixtureDir(t, "run-shards2", 2)}
	out := filepath.Join(t.TempDir(), "cmp")
	if err := RenderComparison(dirs, out); err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(filepath.Join(out, ComparisonHTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	page := string(html)
	for _, want := range []string{"stream.shards=1", "stream.shards=2", `class="best"`, `class="worst"`, "e2e p99 ms",
		"Recommendation", `<tr class="pick">`, "Ranking", "Write attempts throttled", "cost $/h"} {
		if !strings.Contains(page, want) {
			t.Errorf("comparison.html lacks %q", want)
		}
	}
	if n := strings.Count(page, "<svg"); n != 4 {
		t.Errorf("comparison.html has %d plots, want 4", n)
	}
	checkPNGs(t, out, PNGCompareThrottling, PNGCompareLatency, PNGCompareThroughput, PNGCompareE2EP99)
	if m := externalRef.FindString(page); m != "" {
		t.Errorf("comparison.html refers to an outside resource: %q", m)
	}
	md, err := os.ReadFile(filepath.Join(out, ComparisonMarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	// The directories are temporary; only the table is golden.
	resultstest.Golden(t, "comparison.md", md, *update)

	if err := RenderComparison(nil, out); err == nil {
		t.Error("no dirs: want an error")
	}
}

// checkPNGs checks that each file in dir is a PNG of a plausible size.
func checkPNGs(t *testing.T, dir string, files ...string) {
	t.Helper()
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Error(err)
			continue
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w < 600 || h < 300 {
			t.Errorf("%s is %dx%d pixels, want at least 600x300", f, w, h)
		}
	}
}

func TestRenderComparisonRepeats(t *testing.T) {
	reps := filepath.Join(t.TempDir(), "shards2")
	for k := 1; k <= 3; k++ {
		d := filepath.Join(reps, results.RepeatPrefix+strconv.Itoa(k))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		s := writeFixture(t, d, 2)
		e2e := s.Latency["e2e"]
		e2e.P99 += float64(10 * k)
		s.Latency["e2e"] = e2e
		s.Throughput.ConsumedRPS -= float64(k)
		if k == 3 {
			gate.Judge(s, []string{"latency.e2e.p99_ms < 290"}) // the slowest repeat fails
		}
		if err := results.WriteSummary(d, s); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "cmp")
	if err := RenderComparison([]string{fixtureDir(t, "run-shards1", 1), reps}, out); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(out, ComparisonMarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	resultstest.Golden(t, "comparison-repeats.md", md, *update)
	for _, want := range []string{"FAIL (2 of 3 runs passed)", "Medians of the repeats", "None of the configurations"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("comparison.md lacks %q", want)
		}
	}
}
