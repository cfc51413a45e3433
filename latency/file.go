package latency

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// A profile file is YAML:
//
//	name: eu-west-1                 # optional; the file's path when absent
//	assumptions: ["..."]            # optional sentences shown in reports
//	put: {kind: lognormal, median: 30ms, p99: 120ms}
//	propagation: {kind: fixed, value: 80ms}
//	fan_out:
//	  kind: table
//	  quantiles: {0: 20ms, 0.5: 60ms, 0.99: 190ms, 1: 400ms}
//
// Each of put, propagation and fan_out is optional (absent means none) and
// has a kind: none; fixed with value; lognormal with median and p99;
// table with quantiles, a mapping from quantile (0 to 1) to duration.
// Durations are Go durations ("30ms", "1.5s"). Unknown keys are errors.

// fileProblem is one problem of a profile file.
type fileProblem struct {
	file      string
	line, col int
	field     string
	msg       string
}

func (p *fileProblem) Error() string {
	var b strings.Builder
	b.WriteString(p.file)
	if p.line > 0 {
		fmt.Fprintf(&b, ":%d:%d", p.line, p.col)
	}
	b.WriteString(": ")
	if p.field != "" {
		b.WriteString(p.field + ": ")
	}
	b.WriteString(p.msg)
	return b.String()
}

// fileDecoder decodes one profile file, collecting every problem.
type fileDecoder struct {
	file  string
	probs []error
}

func (d *fileDecoder) add(n ast.Node, field, format string, args ...any) {
	line, col := 0, 0
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 && !m.IsFlowStyle {
		n = m.Values[0].Key // a block mapping's own token is its first ':'
	}
	if n != nil {
		if tk := n.GetToken(); tk != nil && tk.Position != nil {
			line, col = tk.Position.Line, tk.Position.Column
		}
	}
	d.probs = append(d.probs, &fileProblem{file: d.file, line: line, col: col, field: field, msg: fmt.Sprintf(format, args...)})
}

// Decode decodes a profile file's contents; file names it in messages and
// is the profile's Source (and, without extension, its Name when the file
// sets none). Every
// problem is reported, each as "file:line:col: field: message".
func Decode(file string, data []byte) (*Profile, error) {
	f, err := parser.ParseBytes(data, 0, parser.AllowDuplicateMapKey())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	d := &fileDecoder{file: file}
	p := &Profile{Name: baseName(file), Source: file}
	if len(f.Docs) != 1 || f.Docs[0].Body == nil {
		return nil, fmt.Errorf("%s: want one YAML document with put, propagation and fan_out", file)
	}
	body := f.Docs[0].Body
	for _, kv := range d.mapping(body, "") {
		key := kv.Key.GetToken().Value
		switch key {
		case "name":
			if s, ok := d.str(kv.Value, key); ok && s != "" {
				p.Name = s
			}
		case "assumptions":
			p.Assumptions = d.strings(kv.Value, key)
		case "put":
			p.Put = d.dist(kv.Value, key)
		case "propagation":
			p.Propagation = d.dist(kv.Value, key)
		case "fan_out":
			p.FanOut = d.dist(kv.Value, key)
		default:
			d.add(kv.Key, key, "unknown field; want name, assumptions, put, propagation or fan_out")
		}
	}
	if len(d.probs) > 0 {
		return nil, errors.Join(d.probs...)
	}
	return p, nil
}

// mapping returns n's key-value pairs, reporting duplicates; nil when n is
// not a mapping.
func (d *fileDecoder) mapping(n ast.Node, field string) []*ast.MappingValueNode {
	n = unwrap(n)
	var kvs []*ast.MappingValueNode
	switch m := n.(type) {
	case *ast.MappingNode:
		kvs = m.Values
	case *ast.MappingValueNode:
		kvs = []*ast.MappingValueNode{m}
	default:
		d.add(n, field, "want a mapping, got %s", describe(n))
		return nil
	}
	seen := map[string]bool{}
	out := kvs[:0:0]
	for _, kv := range kvs {
		k := kv.Key.GetToken().Value
		if seen[k] {
			d.add(kv.Key, join(field, k), "set twice")
			continue
		}
		seen[k] = true
		out = append(out, kv)
	}
	return out
}

func (d *fileDecoder) str(n ast.Node, field string) (string, bool) {
	n = unwrap(n)
	if s, ok := n.(*ast.StringNode); ok {
		return s.Value, true
	}
	if s, ok := scalar(n); ok {
		return s, true
	}
	d.add(n, field, "want a string, got %s", describe(n))
	return "", false
}

func (d *fileDecoder) strings(n ast.Node, field string) []string {
	seq, ok := unwrap(n).(*ast.SequenceNode)
	if !ok {
		d.add(n, field, "want a list of sentences, got %s", describe(n))
		return nil
	}
	var out []string
	for i, v := range seq.Values {
		if s, ok := d.str(v, fmt.Sprintf("%s[%d]", field, i)); ok {
			out = append(out, s)
		}
	}
	return out
}

func (d *fileDecoder) duration(n ast.Node, field string) (time.Duration, bool) {
	s, ok := scalar(unwrap(n))
	if !ok {
		d.add(n, field, "want a duration such as 30ms, got %s", describe(n))
		return 0, false
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		d.add(n, field, "want a duration such as 30ms, got %q", s)
		return 0, false
	}
	if v < 0 {
		d.add(n, field, "%v is negative", v)
		return 0, false
	}
	return v, true
}

// dist decodes one distribution.
func (d *fileDecoder) dist(n ast.Node, field string) Dist {
	kvs := d.mapping(n, field)
	if kvs == nil {
		return Dist{}
	}
	fields := map[string]*ast.MappingValueNode{}
	for _, kv := range kvs {
		fields[kv.Key.GetToken().Value] = kv
	}
	kindKV, ok := fields["kind"]
	if !ok {
		d.add(n, field+".kind", "missing; want %s, %s, %s or %s", KindNone, KindFixed, KindLogNormal, KindTable)
		return Dist{}
	}
	kind, _ := d.str(kindKV.Value, field+".kind")
	allowed := map[string][]string{
		KindNone:      nil,
		KindFixed:     {"value"},
		KindLogNormal: {"median", "p99"},
		KindTable:     {"quantiles"},
	}
	want, known := allowed[kind]
	if !known {
		d.add(kindKV.Value, field+".kind", "unknown kind %q; want %s, %s, %s or %s", kind, KindNone, KindFixed, KindLogNormal, KindTable)
		return Dist{}
	}
	before := len(d.probs)
	for _, kv := range kvs {
		k := kv.Key.GetToken().Value
		if k != "kind" && !slices.Contains(want, k) {
			d.add(kv.Key, join(field, k), "unknown field for kind %s; want %s", kind, wantList(append([]string{"kind"}, want...)))
		}
	}
	for _, k := range want {
		if _, ok := fields[k]; !ok {
			d.add(n, join(field, k), "missing (kind %s needs %s)", kind, wantList(want))
		}
	}
	if len(d.probs) > before {
		return Dist{}
	}
	var (
		out Dist
		err error
	)
	switch kind {
	case KindFixed:
		v, ok := d.duration(fields["value"].Value, field+".value")
		if !ok {
			return Dist{}
		}
		out, err = Fixed(v)
	case KindLogNormal:
		med, ok1 := d.duration(fields["median"].Value, field+".median")
		p99, ok2 := d.duration(fields["p99"].Value, field+".p99")
		if !ok1 || !ok2 {
			return Dist{}
		}
		out, err = LogNormal(med, p99)
	case KindTable:
		points, ok := d.quantiles(fields["quantiles"].Value, field+".quantiles")
		if !ok {
			return Dist{}
		}
		out, err = Table(points)
	}
	if err != nil {
		d.add(n, field, "%v", err)
	}
	return out
}

// quantiles decodes a table's quantile → duration mapping, sorted by
// quantile.
func (d *fileDecoder) quantiles(n ast.Node, field string) ([]Point, bool) {
	kvs := d.mapping(n, field)
	if kvs == nil {
		return nil, false
	}
	ok := true
	points := make([]Point, 0, len(kvs))
	for _, kv := range kvs {
		k := kv.Key.GetToken().Value
		q, err := strconv.ParseFloat(k, 64)
		if err != nil || math.IsNaN(q) || q < 0 || q > 1 {
			d.add(kv.Key, join(field, k), "want a quantile from 0 to 1 as the key (0.5 is the median)")
			ok = false
			continue
		}
		v, good := d.duration(kv.Value, join(field, k))
		if !good {
			ok = false
			continue
		}
		points = append(points, Point{Q: q, Value: v})
	}
	slices.SortFunc(points, func(a, b Point) int { return cmpFloat(a.Q, b.Q) })
	return points, ok
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func join(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func wantList(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// unwrap follows anchors and tags to the node holding the value.
func unwrap(n ast.Node) ast.Node {
	for range 8 {
		switch x := n.(type) {
		case *ast.AnchorNode:
			n = x.Value
		case *ast.TagNode:
			n = x.Value
		default:
			return n
		}
	}
	return n
}

func scalar(n ast.Node) (string, bool) {
	switch x := n.(type) {
	case *ast.StringNode:
		return x.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		return x.GetToken().Value, true
	}
	return "", false
}

func describe(n ast.Node) string {
	switch n.(type) {
	case nil, *ast.NullNode:
		return "nothing"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.AliasNode:
		return "an alias (aliases are not supported in profile files)"
	}
	if s, ok := scalar(n); ok {
		return strconv.Quote(s)
	}
	return n.Type().String()
}

// Encode returns p as a profile file that Decode reads back to the same
// distributions. comment, when not empty, opens the file as # lines.
func Encode(p *Profile, comment string) []byte {
	var b strings.Builder
	for line := range strings.Lines(comment) {
		b.WriteString("# " + strings.TrimRight(line, "\n") + "\n")
	}
	fmt.Fprintf(&b, "name: %s\n", strconv.Quote(p.Name))
	if len(p.Assumptions) > 0 {
		b.WriteString("assumptions:\n")
		for _, a := range p.Assumptions {
			fmt.Fprintf(&b, "  - %s\n", strconv.Quote(a))
		}
	}
	for _, c := range []struct {
		key string
		d   Dist
	}{{"put", p.Put}, {"propagation", p.Propagation}, {"fan_out", p.FanOut}} {
		fmt.Fprintf(&b, "%s:\n  kind: %s\n", c.key, c.d.Kind())
		switch c.d.Kind() {
		case KindFixed:
			fmt.Fprintf(&b, "  value: %v\n", c.d.value)
		case KindLogNormal:
			fmt.Fprintf(&b, "  median: %v\n  p99: %v\n", c.d.median, c.d.p99)
		case KindTable:
			b.WriteString("  quantiles:\n")
			for _, pt := range c.d.points {
				fmt.Fprintf(&b, "    %s: %v\n", strconv.FormatFloat(pt.Q, 'f', -1, 64), pt.Value)
			}
		}
	}
	return []byte(b.String())
}

// baseName is a file's name without directory and extension.
func baseName(file string) string {
	return strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
}
