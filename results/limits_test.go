package results

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadSummaryBounded: a summary.json that never ends (here /dev/zero)
// is refused instead of read until memory runs out, and so is one over
// MaxSummaryBytes (a sparse file here).
func TestReadSummaryBounded(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	dir := t.TempDir()
	if err := os.Symlink("/dev/zero", filepath.Join(dir, SummaryFile)); err != nil {
		t.Skip(err)
	}
	_, err := ReadSummary(dir)
	if err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("ReadSummary = %v, want refused as not a regular file", err)
	}
	if _, err := LoadRunSet(dir); err == nil {
		t.Error("LoadRunSet accepted it")
	}
	big := t.TempDir()
	if err := os.WriteFile(filepath.Join(big, SummaryFile), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(filepath.Join(big, SummaryFile), MaxSummaryBytes+1); err != nil {
		t.Skip(err)
	}
	if _, err := ReadSummary(big); err == nil || !strings.Contains(err.Error(), "larger than 64 MiB") {
		t.Fatalf("ReadSummary = %v, want refused as larger than 64 MiB", err)
	}
}

// TestLoadRunLeavesOutHugeTimeseries: a time series over
// MaxTimeseriesBytes (a sparse file here) is left out with a note, not read.
func TestLoadRunLeavesOutHugeTimeseries(t *testing.T) {
	dir := t.TempDir()
	if err := WriteSummary(dir, &Summary{SchemaVersion: SchemaVersion}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, TimeseriesFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxTimeseriesBytes + 1); err != nil {
		t.Skip(err)
	}
	f.Close()
	r, err := LoadRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.Rows != nil || len(r.Missing) == 0 || !strings.Contains(r.Missing[0], "larger than 256 MiB") {
		t.Errorf("rows %d, missing %v", len(r.Rows), r.Missing)
	}
}

// TestLoadRunLeavesOutRecordSizes: record-bytes.hlog holds sizes in bytes,
// not a latency, so it is not among the histograms a report plots.
func TestLoadRunLeavesOutRecordSizes(t *testing.T) {
	dir := t.TempDir()
	if err := WriteSummary(dir, &Summary{SchemaVersion: SchemaVersion}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"e2e" + HlogExt, RecordBytesFile} {
		src, err := os.ReadFile(filepath.Join("..", "reports", "testdata", "run-shards1", "e2e"+HlogExt))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := LoadRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Hists["e2e"]; !ok {
		t.Errorf("e2e missing from %v", r.Hists)
	}
	if _, ok := r.Hists["record-bytes"]; ok {
		t.Error("record-bytes.hlog was loaded as a latency histogram")
	}
}
