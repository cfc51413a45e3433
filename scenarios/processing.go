package scenarios

import (
	"reflect"
	"time"

	"github.com/goccy/go-yaml/ast"
)

// Processing is the simulated time a consumer application spends on each
// record: either Fixed, or log-normal with the given median and 99th
// percentile. A scenario may give it as a duration, which sets Fixed
// (`processing: 2ms`), or as a mapping (`processing: {median: 2ms, p99:
// 20ms}`). The zero value means no processing time.
type Processing struct {
	// Fixed is the same time for every record, ≥ 0. Not with Median and P99.
	Fixed time.Duration `yaml:"fixed" json:"fixed"`
	// Median is the log-normal's median, ≥ 0; it needs P99.
	Median time.Duration `yaml:"median" json:"median"`
	// P99 is the log-normal's 99th percentile, at least Median; it needs
	// Median.
	P99 time.Duration `yaml:"p99" json:"p99"`
}

// decodeProcessing decodes a processing time: a mapping of its fields, or a
// duration that sets Fixed.
func (d *decoder) decodeProcessing(n ast.Node, v reflect.Value, path string, org *origin) {
	if _, ok := n.(*ast.MappingNode); ok {
		d.decodeStruct(n, v, path, org, nil)
		return
	}
	const want = "must be a duration such as 2ms (fixed) or a mapping such as {median: 2ms, p99: 20ms} (log-normal)"
	var dur time.Duration
	switch x := n.(type) {
	case *ast.IntegerNode:
		if x.Token.Value != "0" {
			d.addAt(n, org, path, want+", got "+describe(n)+" (a number needs a unit)")
			return
		}
	case *ast.StringNode:
		var err error
		if dur, err = time.ParseDuration(x.Value); err != nil {
			d.addAt(n, org, path, want+", got "+describe(n))
			return
		}
	default:
		d.addAt(n, org, path, want+", got "+describe(n))
		return
	}
	v.Set(reflect.ValueOf(Processing{Fixed: dur}))
}
