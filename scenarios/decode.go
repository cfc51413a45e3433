package scenarios

import (
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"

	"github.com/kbench/kbench/internal/clip"
)

var durationType = reflect.TypeFor[time.Duration]()

// position is where a field was set: a line and column in the file, or the
// override it came from.
type position struct {
	line, col int
	org       *origin
}

// decoder decodes a parsed scenario into Go values by hand, so that it can
// report every problem with its position instead of stopping at the first.
// It records where each field was set, so validation can point at it too.
type decoder struct {
	file    string
	probs   Problems
	seen    map[string]position // dotted field path → where it was set
	bad     map[string]bool     // fields that failed to decode; not validated further
	origins map[ast.Node]*origin
	anchors map[string]ast.Node
	budget  int
}

func newDecoder(file string) *decoder {
	return &decoder{
		file:    file,
		seen:    map[string]position{},
		bad:     map[string]bool{},
		origins: map[ast.Node]*origin{},
		anchors: map[string]ast.Node{},
		budget:  MaxNodes, // aliases that expand exponentially, or refer to themselves, cannot run away
	}
}

// defaulter is implemented by sequence elements whose defaults depend on
// their index; decodeSlice calls it before decoding each element.
type defaulter interface {
	setDefaults(index int)
}

// collectAnchors records every anchor under n so aliases can be resolved.
func (d *decoder) collectAnchors(n ast.Node) {
	for _, a := range ast.Filter(ast.AnchorType, n) {
		if a, ok := a.(*ast.AnchorNode); ok && a.Name != nil {
			d.anchors[a.Name.GetToken().Value] = a.Value
		}
	}
}

// addAt records a problem at node n (or at the override it came from) and
// marks field as bad, so validation does not report it again.
func (d *decoder) addAt(n ast.Node, org *origin, field, msg string) {
	line, col := nodePos(n)
	d.probs = append(d.probs, org.problem(d.file, line, col, field, msg))
	d.bad[field] = true
}

// report records a problem with a field, at the place the field was set or,
// when it was not set, at its nearest enclosing field that was. Fields that
// failed to decode (or sit inside one that did) are not reported again.
func (d *decoder) report(field, msg string) {
	for p := field; p != ""; p = parentPath(p) {
		if d.bad[p] {
			return
		}
	}
	for p := field; ; p = parentPath(p) {
		if pos, ok := d.seen[p]; ok {
			d.probs = append(d.probs, pos.org.problem(d.file, pos.line, pos.col, field, msg))
			return
		}
		if p == "" {
			d.probs = append(d.probs, Problem{File: d.file, Line: 1, Column: 1, Field: field, Message: msg})
			return
		}
	}
}

// has says whether field was set in the file or by an override.
func (d *decoder) has(field string) bool {
	_, ok := d.seen[field]
	return ok
}

// mark records where field was set.
func (d *decoder) mark(field string, n ast.Node, org *origin) {
	line, col := nodePos(n)
	d.seen[field] = position{line: line, col: col, org: org}
}

func nodePos(n ast.Node) (line, col int) {
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 && !m.IsFlowStyle {
		n = m.Values[0].Key // a block mapping's own token is its first ':'
	}
	if n == nil {
		return 0, 0
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return 0, 0
	}
	return tk.Position.Line, tk.Position.Column
}

// parentPath returns the enclosing field of a dotted path:
// "a.b[2]" → "a.b", "a.b" → "a", "a" → "".
func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// resolve follows anchors, aliases and tags to the node holding the value.
// An alias to an unknown anchor is returned as is.
func (d *decoder) resolve(n ast.Node) ast.Node {
	for range 16 {
		switch x := n.(type) {
		case *ast.AnchorNode:
			n = x.Value
		case *ast.TagNode:
			n = x.Value
		case *ast.AliasNode:
			a, ok := d.anchors[x.Value.GetToken().Value]
			if !ok {
				return x
			}
			n = a
		default:
			return n
		}
	}
	return n
}

func isNull(n ast.Node) bool {
	if n == nil {
		return true
	}
	_, ok := n.(*ast.NullNode)
	return ok
}

// describe names a node's kind for "got ..." messages.
func describe(n ast.Node) string {
	switch n.(type) {
	case *ast.MappingNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	}
	if s, ok := scalarText(n); ok {
		return clip.Quote(s)
	}
	return n.Type().String()
}

// scalarText returns the text of a scalar node.
func scalarText(n ast.Node) (string, bool) {
	switch x := n.(type) {
	case *ast.StringNode:
		return x.Value, true
	case *ast.LiteralNode:
		return x.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		return x.GetToken().Value, true
	}
	return "", false
}

// decodeValue decodes n into v, reporting problems under path.
func (d *decoder) decodeValue(n ast.Node, v reflect.Value, path string, org *origin) {
	if d.budget--; d.budget < 0 {
		if d.budget == -1 {
			d.addAt(n, org, path, fmt.Sprintf("document too large (aliases expand to more than %d nodes)", MaxNodes))
		}
		return
	}
	if o := d.origins[n]; o != nil {
		org = o
	}
	n = d.resolve(n)
	if a, ok := n.(*ast.AliasNode); ok {
		d.addAt(a, org, path, fmt.Sprintf("unknown alias %s", clip.Quote(a.Value.GetToken().Value)))
		return
	}
	if isNull(n) {
		return
	}
	switch v.Type() {
	case durationType:
		d.decodeDuration(n, v, path, org)
		return
	case processingType:
		d.decodeProcessing(n, v, path, org)
		return
	}
	switch v.Kind() {
	case reflect.String:
		s, ok := scalarText(n)
		if !ok {
			d.addAt(n, org, path, "must be a string, got "+describe(n))
			return
		}
		v.SetString(s)
	case reflect.Bool:
		b, ok := n.(*ast.BoolNode)
		if !ok {
			d.addAt(n, org, path, "must be true or false, got "+describe(n))
			return
		}
		v.SetBool(b.Value)
	case reflect.Int, reflect.Int64:
		d.decodeInt(n, v, path, org)
	case reflect.Float64:
		f, ok := floatValue(n)
		if !ok && n.GetToken().Type == token.StringType {
			// goccy/go-yaml reads 1e9 as a string; YAML 1.2 says float.
			f, ok = parseFloat(n.GetToken().Value)
		}
		if !ok {
			d.addAt(n, org, path, "must be a number, got "+describe(n))
			return
		}
		v.SetFloat(f)
	case reflect.Slice:
		d.decodeSlice(n, v, path, org)
	case reflect.Map:
		d.decodeMap(n, v, path, org)
	case reflect.Pointer:
		// An optional value: nil when absent or null, as above.
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decodeValue(n, v.Elem(), path, org)
	case reflect.Struct:
		switch v.Type() {
		case producerType:
			d.decodeProducer(n, v.Addr().Interface().(*Producer), path, org)
			return
		case rateType:
			d.decodeRate(n, v.Addr().Interface().(*Rate), path, org)
			return
		case eventType:
			d.decodeEvent(n, v.Addr().Interface().(*Event), path, org)
			return
		}
		d.decodeStruct(n, v, path, org, nil)
	default:
		d.addAt(n, org, path, "cannot be decoded into "+v.Type().String())
	}
}

// decodeMap decodes a mapping into a map with string keys; an empty
// mapping leaves the map nil.
func (d *decoder) decodeMap(n ast.Node, v reflect.Value, path string, org *origin) {
	m, ok := n.(*ast.MappingNode)
	if !ok || v.Type().Key().Kind() != reflect.String {
		d.addAt(n, org, path, "must be a mapping, got "+describe(n))
		return
	}
	for _, e := range d.entries(m, path, org) {
		korg := d.keyOrigin(e, org)
		fpath := joinPath(path, e.key)
		d.markKey(fpath, e.kv, korg)
		ev := reflect.New(v.Type().Elem()).Elem()
		d.decodeValue(e.kv.Value, ev, fpath, korg)
		if v.IsNil() {
			v.Set(reflect.MakeMap(v.Type()))
		}
		v.SetMapIndex(reflect.ValueOf(e.key).Convert(v.Type().Key()), ev)
	}
}

func (d *decoder) decodeInt(n ast.Node, v reflect.Value, path string, org *origin) {
	in, ok := n.(*ast.IntegerNode)
	if !ok {
		d.addAt(n, org, path, "must be an integer, got "+describe(n))
		return
	}
	var i int64
	switch x := in.Value.(type) {
	case int64:
		i = x
	case uint64:
		if x > math.MaxInt64 {
			d.addAt(n, org, path, "integer "+in.Token.Value+" is out of range")
			return
		}
		i = int64(x)
	default:
		d.addAt(n, org, path, "must be an integer, got "+describe(n))
		return
	}
	if v.OverflowInt(i) {
		d.addAt(n, org, path, "integer "+in.Token.Value+" is out of range")
		return
	}
	v.SetInt(i)
}

// parseFloat accepts finite decimal numbers only (no hex, inf or nan).
func parseFloat(s string) (float64, bool) {
	if strings.ContainsAny(s, "xXpPiInN_") {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func floatValue(n ast.Node) (float64, bool) {
	switch x := n.(type) {
	case *ast.FloatNode:
		return x.Value, !math.IsInf(x.Value, 0) && !math.IsNaN(x.Value)
	case *ast.IntegerNode:
		switch i := x.Value.(type) {
		case int64:
			return float64(i), true
		case uint64:
			return float64(i), true
		}
	}
	return 0, false
}

func (d *decoder) decodeDuration(n ast.Node, v reflect.Value, path string, org *origin) {
	const want = "must be a duration such as 30s, 1m30s or 250ms"
	if in, ok := n.(*ast.IntegerNode); ok {
		if in.Token.Value == "0" {
			v.SetInt(0)
			return
		}
		d.addAt(n, org, path, want+", got "+describe(n)+" (a number needs a unit)")
		return
	}
	s, ok := n.(*ast.StringNode)
	if !ok {
		d.addAt(n, org, path, want+", got "+describe(n))
		return
	}
	dur, err := time.ParseDuration(s.Value)
	if err != nil {
		d.addAt(n, org, path, want+", got "+describe(n))
		return
	}
	if dur > MaxDuration || dur < -MaxDuration {
		d.addAt(n, org, path, fmt.Sprintf("must be at most %s (365 days), got %s", fmtHours(MaxDuration), describe(n)))
		return
	}
	v.SetInt(int64(dur))
}

// fmtHours writes a long duration in hours, as "8760h".
func fmtHours(d time.Duration) string {
	return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
}

func (d *decoder) decodeSlice(n ast.Node, v reflect.Value, path string, org *origin) {
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		d.addAt(n, org, path, "must be a list, got "+describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(seq.Values), len(seq.Values))
	for i, item := range seq.Values {
		ipath := fmt.Sprintf("%s[%d]", path, i)
		iorg := org
		if o := d.origins[item]; o != nil {
			iorg = o
		}
		d.mark(ipath, item, iorg)
		elem := s.Index(i)
		if df, ok := elem.Addr().Interface().(defaulter); ok {
			df.setDefaults(i)
		}
		d.decodeValue(item, elem, ipath, iorg)
	}
	v.Set(s)
}

// entry is one key of a mapping, after merge keys have been expanded.
type entry struct {
	key string
	kv  *ast.MappingValueNode
}

// entries lists a mapping's keys in order, reporting duplicate keys and
// then adding the keys of `<<: *alias` merges that are not set explicitly
// (among merges, the first to set a key wins, as YAML says).
func (d *decoder) entries(m *ast.MappingNode, path string, org *origin) []entry {
	var out, merged []entry
	first := map[string]*ast.MappingValueNode{}
	for _, kv := range m.Values {
		korg := org
		if o := d.origins[kv]; o != nil {
			korg = o
		}
		if kv.Key.IsMergeKey() {
			merged = append(merged, d.mergeEntries(kv.Value, path, korg)...)
			continue
		}
		key, ok := scalarText(d.resolve(kv.Key))
		if !ok {
			d.addAt(kv.Key, korg, path, "a key must be a plain name, got "+describe(kv.Key))
			continue
		}
		if prev, dup := first[key]; dup {
			line, _ := nodePos(prev.Key)
			d.addAt(kv.Key, korg, joinPath(path, key), fmt.Sprintf("duplicate key %s (first set on line %d)", clip.Quote(key), line))
			continue
		}
		first[key] = kv
		out = append(out, entry{key: key, kv: kv})
	}
	for _, e := range merged {
		if first[e.key] == nil {
			first[e.key] = e.kv
			out = append(out, e)
		}
	}
	return out
}

func (d *decoder) mergeEntries(n ast.Node, path string, org *origin) []entry {
	var sources []ast.Node
	switch x := d.resolve(n).(type) {
	case *ast.SequenceNode:
		sources = x.Values
	default:
		sources = []ast.Node{x}
	}
	var out []entry
	for _, src := range sources {
		m, ok := d.resolve(src).(*ast.MappingNode)
		if !ok {
			d.addAt(src, org, path, "a << merge needs a mapping or an alias of one, got "+describe(d.resolve(src)))
			continue
		}
		if d.budget -= len(m.Values); d.budget < 0 {
			return out
		}
		out = append(out, d.entries(m, path, org)...)
	}
	return out
}

// decodeStruct decodes a mapping into the struct v by its yaml tags.
// Keys named in extra are handed to their function instead of decoded;
// any other key without a field is an unknown field.
func (d *decoder) decodeStruct(n ast.Node, v reflect.Value, path string, org *origin, extra map[string]func(*ast.MappingValueNode, *origin)) {
	m, ok := n.(*ast.MappingNode)
	if !ok {
		d.addAt(n, org, path, "must be a mapping, got "+describe(n))
		return
	}
	fields := yamlFields(v.Type())
	for _, e := range d.entries(m, path, org) {
		korg := org
		if o := d.origins[e.kv]; o != nil {
			korg = o
		}
		fpath := joinPath(path, e.key)
		if f, ok := extra[e.key]; ok {
			d.markKey(fpath, e.kv, korg)
			f(e.kv, korg)
			continue
		}
		idx, ok := fields[e.key]
		if !ok {
			d.addAt(e.kv.Key, korg, fpath, fmt.Sprintf("unknown field %s; known fields: %s", clip.Quote(e.key), knownFields(v.Type(), extra)))
			continue
		}
		d.markKey(fpath, e.kv, korg)
		d.decodeValue(e.kv.Value, v.Field(idx), fpath, korg)
	}
}

// markKey records where the key of kv was set; a null value counts as
// absent, so the field keeps its default.
func (d *decoder) markKey(fpath string, kv *ast.MappingValueNode, org *origin) {
	if o := d.origins[kv.Value]; o != nil {
		org = o
	}
	if isNull(d.resolve(kv.Value)) {
		return
	}
	d.mark(fpath, kv.Key, org)
}

// yamlFields maps yaml names to field indexes; fields tagged "-" are left out.
func yamlFields(t reflect.Type) map[string]int {
	out := map[string]int{}
	for i := range t.NumField() {
		if name := yamlName(t.Field(i)); name != "" {
			out[name] = i
		}
	}
	return out
}

func yamlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	if name == "" {
		return strings.ToLower(f.Name)
	}
	return name
}

func knownFields(t reflect.Type, extra map[string]func(*ast.MappingValueNode, *origin)) string {
	var names []string
	for i := range t.NumField() {
		if name := yamlName(t.Field(i)); name != "" {
			names = append(names, name)
		}
	}
	names = append(names, slices.Sorted(maps.Keys(extra))...)
	return strings.Join(names, ", ")
}
