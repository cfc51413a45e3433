package results_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kbench/kbench/internal/resultstest"
	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/results"
)

func TestLatencyFrom(t *testing.T) {
	h := metrics.NewHistogram()
	// 1..1000 ms, one value each: p50 = 500 ms, p90 = 900 ms, p99 = 990 ms.
	for i := int64(1); i <= 1000; i++ {
		if err := h.RecordValue(i * int64(time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	got := results.LatencyFrom(h)
	tests := []struct {
		name      string
		got, want float64
	}{
		{"p50", got.P50, 500}, {"p90", got.P90, 900}, {"p99", got.P99, 990},
		{"p999", got.P999, 999}, {"max", got.Max, 1000}, {"mean", got.Mean, 500.5},
	}
	for _, tt := range tests {
		// Three significant digits: within 0.1% of the exact value.
		if d := tt.got - tt.want; d < -tt.want*0.001 || d > tt.want*0.001 {
			t.Errorf("%s = %v ms, want %v ms ±0.1%%", tt.name, tt.got, tt.want)
		}
		if r := tt.got * 1000; r != float64(int64(r)) {
			t.Errorf("%s = %v not rounded to 3 decimals", tt.name, tt.got)
		}
	}
	if got.Count != 1000 {
		t.Errorf("count = %d, want 1000", got.Count)
	}
	if (results.LatencyFrom(nil) != results.LatencyStats{}) || (results.LatencyFrom(metrics.NewHistogram()) != results.LatencyStats{}) {
		t.Error("empty histogram should give zero stats")
	}
}

func TestSummaryJSONKeys(t *testing.T) {
	s := resultstest.Summary()
	s.Thresholds = []results.ThresholdResult{{Expr: "latency.e2e.p99_ms < 500", Value: 450.125, OK: true}}
	dir := t.TempDir()
	if err := results.WriteSummary(dir, s); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, results.SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	paths := []string{
		"schema_version", "scenario", "target", "config", "verdict",
		"totals.produced", "totals.acked", "totals.failed", "totals.throttled", "totals.consumed", "totals.lost", "totals.duplicates",
		"throughput.produced_rps", "throughput.consumed_rps", "throughput.produced_bytes_per_s",
		"per_shard[].shard_id", "per_shard[].records", "per_shard[].bytes", "per_shard[].throttled",
		"thresholds[].expr", "thresholds[].value", "thresholds[].ok",
	}
	for _, h := range []string{"put", "e2e", "e2e_uncorrected"} {
		for _, k := range []string{"count", "p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms", "mean_ms"} {
			paths = append(paths, "latency."+h+"."+k)
		}
	}
	for _, p := range paths {
		if !hasPath(m, strings.Split(p, ".")) {
			t.Errorf("summary.json has no %s", p)
		}
	}
}

// hasPath reports whether a decoded JSON tree has the dotted path; "x[]"
// means every element of array x must have the rest.
func hasPath(v any, path []string) bool {
	if len(path) == 0 {
		return true
	}
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	key := path[0]
	if arr, isArr := strings.CutSuffix(key, "[]"); isArr {
		a, ok := m[arr].([]any)
		if !ok || len(a) == 0 {
			return false
		}
		for _, e := range a {
			if !hasPath(e, path[1:]) {
				return false
			}
		}
		return true
	}
	c, ok := m[key]
	return ok && hasPath(c, path[1:])
}

func TestSummaryRoundTrip(t *testing.T) {
	s := resultstest.Summary()
	s.Thresholds = []results.ThresholdResult{{Expr: "totals.lost == 0", Value: 1},
		{Expr: "nope.nope > 1", Error: `unknown metric "nope.nope"`}}
	s.Verdict = results.VerdictFail
	s.Errors = []string{"target unreachable"}
	dir := t.TempDir()
	if err := results.WriteSummary(dir, s); err != nil {
		t.Fatal(err)
	}
	got, err := results.ReadSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	// JSON numbers decode as float64 in the scenario map.
	s.Scenario = map[string]any{"name": "t", "stream": map[string]any{"shards": 2.0}}
	if !reflect.DeepEqual(got, s) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, s)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestWriteSummaryEmptyCollections(t *testing.T) {
	dir := t.TempDir()
	if err := results.WriteSummary(dir, &results.Summary{SchemaVersion: results.SchemaVersion}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, results.SummaryFile))
	for _, want := range []string{`"per_shard": []`, `"thresholds": []`, `"latency": {}`, `"scenario": {}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("summary.json lacks %s", want)
		}
	}
}

func TestReadSummaryErrors(t *testing.T) {
	tests := []struct{ name, content string }{
		{"missing", ""},
		{"bad json", "{"},
		{"future schema", `{"schema_version": 99}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.content != "" {
				if err := os.WriteFile(filepath.Join(dir, results.SummaryFile), []byte(tt.content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := results.ReadSummary(dir); err == nil {
				t.Error("want an error")
			}
		})
	}
}

func TestSizeFrom(t *testing.T) {
	if got := results.SizeFrom(nil); got != (results.SizeStats{}) {
		t.Errorf("results.SizeFrom(nil) = %+v", got)
	}
	a, b := metrics.NewSizeHistogram(), metrics.NewSizeHistogram()
	for v := 100; v < 200; v++ {
		metrics.RecordSize(a, v)
	}
	metrics.RecordSize(b, 150_000)
	a.Merge(b)
	got := results.SizeFrom(a)
	want := results.SizeStats{Count: 101, Min: 100, P50: 150, P99: 199, Max: 150_015, Mean: math.Round(a.Mean()*10) / 10}
	if got != want {
		t.Errorf("SizeFrom = %+v; want %+v (exact below 2,048 bytes, three digits above)", got, want)
	}
}
