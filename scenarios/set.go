package scenarios

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/kbench/kbench/internal/clip"
)

// seg is one step of a --set path: a mapping key or a list index.
type seg struct {
	key   string
	index int
	isIdx bool
}

// parsePath parses a dotted path with optional indexes, such as
// "producers[0].rate.rps" or "producers.0.rate.rps".
func parsePath(p string) ([]seg, error) {
	if p == "" {
		return nil, fmt.Errorf("empty path")
	}
	var segs []seg
	for part := range strings.SplitSeq(p, ".") {
		name, rest, _ := strings.Cut(part, "[")
		if name == "" && rest == "" {
			return nil, fmt.Errorf("path %s has an empty part", clip.Quote(p))
		}
		switch {
		case name == "":
			if len(segs) == 0 {
				return nil, fmt.Errorf("path %s starts with an index", clip.Quote(p))
			}
		case isDigits(name):
			if len(segs) == 0 {
				return nil, fmt.Errorf("path %s starts with an index", clip.Quote(p))
			}
			i, err := strconv.Atoi(name)
			if err != nil {
				return nil, fmt.Errorf("path %s: bad index %s", clip.Quote(p), clip.Quote(name))
			}
			segs = append(segs, seg{index: i, isIdx: true})
		case validKey(name):
			segs = append(segs, seg{key: name})
		default:
			return nil, fmt.Errorf("path %s: bad name %s", clip.Quote(p), clip.Quote(name))
		}
		if !strings.Contains(part, "[") {
			continue
		}
		for rest = "[" + rest; rest != ""; {
			end := strings.IndexByte(rest, ']')
			if rest[0] != '[' || end < 0 || !isDigits(rest[1:end]) {
				return nil, fmt.Errorf("path %s: bad index in %s", clip.Quote(p), clip.Quote(part))
			}
			i, err := strconv.Atoi(rest[1:end])
			if err != nil {
				return nil, fmt.Errorf("path %s: bad index in %s", clip.Quote(p), clip.Quote(part))
			}
			segs = append(segs, seg{index: i, isIdx: true})
			rest = rest[end+1:]
		}
	}
	return segs, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func validKey(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return s != ""
}

// pathString formats segs in the canonical form "a.b[0].c".
func pathString(segs []seg) string {
	var b strings.Builder
	for i, s := range segs {
		switch {
		case s.isIdx:
			fmt.Fprintf(&b, "[%d]", s.index)
		case i > 0:
			b.WriteString("." + s.key)
		default:
			b.WriteString(s.key)
		}
	}
	return b.String()
}

// applySet applies one "path=value" override to the parsed file.
func (d *decoder) applySet(root *ast.MappingNode, expr string) {
	fail := func(field, msg string) {
		d.probs = append(d.probs, Problem{File: "--set", Field: field, Message: msg})
	}
	path, value, ok := strings.Cut(expr, "=")
	if !ok {
		fail("", fmt.Sprintf("%s is not path=value", clip.Quote(expr)))
		return
	}
	path = strings.TrimSpace(path)
	segs, err := parsePath(path)
	if err != nil {
		fail("", fmt.Sprintf("%s: %v", clip.Quote(expr), err))
		return
	}
	field := pathString(segs)
	node, err := parseValue(value)
	if err != nil {
		fail(field, fmt.Sprintf("cannot parse value %s: %v", clip.Quote(value), err))
		return
	}
	org := &origin{file: "--set", note: "--set " + clip.Cut(expr)}
	if err := d.applyPath(root, segs, node, org); err != nil {
		fail(field, fmt.Sprintf("%v (--set %s)", err, clip.Cut(expr)))
	}
}

// parseValue parses a --set value as one YAML scalar or flow value.
func parseValue(s string) (ast.Node, error) {
	if len(s) > MaxFileBytes {
		return nil, fmt.Errorf("the value is longer than %d bytes (1 MiB)", MaxFileBytes)
	}
	if _, msg := checkShape([]byte(s)); msg != "" {
		return nil, errors.New(msg)
	}
	f, err := parser.ParseBytes([]byte(s), 0)
	if err != nil {
		return nil, fmt.Errorf("%s", syntaxProblem("", err).Message)
	}
	var body ast.Node
	for _, doc := range f.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		if body != nil {
			return nil, fmt.Errorf("more than one YAML document")
		}
		body = doc.Body
	}
	if body == nil {
		body = ast.Null(token.New("null", "null", &token.Position{}))
	}
	return body, nil
}

// applyPath sets the node at segs to value, creating missing mapping keys,
// and marks the nodes it adds as coming from org.
func (d *decoder) applyPath(root *ast.MappingNode, segs []seg, value ast.Node, org *origin) error {
	var cur ast.Node = root
	for i, sg := range segs {
		last := i == len(segs)-1
		where := pathString(segs[:i])
		cur = unwrap(cur)
		if _, ok := cur.(*ast.AliasNode); ok {
			return fmt.Errorf("%s is an alias; set the anchored value instead", where)
		}
		if sg.isIdx {
			seq, ok := cur.(*ast.SequenceNode)
			if !ok {
				return fmt.Errorf("%s is not a list", where)
			}
			if sg.index >= len(seq.Values) {
				return fmt.Errorf("index %d is past the end of %s (%d items)", sg.index, where, len(seq.Values))
			}
			if last {
				seq.Values[sg.index] = value
				d.origins[value] = org
				return nil
			}
			cur = seq.Values[sg.index]
			continue
		}
		m, ok := cur.(*ast.MappingNode)
		if !ok {
			if where == "" {
				where = "the scenario"
			}
			return fmt.Errorf("%s is not a mapping", where)
		}
		kv := findKey(m, sg.key)
		if kv == nil {
			if !last && segs[i+1].isIdx {
				return fmt.Errorf("index %d is past the end of %s (no items)", segs[i+1].index, pathString(segs[:i+1]))
			}
			kv = ast.MappingValue(newToken(":"), ast.String(newToken(sg.key)), ast.Null(newToken("null")))
			m.Values = append(m.Values, kv)
			d.origins[kv] = org
		}
		if last {
			kv.Value = value
			d.origins[value] = org
			return nil
		}
		if isNull(unwrap(kv.Value)) {
			if segs[i+1].isIdx {
				return fmt.Errorf("index %d is past the end of %s (no items)", segs[i+1].index, pathString(segs[:i+1]))
			}
			kv.Value = ast.Mapping(newToken("{"), true)
			d.origins[kv.Value] = org
		}
		cur = kv.Value
	}
	return nil
}

func newToken(s string) *token.Token {
	return token.New(s, s, &token.Position{})
}

// unwrap looks through anchors and tags (but not aliases, whose targets
// are shared and must not be changed through them).
func unwrap(n ast.Node) ast.Node {
	for {
		switch x := n.(type) {
		case *ast.AnchorNode:
			n = x.Value
		case *ast.TagNode:
			n = x.Value
		default:
			return n
		}
	}
}

// findKey returns the last entry of m with the given key, the one a
// duplicate-free file has only once.
func findKey(m *ast.MappingNode, key string) *ast.MappingValueNode {
	var found *ast.MappingValueNode
	for _, kv := range m.Values {
		if kv.Key.IsMergeKey() {
			continue
		}
		if s, ok := scalarText(unwrap(kv.Key)); ok && s == key {
			found = kv
		}
	}
	return found
}
