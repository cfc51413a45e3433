// Package resultstest builds summaries and results directories for the tests
// of the packages that read them (results, gate, reports).
package resultstest

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/kbench/kbench/results"
)

// Start is when the test summaries' runs started.
var Start = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// P99 is a minimal summary whose e2e p99 is v.
func P99(v float64) *results.Summary {
	return &results.Summary{SchemaVersion: results.SchemaVersion, Latency: map[string]results.LatencyStats{"e2e": {Count: 1, P99: v}}}
}

// WriteRunSet writes sums as a results directory: one summary.json for one
// summary, RepeatPrefix subdirectories run-1…run-N for several.
func WriteRunSet(t *testing.T, sums ...*results.Summary) string {
	t.Helper()
	dir := t.TempDir()
	if len(sums) == 1 {
		if err := results.WriteSummary(dir, sums[0]); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	for i, s := range sums {
		sub := filepath.Join(dir, results.RepeatPrefix+strconv.Itoa(i+1))
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := results.WriteSummary(sub, s); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Summary is a small summary with every section filled.
func Summary() *results.Summary {
	return &results.Summary{
		SchemaVersion: results.SchemaVersion,
		RunID:         "r1",
		Scenario:      map[string]any{"name": "t", "stream": map[string]any{"shards": 2}},
		Target:        results.TargetInfo{Kind: "sim"},
		Config:        results.RunInfo{Name: "t", Shards: 2, DurationS: 10, StartedAt: Start, EndedAt: Start.Add(10 * time.Second)},
		Totals: results.Totals{Produced: 100, Acked: 98, Failed: 2, Throttled: 5, Consumed: 97, Lost: 1, Duplicates: 0,
			FailedByReason: map[string]int64{"InternalFailure": 2}},
		Latency: map[string]results.LatencyStats{
			"put":             {Count: 98, P50: 10, P90: 20, P99: 30, P999: 40, Max: 50, Mean: 12.5},
			"e2e":             {Count: 97, P50: 200, P90: 300, P99: 450.125, P999: 480, Max: 500, Mean: 210},
			"e2e_uncorrected": {Count: 97, P50: 190, P90: 290, P99: 440, P999: 470, Max: 490, Mean: 200},
		},
		Throughput: results.Throughput{TargetRPS: 10, ProducedRPS: 10, AckedRPS: 9.8, ConsumedRPS: 9.7, ProducedBytesPerS: 3000, ConsumedBytesPerS: 2900},
		Deadline:   &results.DeadlineStats{DeadlineMS: 500, Measured: 97, OnTime: 95, OnTimeRatio: 95.0 / 97},
		PerShard: []results.ShardStats{
			{ShardID: "shardId-000000000000", Records: 60, Bytes: 1800, Throttled: 5, Consumed: 59},
			{ShardID: "shardId-000000000001", Records: 38, Bytes: 1140, Throttled: 0, Consumed: 38},
		},
		Verdict: results.VerdictPass,
	}
}

// Golden compares got with testdata/NAME.golden in the calling package's
// directory, rewriting the file first when update is set (the package's
// -update flag).
func Golden(t *testing.T, name string, got []byte, update bool) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test with -update in this package to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (run with -update if the change is intended):\n%s", name, path, got)
	}
}
