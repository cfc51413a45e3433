package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// golden compares got with testdata/NAME.golden, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./reports/ -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (run with -update if the change is intended):\n%s", name, path, got)
	}
}

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
		`<span class="badge pass">PASS</span>`, "payments-fraud-window [stream.shards=2]",
		"of records arrived within 500 ms", "<svg", "Throughput: target vs acknowledged vs consumed",
		"Latency by percentile", "Records acknowledged per shard", "MillisBehindLatest",
		"latency.e2e.p99_ms &lt; 500", "one clock",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if n := strings.Count(page, "<svg"); n != 7 {
		t.Errorf("report.html has %d plots, want 7", n)
	}
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
	golden(t, "report.md", md)
}

func TestRenderFailingRunWithoutTimeseries(t *testing.T) {
	dir := fixtureDir(t, "run-shards1", 1)
	for _, f := range []string{TimeseriesFile, "put.hlog"} {
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
	for _, want := range []string{`<span class="badge fail">FAIL</span>`, "timeseries.csv not found", "throttled", "✘ fail"} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if n := strings.Count(page, "<svg"); n != 3 { // percentile distribution and two shard charts
		t.Errorf("report.html has %d plots, want 3", n)
	}
	md, err := os.ReadFile(filepath.Join(dir, MarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "report-fail.md", md)
}

func TestRenderNoSummary(t *testing.T) {
	if err := Render(t.TempDir()); err == nil {
		t.Error("want an error without summary.json")
	}
}

func TestWriteText(t *testing.T) {
	for _, tt := range []struct{ name, fixture string }{{"text", "run-shards2"}, {"text-fail", "run-shards1"}} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ReadSummary(filepath.Join("testdata", tt.fixture))
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			WriteText(&buf, s)
			golden(t, tt.name, buf.Bytes())
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
	for _, want := range []string{"stream.shards=1", "stream.shards=2", `class="best"`, `class="worst"`, "e2e p99 ms"} {
		if !strings.Contains(page, want) {
			t.Errorf("comparison.html lacks %q", want)
		}
	}
	if n := strings.Count(page, "<svg"); n != 3 {
		t.Errorf("comparison.html has %d plots, want 3", n)
	}
	if m := externalRef.FindString(page); m != "" {
		t.Errorf("comparison.html refers to an outside resource: %q", m)
	}
	md, err := os.ReadFile(filepath.Join(out, ComparisonMarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	// The directories are temporary; only the table is golden.
	golden(t, "comparison.md", md)

	if err := RenderComparison(nil, out); err == nil {
		t.Error("no dirs: want an error")
	}
}
