package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRuns(t *testing.T) {
	dir := t.TempDir()
	cells := map[string]string{
		"stream_shards-4": `{"config":{"shards":4},"totals":{"acked":75000,"throttled":0},"throughput":{"target_rps":2500,"acked_rps":2500},"latency":{"e2e":{"p99_ms":12.5}},"verdict":"pass"}`,
		"stream_shards-1": `{"config":{"shards":1},"totals":{"acked":30000,"throttled":90000},"throughput":{"target_rps":2500,"acked_rps":1000},"latency":{"e2e":{"p99_ms":1500}},"verdict":"fail"}`,
	}
	for name, body := range cells {
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name, "summary.json"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := run([]string{"runs", dir}, &buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want header and 2 rows:\n%s", len(lines), buf.String())
	}
	if f := strings.Fields(lines[1]); f[0] != "1" || f[2] != "1000.0" || f[4] != "90000" || f[6] != "1500.000" || f[7] != "fail" {
		t.Errorf("1-shard row %q", lines[1])
	}
	if f := strings.Fields(lines[2]); f[0] != "4" || f[7] != "pass" {
		t.Errorf("4-shard row %q", lines[2])
	}
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"no args", nil},
		{"unknown command", []string{"plot", "x"}},
		{"empty dir", []string{"runs", t.TempDir()}},
		{"missing file", []string{"gobench", filepath.Join(t.TempDir(), "none.txt")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := run(tc.args, &bytes.Buffer{}); err == nil {
				t.Error("no error")
			}
		})
	}
}
