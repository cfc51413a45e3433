package scenarios

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/kbench/kbench/internal/clip"
)

// Threshold is a pass/fail rule on one number of a run's summary, such as
// "latency.e2e.p99_ms < 500" or "totals.lost == 0".
type Threshold struct {
	// Expr is the expression as written.
	Expr string
	// Metric is the dotted summary path, such as "latency.e2e.p99_ms".
	Metric string
	// Op is one of < <= > >= == !=.
	Op string
	// Value is the number the metric is compared with.
	Value float64
}

var (
	thresholdRE = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*(<=|>=|==|!=|<|>)\s*(\S+)\s*$`)
	metricOnly  = regexp.MustCompile(`^\s*[A-Za-z_][A-Za-z0-9_.]*`)
)

// ParseThreshold parses "METRIC OP NUMBER": a dotted metric path of
// summary.json (for example latency.e2e.p99_ms, totals.lost,
// throughput.consumed_rps, deadline.on_time_ratio), an operator (< <= > >=
// == !=) and a finite number without units.
func ParseThreshold(expr string) (Threshold, error) {
	m := thresholdRE.FindStringSubmatch(expr)
	if m == nil {
		if metricOnly.FindString(expr) == "" {
			return Threshold{}, fmt.Errorf("threshold %s must start with a metric such as latency.e2e.p99_ms", clip.Quote(expr))
		}
		return Threshold{}, fmt.Errorf("threshold %s must be METRIC OP NUMBER with OP one of < <= > >= == !=, such as \"latency.e2e.p99_ms < 500\"", clip.Quote(expr))
	}
	v, err := strconv.ParseFloat(m[3], 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return Threshold{}, fmt.Errorf("threshold %s: %s is not a number (write plain numbers; the unit is in the metric name)", clip.Quote(expr), clip.Quote(m[3]))
	}
	return Threshold{Expr: strings.TrimSpace(expr), Metric: m[1], Op: m[2], Value: v}, nil
}

// String returns the expression.
func (t Threshold) String() string { return t.Expr }

// Eval looks the metric up and compares it: value is the metric's value and
// ok whether the rule holds. err is set when lookup does not know the metric.
func (t Threshold) Eval(lookup func(metric string) (float64, bool)) (value float64, ok bool, err error) {
	v, found := lookup(t.Metric)
	if !found {
		return 0, false, fmt.Errorf("threshold %s: unknown metric %s", clip.Quote(t.Expr), clip.Quote(t.Metric))
	}
	switch t.Op {
	case "<":
		ok = v < t.Value
	case "<=":
		ok = v <= t.Value
	case ">":
		ok = v > t.Value
	case ">=":
		ok = v >= t.Value
	case "==":
		ok = v == t.Value
	case "!=":
		ok = v != t.Value
	default:
		return v, false, fmt.Errorf("threshold %s: unknown operator %s", clip.Quote(t.Expr), clip.Quote(t.Op))
	}
	return v, ok, nil
}
