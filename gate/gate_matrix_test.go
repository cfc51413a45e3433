package gate

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbench/kbench/internal/resultstest"
	"github.com/kbench/kbench/results"
)

// writeMatrix writes a matrix output directory: one cell directory per
// entry of p99s, holding one run with that e2e p99.
func writeMatrix(t *testing.T, p99s map[string]float64) string {
	t.Helper()
	dir := t.TempDir()
	for cell, v := range p99s {
		if err := os.Mkdir(filepath.Join(dir, cell), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := results.WriteSummary(filepath.Join(dir, cell), resultstest.P99(v)); err != nil {
			t.Fatal(err)
		}
	}
	// Not a cell: a comparison written beside the cells.
	if err := os.WriteFile(filepath.Join(dir, "comparison.md"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestMatrix(t *testing.T) {
	rules, err := ParseRules([]string{"latency.e2e.p99_ms > +10%"})
	if err != nil {
		t.Fatal(err)
	}
	base := writeMatrix(t, map[string]float64{"stream_shards-1": 2000, "stream_shards-2": 1900, "stream_shards-4": 290})
	cur := writeMatrix(t, map[string]float64{"stream_shards-1": 2050, "stream_shards-4": 400, "stream_shards-8": 280})

	cells, err := results.CellDirs(base)
	if err != nil || strings.Join(cells, ",") != "stream_shards-1,stream_shards-2,stream_shards-4" {
		t.Fatalf("CellDirs = %v, %v", cells, err)
	}
	m, err := EvaluateMatrix(base, cur, rules)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(m.Cells, ","); got != "stream_shards-1,stream_shards-4" {
		t.Errorf("cells %s", got)
	}
	if got := strings.Join(m.Missing, ","); got != "stream_shards-2" {
		t.Errorf("missing %s", got)
	}
	if got := strings.Join(m.Extra, ","); got != "stream_shards-8" {
		t.Errorf("extra %s", got)
	}
	// 1 shard: +2.5% passes; 4 shards: +38% fails; 2 shards is missing.
	want := []string{"stream_shards-2: missing", "stream_shards-4: latency.e2e.p99_ms > +10%"}
	if got := m.FailedRules(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("FailedRules = %q, want %q", got, want)
	}
	if m.Passed() || m.Failed() != 2 {
		t.Errorf("passed %v, failed %d; want 2 failures", m.Passed(), m.Failed())
	}

	md := string(m.Markdown())
	for _, s := range []string{"kbench matrix gate: FAIL", "2 of 3 cells failed", "## Cell `stream_shards-4`",
		"### ❌ kbench regression gate: FAIL", "stream_shards-8 is new in the current run"} {
		if !strings.Contains(md, s) {
			t.Errorf("Markdown lacks %q:\n%s", s, md)
		}
	}
	data, err := m.JUnit()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Suites) != 3 || doc.Suites[1].Name != "kbench gate: stream_shards-4" || doc.Suites[1].Failures != 1 ||
		doc.Suites[2].Failures != 1 || doc.Suites[0].Failures != 0 {
		t.Errorf("JUnit suites %+v", doc.Suites)
	}
}

func TestMatrixNoSharedCell(t *testing.T) {
	base := writeMatrix(t, map[string]float64{"a": 1})
	cur := writeMatrix(t, map[string]float64{"b": 1})
	if _, err := EvaluateMatrix(base, cur, nil); err == nil || !strings.Contains(err.Error(), "share no matrix cell") {
		t.Errorf("err %v, want share no matrix cell", err)
	}
}

func TestEvaluateDirs(t *testing.T) {
	rules, err := ParseRules([]string{"latency.e2e.p99_ms > +10%"})
	if err != nil {
		t.Fatal(err)
	}
	single := func(v float64) string { return resultstest.WriteRunSet(t, resultstest.P99(v)) }
	matrix := func(v float64) string { return writeMatrix(t, map[string]float64{"a": v, "b": v}) }

	v, err := EvaluateDirs(single(100), single(130), rules)
	if g, ok := v.(*Gate); err != nil || !ok || g.Passed() {
		t.Errorf("two runs: %T %v, %v; want a failing *Gate", v, v, err)
	}
	v, err = EvaluateDirs(matrix(100), matrix(105), rules)
	if m, ok := v.(*Matrix); err != nil || !ok || !m.Passed() || len(m.Cells) != 2 {
		t.Errorf("two matrices: %T %v, %v; want a passing *Matrix of 2 cells", v, v, err)
	}
	for name, dirs := range map[string][2]string{
		"run against matrix": {single(100), matrix(100)},
		"matrix against run": {matrix(100), single(100)},
		"empty baseline":     {t.TempDir(), single(100)},
	} {
		if v, err := EvaluateDirs(dirs[0], dirs[1], rules); err == nil || v != nil {
			t.Errorf("%s: %v, %v; want an error and no verdict", name, v, err)
		}
	}
}
