package scenarios

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/kbench/kbench/internal/clip"
)

// MaxCells caps how many cells a matrix may expand into.
const MaxCells = 256

// axis is a decoded matrix axis with the nodes it came from.
type axis struct {
	MatrixAxis
	segs   []seg
	key    ast.Node
	values []ast.Node
}

func axisList(axes []axis) []MatrixAxis {
	var out []MatrixAxis
	for _, a := range axes {
		out = append(out, a.MatrixAxis)
	}
	return out
}

// decodeMatrix decodes the `matrix:` mapping: --set paths to non-empty
// lists of scalars.
func (d *decoder) decodeMatrix(kv *ast.MappingValueNode, org *origin) []axis {
	if o := d.origins[kv.Value]; o != nil {
		org = o
	}
	n := d.resolve(kv.Value)
	if isNull(n) {
		return nil
	}
	m, ok := n.(*ast.MappingNode)
	if !ok {
		d.addAt(n, org, "matrix", "must be a mapping from a --set path to a list of values, got "+describe(n))
		return nil
	}
	var axes []axis
	seen := map[string]int{}
	cells := 1
	for _, e := range d.entries(m, "matrix", org) {
		segs, err := parsePath(e.key)
		if err != nil {
			d.addAt(e.kv.Key, org, "matrix", err.Error())
			continue
		}
		canon := pathString(segs)
		if segs[0].key == "matrix" {
			d.addAt(e.kv.Key, org, "matrix."+canon, "a matrix cannot vary the matrix")
			continue
		}
		if err := checkSchemaPath(segs); err != nil {
			d.addAt(e.kv.Key, org, "matrix."+canon, err.Error())
			continue
		}
		if line, dup := seen[canon]; dup {
			d.addAt(e.kv.Key, org, "matrix."+canon, fmt.Sprintf("path %s is already an axis (line %d)", canon, line))
			continue
		}
		seen[canon], _ = nodePos(e.kv.Key)
		a := axis{MatrixAxis: MatrixAxis{Path: e.key}, segs: segs, key: e.kv.Key}
		seq, ok := d.resolve(e.kv.Value).(*ast.SequenceNode)
		if !ok || len(seq.Values) == 0 {
			d.addAt(e.kv.Key, org, "matrix."+canon, "must be a non-empty list of values, such as [1, 2, 4]")
			continue
		}
		good := true
		for _, v := range seq.Values {
			v = d.resolve(v)
			text, ok := scalarText(v)
			if !ok {
				d.addAt(v, org, "matrix."+canon, "values must be scalars, got "+describe(v))
				good = false
				continue
			}
			a.Values = append(a.Values, text)
			a.values = append(a.values, v)
		}
		if !good {
			continue
		}
		cells *= len(a.values)
		if cells > MaxCells {
			d.addAt(kv.Key, org, "matrix", fmt.Sprintf("expands into more than %d cells", MaxCells))
			return nil
		}
		axes = append(axes, a)
	}
	return axes
}

// fixedTarget lists the target fields a matrix cannot vary: a run opens
// one target for all its cells (the simulator's settings, target.sim, may
// vary: each cell then gets a simulator of its own).
var fixedTarget = []string{"kind", "endpoint", "region"}

// checkSchemaPath checks that a matrix path names a scenario field that may
// vary. Paths inside a producer's options, a rate's profile fields or an
// event's action are checked when the cells are decoded, as their fields
// depend on the generator, the profile or the event kind.
func checkSchemaPath(segs []seg) error {
	if len(segs) > 0 && segs[0].key == "target" && (len(segs) == 1 || slices.Contains(fixedTarget, segs[1].key)) {
		return fmt.Errorf("%s cannot vary in a matrix: one run opens one target for all its cells (target.sim.* may vary); run the scenario once per target instead", pathString(segs))
	}
	t := reflect.TypeFor[Scenario]()
	for i, sg := range segs {
		where := pathString(segs[:i])
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if sg.isIdx {
			if t.Kind() != reflect.Slice {
				return fmt.Errorf("%s is not a list", where)
			}
			t = t.Elem()
			continue
		}
		if t.Kind() != reflect.Struct || t == durationType {
			return fmt.Errorf("%s is not a mapping", where)
		}
		if t == producerType && sg.key == "options" || t == rateType && sg.key != "profile" || t == eventType && sg.key != "at" {
			return nil
		}
		idx, ok := yamlFields(t)[sg.key]
		if !ok {
			if where == "" {
				where = "a scenario"
			}
			return fmt.Errorf("unknown field %s in %s", clip.Quote(sg.key), where)
		}
		t = t.Field(idx).Type
	}
	return nil
}

// matrix finds the `matrix:` entry of root, decodes it and removes it.
func (d *decoder) matrix(root *ast.MappingNode, org *origin) []axis {
	kv := findKey(root, "matrix")
	if kv == nil {
		return nil
	}
	axes := d.decodeMatrix(kv, org)
	kept := root.Values[:0]
	for _, e := range root.Values {
		if e != kv {
			kept = append(kept, e)
		}
	}
	root.Values = kept
	return axes
}

// cellCount is the number of cells axes expand into.
func cellCount(axes []axis) int {
	n := 1
	for _, a := range axes {
		n *= len(a.values)
	}
	return n
}

// CellIndexes returns the index in each axis's Values of cell k's value,
// for the cells as Cells orders them (the first axis varying slowest).
func CellIndexes(axes []MatrixAxis, k int) []int {
	idx := make([]int, len(axes))
	for j := len(axes) - 1; j >= 0; j-- {
		n := len(axes[j].Values)
		idx[j] = k % n
		k /= n
	}
	return idx
}

// applyCell applies the values of cell k to root and returns its label.
func (d *decoder) applyCell(root *ast.MappingNode, axes []axis, k int) string {
	var label []string
	for j, i := range CellIndexes(axisList(axes), k) {
		a := axes[j]
		text := a.Values[i]
		line, col := nodePos(a.values[i])
		org := &origin{file: d.file, line: line, column: col, note: "matrix " + clip.Cut(a.Path+"="+text)}
		if err := d.applyPath(root, a.segs, a.values[i], org); err != nil {
			kl, kc := nodePos(a.key)
			d.probs = append(d.probs, Problem{File: d.file, Line: kl, Column: kc, Field: "matrix." + pathString(a.segs), Message: err.Error()})
		}
		label = append(label, a.Path+"="+text)
	}
	return strings.Join(label, ",")
}

// Cells expands the matrix into one fully validated Scenario per cell: the
// cartesian product of the axes in file order, the first axis varying
// slowest. Matrix values are applied after the --set overrides. Each cell's
// stream name gets a suffix from its values (or its number), so cells never
// share a stream, unless stream.existing is set. Without a matrix Cells
// returns the scenario itself, and so it does for a scenario that already is
// a cell.
func (s *Scenario) Cells() ([]*Scenario, error) {
	if len(s.Matrix) == 0 || s.Cell != "" {
		return []*Scenario{s}, nil
	}
	if s.src == nil {
		return nil, fmt.Errorf("scenario %s was not loaded from a file, so its matrix cannot be expanded", clip.Quote(s.Name))
	}
	cells, probs := s.src.cells()
	if len(probs) > 0 {
		probs.sort()
		return nil, probs
	}
	return cells, nil
}

var unsafeStreamChars = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

// cells builds every cell of the source's matrix.
func (src *source) cells() ([]*Scenario, Problems) {
	d := newDecoder(src.name)
	root := d.parseRoot(src.data)
	if root == nil {
		return nil, d.probs
	}
	d.collectAnchors(root)
	n := cellCount(d.matrix(root, nil))
	if len(d.probs) > 0 {
		return nil, d.probs
	}
	var all Problems
	var cells []*Scenario
	reported := map[string]bool{} // field and message without the cell's note
	for k := range n {
		c, probs := src.build(k)
		for _, p := range probs {
			base, _, found := strings.Cut(p.Message, " (matrix ")
			if !found && c != nil {
				p.Message += " (in matrix cell " + c.Cell + ")"
			}
			if key := p.Field + "\x00" + base; !reported[key] {
				reported[key] = true
				all = append(all, p)
			}
		}
		cells = append(cells, c)
	}
	if len(all) > 0 {
		return nil, all
	}
	suffixStreams(cells)
	return cells, nil
}

// suffixStreams gives every cell its own stream: the name gets the cell's
// values, or the cell's number when that would be too long or ambiguous.
func suffixStreams(cells []*Scenario) {
	names := map[string]bool{}
	byValues := make([]string, len(cells))
	unique := true
	for i, c := range cells {
		var vals []string
		for _, kv := range strings.Split(c.Cell, ",") {
			_, v, _ := strings.Cut(kv, "=")
			vals = append(vals, strings.Trim(unsafeStreamChars.ReplaceAllString(v, "-"), "-"))
		}
		byValues[i] = c.Stream.Name + "-" + strings.Join(vals, "-")
		if names[byValues[i]] || len(byValues[i]) > 128 {
			unique = false
		}
		names[byValues[i]] = true
	}
	for i, c := range cells {
		if c.Stream.Existing {
			continue
		}
		if unique {
			c.Stream.Name = byValues[i]
		} else {
			c.Stream.Name = suffixed(c.Stream.Name, "-cell"+strconv.Itoa(i+1))
		}
	}
}

// suffixed appends suffix to name, shortening name to stay within
// Kinesis's 128 characters.
func suffixed(name, suffix string) string {
	if len(name)+len(suffix) > 128 {
		name = name[:128-len(suffix)]
	}
	return name + suffix
}
