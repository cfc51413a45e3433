package scenarios

import (
	"strings"
	"testing"
)

func TestParseThreshold(t *testing.T) {
	tests := []struct {
		expr string
		want Threshold
		err  string
	}{
		{expr: "latency.e2e.p99_ms < 500", want: Threshold{"latency.e2e.p99_ms < 500", "latency.e2e.p99_ms", "<", 500}},
		{expr: "totals.lost == 0", want: Threshold{"totals.lost == 0", "totals.lost", "==", 0}},
		{expr: "throughput.consumed_rps >= 1900", want: Threshold{"throughput.consumed_rps >= 1900", "throughput.consumed_rps", ">=", 1900}},
		{expr: "deadline.on_time_ratio>=0.99", want: Threshold{"deadline.on_time_ratio>=0.99", "deadline.on_time_ratio", ">=", 0.99}},
		{expr: "  totals.throttled <= 1e3 ", want: Threshold{"totals.throttled <= 1e3", "totals.throttled", "<=", 1000}},
		{expr: "latency.put.max_ms > -1", want: Threshold{"latency.put.max_ms > -1", "latency.put.max_ms", ">", -1}},
		{expr: "totals.duplicates != 3", want: Threshold{"totals.duplicates != 3", "totals.duplicates", "!=", 3}},
		{expr: "", err: "must start with a metric"},
		{expr: "< 5", err: "must start with a metric"},
		{expr: "totals.lost", err: "must be METRIC OP NUMBER"},
		{expr: "totals.lost = 0", err: "must be METRIC OP NUMBER"},
		{expr: "totals.lost === 0", err: "must be METRIC OP NUMBER"},
		{expr: "latency.e2e.p99_ms < 500ms", err: `"500ms" is not a number`},
		{expr: "latency.e2e.p99_ms < inf", err: `"inf" is not a number`},
		{expr: "latency..p99 < 5", err: "must be METRIC OP NUMBER"},
		{expr: "a < 1 2", err: "must be METRIC OP NUMBER"},
	}
	for _, tt := range tests {
		got, err := ParseThreshold(tt.expr)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseThreshold(%q) error %v, want one containing %q", tt.expr, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseThreshold(%q) = %+v, %v; want %+v", tt.expr, got, err, tt.want)
		}
	}
}

func TestThresholdEval(t *testing.T) {
	metrics := map[string]float64{"latency.e2e.p99_ms": 420, "totals.lost": 0, "throughput.consumed_rps": 1899.5}
	lookup := func(m string) (float64, bool) { v, ok := metrics[m]; return v, ok }
	tests := []struct {
		expr  string
		value float64
		ok    bool
		err   bool
	}{
		{"latency.e2e.p99_ms < 500", 420, true, false},
		{"latency.e2e.p99_ms < 420", 420, false, false},
		{"latency.e2e.p99_ms <= 420", 420, true, false},
		{"latency.e2e.p99_ms > 420", 420, false, false},
		{"totals.lost == 0", 0, true, false},
		{"totals.lost != 0", 0, false, false},
		{"throughput.consumed_rps >= 1900", 1899.5, false, false},
		{"totals.nothing == 0", 0, false, true},
	}
	for _, tt := range tests {
		th, err := ParseThreshold(tt.expr)
		if err != nil {
			t.Fatal(err)
		}
		v, ok, err := th.Eval(lookup)
		if v != tt.value || ok != tt.ok || (err != nil) != tt.err {
			t.Errorf("%q: got %g %v %v, want %g %v err=%v", tt.expr, v, ok, err, tt.value, tt.ok, tt.err)
		}
	}
	if _, _, err := (Threshold{Expr: "x ~ 1", Metric: "totals.lost", Op: "~"}).Eval(lookup); err == nil {
		t.Error("unknown operator evaluated without an error")
	}
}
