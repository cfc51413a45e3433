package main

import (
	"strings"
	"testing"
)

// TestWorkerFlagsRefused checks that every bad distributed-run setting is
// refused with exit 2, naming the problem, before anything starts.
func TestWorkerFlagsRefused(t *testing.T) {
	const sc = "../../scenarios/default.yaml"
	ep := "--endpoint=http://127.0.0.1:1"
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"not I/N", nil, []string{"--worker", "2"}, "want I/N"},
		{"index out of range", nil, []string{"--worker", "4/4", "--run-id", "1"}, "want 0 <= I < N"},
		{"no run id", nil, []string{"--worker", "1/4", ep}, "need one run id"},
		{"bad run id", nil, []string{"--worker", "1/4", "--run-id", "xyz", ep}, "hex digits"},
		{"bad start", nil, []string{"--worker", "1/4", "--run-id", "1", "--start-at", "soon", ep}, "RFC 3339"},
		{"in-process sim", nil, []string{"--worker", "1/4", "--run-id", "1"}, "share one endpoint"},
		{"index without count", map[string]string{envJobIndex: "2"}, []string{"--run-id", "1", ep}, "worker count is not"},
		{"count without index", nil, []string{"--workers", "4", ep}, "needs --worker"},
		{"run id alone", nil, []string{"--run-id", "1"}, "add --worker"},
		{"repeat", nil, []string{"--worker", "0/2", "--run-id", "1", ep, "--repeat", "2"}, "--repeat with --worker"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(envJobIndex, "")
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			code, _, stderr := kbench(t, append([]string{"run", sc, "--out", t.TempDir()}, tt.args...)...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, want 2 with %q\n%s", code, tt.want, stderr)
			}
		})
	}
}
