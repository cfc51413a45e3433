package gate

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/kbench/kbench/internal/clip"
)

// ChangeKind says how a Rule's change is measured.
type ChangeKind int

const (
	// Relative is a change relative to the baseline median, written "+10%"
	// or "-5%": the limit is baseline + |baseline| × change.
	Relative ChangeKind = iota + 1
	// Delta is a signed absolute change, written "+50" or "-0.01": the limit
	// is baseline + change.
	Delta
	// Bound is an absolute bound, written without a sign ("500"): the limit
	// is the bound, whatever the baseline.
	Bound
)

// Rule is one regression-gate rule, "METRIC OP CHANGE", such as
// "latency.e2e.p99_ms > +10%". The rule fails (a regression) when the
// current median compared with OP against the limit holds: "> +10%" fails
// when current > baseline × 1.10, "< -5%" when current < baseline × 0.95,
// "> +50" when current > baseline + 50, "> 500" when current > 500.
type Rule struct {
	// Expr is the rule as written, trimmed.
	Expr string
	// Metric is a Summary.Lookup path.
	Metric string
	// Op is one of > >= < <=.
	Op string
	// Kind says how Change is applied.
	Kind ChangeKind
	// Change is a fraction for Relative ("+10%" is 0.10), a signed amount
	// for Delta and the bound itself for Bound.
	Change float64
}

var (
	metricRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$`)
	numberRE = regexp.MustCompile(`^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)
)

// ruleHint ends every rule parse error.
const ruleHint = `want METRIC OP CHANGE with OP one of > >= < <= and CHANGE +10% or -5% (relative to the baseline), +50 or -100 (added to the baseline) or 500 (an absolute bound), such as "latency.e2e.p99_ms > +10%"`

// ParseRule parses a gate rule strictly: a dotted metric path, an operator
// (> >= < <=) and a change. A change with a sign and "%" is relative to the
// baseline median, one with a sign and no "%" is added to it, and a plain
// number is an absolute bound. The error names the rule and what is wrong.
func ParseRule(expr string) (Rule, error) {
	bad := func(format string, a ...any) (Rule, error) {
		return Rule{}, fmt.Errorf("rule %s: %s; %s", clip.Quote(expr), fmt.Sprintf(format, a...), ruleHint)
	}
	e := strings.TrimSpace(expr)
	if e == "" {
		return bad("empty rule")
	}
	i := strings.IndexAny(e, "<>=!")
	if i < 0 {
		return bad("no operator")
	}
	metric := strings.TrimSpace(e[:i])
	if metric == "" {
		return bad("no metric before the operator")
	}
	if !metricRE.MatchString(metric) {
		return bad("%s is not a dotted summary.json path such as latency.e2e.p99_ms", clip.Quote(metric))
	}
	j := i
	for j < len(e) && strings.ContainsRune("<>=!", rune(e[j])) {
		j++
	}
	op := e[i:j]
	switch op {
	case ">", ">=", "<", "<=":
	case "==", "!=", "=":
		return bad("operator %s: a gate fails on a change, so OP is one of > >= < <= (use a scenario threshold to test equality)", clip.Quote(op))
	default:
		return bad("unknown operator %s", clip.Quote(op))
	}
	change := strings.TrimSpace(e[j:])
	if change == "" {
		return bad("no change after %s", clip.Quote(op))
	}
	if strings.ContainsAny(change, " \t") {
		return bad("unexpected text %s after the change", clip.Quote(change[strings.IndexAny(change, " \t")+1:]))
	}
	r := Rule{Expr: e, Metric: metric, Op: op}
	sign := 0.0
	switch change[0] {
	case '+':
		sign = 1
	case '-':
		sign = -1
	}
	body := change
	if sign != 0 {
		body = change[1:]
	}
	pct := strings.HasSuffix(body, "%")
	body = strings.TrimSuffix(body, "%")
	if !numberRE.MatchString(body) {
		return bad("%s is not a number (write plain numbers; the unit is in the metric name)", clip.Quote(change))
	}
	v, err := strconv.ParseFloat(body, 64)
	if err != nil || math.IsInf(v, 0) {
		return bad("%s is not a finite number", clip.Quote(change))
	}
	switch {
	case pct && sign == 0:
		return bad("relative change %s needs a sign: +%s%% (higher than the baseline) or -%s%% (lower)", clip.Quote(change), clip.Cut(body), clip.Cut(body))
	case pct:
		r.Kind, r.Change = Relative, sign*v/100
		if r.Change < -1 {
			return bad("%s: a metric cannot fall by more than 100%%", clip.Quote(change))
		}
	case sign != 0:
		r.Kind, r.Change = Delta, sign*v
	default:
		r.Kind, r.Change = Bound, v
	}
	return r, nil
}

// ParseRules parses every rule and reports every bad one at once (the
// first clip.MaxListed, and how many more).
func ParseRules(exprs []string) ([]Rule, error) {
	var rules []Rule
	var errs []error
	for _, e := range exprs {
		r, err := ParseRule(e)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		rules = append(rules, r)
	}
	if more := clip.More(len(errs), "bad rules"); more != "" {
		errs = append(errs[:clip.MaxListed], errors.New(more))
	}
	return rules, errors.Join(errs...)
}

// DefaultRules are the rules a gate applies when it is given none: the
// end-to-end p99 may not rise by more than 10%, consumed throughput may not
// fall by more than 5%, no record may be lost, and the throttle ratio may
// not rise by more than 0.01 (one record-attempt in a hundred).
func DefaultRules() []Rule {
	return []Rule{
		{Expr: "latency.e2e.p99_ms > +10%", Metric: "latency.e2e.p99_ms", Op: ">", Kind: Relative, Change: 0.10},
		{Expr: "throughput.consumed_rps < -5%", Metric: "throughput.consumed_rps", Op: "<", Kind: Relative, Change: -0.05},
		{Expr: "totals.lost > 0", Metric: "totals.lost", Op: ">", Kind: Bound, Change: 0},
		{Expr: "throttle_ratio > +0.01", Metric: "throttle_ratio", Op: ">", Kind: Delta, Change: 0.01},
	}
}

// String returns the rule as written.
func (r Rule) String() string { return r.Expr }

// changeText is the change as written in the rule, such as "+10%".
func (r Rule) changeText() string {
	return strings.TrimSpace(r.Expr[strings.LastIndexAny(r.Expr, "<>=")+1:])
}

// Limit is the value the current median is compared with, given the
// baseline median.
func (r Rule) Limit(baseline float64) float64 {
	switch r.Kind {
	case Relative:
		return baseline + math.Abs(baseline)*r.Change
	case Delta:
		return baseline + r.Change
	}
	return r.Change
}

// Breached reports whether current compared with OP against limit holds,
// that is whether the rule fails.
func (r Rule) Breached(current, limit float64) bool {
	switch r.Op {
	case ">":
		return current > limit
	case ">=":
		return current >= limit
	case "<":
		return current < limit
	case "<=":
		return current <= limit
	}
	return false
}
