package scenarios

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

const limitsProd = "name: t\nproducers:\n  - generator: payments\n    rate: {profile: constant, rps: 10}\n"

// bounded runs f and fails when it takes longer than d or allocates more
// than maxMB in total: hostile input must be refused cheaply.
func bounded(t *testing.T, d time.Duration, maxMB uint64, f func()) {
	t.Helper()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	start := time.Now()
	f()
	took := time.Since(start)
	runtime.ReadMemStats(&m1)
	if took > d {
		t.Errorf("took %v, want under %v", took, d)
	}
	if mb := (m1.TotalAlloc - m0.TotalAlloc) >> 20; mb > maxMB {
		t.Errorf("allocated %d MB, want at most %d", mb, maxMB)
	}
}

func TestLoadDevZero(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	bounded(t, 5*time.Second, 16, func() {
		_, err := Load("/dev/zero", nil)
		ps, ok := err.(Problems)
		if !ok || len(ps) != 1 || !strings.Contains(ps[0].Message, "larger than 1048576 bytes") {
			t.Fatalf("Load(/dev/zero) = %v, want one problem saying the file is over 1 MiB", err)
		}
	})
}

func TestLoadTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	pad := strings.Repeat("# padding\n", MaxFileBytes/10+1)
	if err := os.WriteFile(path, []byte(limitsProd+pad), 0o644); err != nil {
		t.Fatal(err)
	}
	ps := mustLoadProblems(t, path)
	if len(ps) != 1 || ps[0].File != path || !strings.Contains(ps[0].Message, "1 MiB") {
		t.Fatalf("got %v, want one problem naming %s and 1 MiB", ps, path)
	}
	// Just under the limit loads.
	if err := os.WriteFile(path, []byte(limitsProd+pad[:MaxFileBytes-len(limitsProd)-20]), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path, nil); err != nil {
		t.Fatalf("a file under 1 MiB: %v", err)
	}
}

func mustLoadProblems(t *testing.T, path string) Problems {
	t.Helper()
	_, err := Load(path, nil)
	ps, ok := err.(Problems)
	if !ok {
		t.Fatalf("Load = %v (%T), want Problems", err, err)
	}
	return ps
}

// TestHostileShapes: deep nesting and node floods are refused before the
// parser builds them, in little time and memory (200 KB of "[" once took the
// parser 15 GB).
func TestHostileShapes(t *testing.T) {
	deepBlock := func(n int) string {
		var b strings.Builder
		b.WriteString(limitsProd)
		for i := range n {
			b.WriteString(strings.Repeat("  ", i) + "k:\n")
		}
		return b.String()
	}
	tests := []struct {
		name, src, msg string
		line           int
	}{
		{"200 KB of [", "name: " + strings.Repeat("[", 200000), "nests deeper than 64", 1},
		{"nested flow mappings", "name: t\nx: " + strings.Repeat("{a: ", 70) + "1" + strings.Repeat("}", 70), "nests deeper than 64", 2},
		{"nested block mappings", deepBlock(70), "nests deeper than 64", 5 + 64},
		{"nested compact sequences", "name: t\nx:\n" + strings.Repeat("- ", 70) + "1\n", "nests deeper than 64", 3},
		{"nested flow across lines", "name: t\nx:\n" + strings.Repeat("  [\n", 70), "nests deeper than 64", 2 + 64},
		{"many flow items", "name: t\nthresholds: [" + strings.Repeat("a<1,", MaxNodes) + "]\n", "more than 100000 nodes", 2},
		{"many block items", "name: t\nthresholds:\n" + strings.Repeat("- a<1\n", MaxNodes+1), "more than 100000 nodes", MaxNodes}, // name, t and thresholds come first,
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bounded(t, 3*time.Second, 64, func() {
				ps := mustProblems(t, tc.src)
				if len(ps) != 1 || !strings.Contains(ps[0].Message, tc.msg) || ps[0].Line != tc.line {
					t.Fatalf("got %v, want one problem on line %d saying %q", ps, tc.line, tc.msg)
				}
			})
		})
	}
}

// TestShapeAllowsNormalYAML: brackets in quotes, comments, block scalars
// and plain scalars are not nesting, and depth up to the limit loads.
func TestShapeAllowsNormalYAML(t *testing.T) {
	deep := strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1)
	for _, src := range []string{
		"a: '" + strings.Repeat("[", 100) + "'\n",
		"a: \"" + strings.Repeat("[\\\"", 100) + "\"\n",
		"a: 1 # " + strings.Repeat("[", 100) + "\n",
		"a: |\n  " + strings.Repeat("[", 100) + "\n  " + strings.Repeat("{", 100) + "\nb: 2\n",
		"a: x" + strings.Repeat("[", 100) + "\n",
		"a: " + deep + "\n",
		"a: [http://x, 'it''s', {b: c}]\n",
	} {
		if line, msg := checkShape([]byte(src)); line != 0 {
			t.Errorf("%.40q: line %d: %s", src, line, msg)
		}
	}
	if line, _ := checkShape([]byte("a: [" + deep + "]\n")); line == 0 {
		t.Errorf("depth %d passed", MaxDepth+1)
	}
}

// TestShapeCountsFromBelow: the pre-scan never counts more nodes than the
// parser makes, so no file within the limit is refused.
func TestShapeCountsFromBelow(t *testing.T) {
	files, _ := filepath.Glob("*.yaml")
	more, _ := filepath.Glob("testdata/*.yaml")
	files = append(files, more...)
	if len(files) == 0 {
		t.Fatal("no example scenarios")
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		s := shapeScan{literal: -1}
		for _, ln := range strings.Split(string(data), "\n") {
			s.line([]byte(ln))
		}
		f, err := parser.ParseBytes(data, 0)
		if err != nil {
			t.Fatal(err)
		}
		real := 0
		for _, doc := range f.Docs {
			ast.Walk(visitor(func() { real++ }), doc)
		}
		if s.nodes > real || s.nodes < real/4 {
			t.Errorf("%s: pre-scan counted %d nodes, the parser made %d", file, s.nodes, real)
		}
	}
}

type visitor func()

func (v visitor) Visit(ast.Node) ast.Visitor { v(); return v }

func TestSetValueShape(t *testing.T) {
	bounded(t, 3*time.Second, 64, func() {
		ps := mustProblems(t, limitsProd, "description="+strings.Repeat("[", 100000))
		if len(ps) != 1 || ps[0].File != "--set" || !strings.Contains(ps[0].Message, "nests deeper than 64") {
			t.Fatalf("got %v", ps)
		}
	})
}

// TestAliasBudgetNoFalseProblems: when aliases expand past the node budget
// the decode stops with that one problem, not with problems about the
// fields it never reached.
func TestAliasBudgetNoFalseProblems(t *testing.T) {
	src := "name: t\nproducers:\n  - &p\n    generator: payments\n    rate:\n      profile: steps\n      steps: &s [" +
		strings.TrimSuffix(strings.Repeat("{rps: 1, for: 1s}, ", 1000), ", ") + "]\n" +
		strings.Repeat("  - *p\n", 200)
	ps := mustProblems(t, src)
	if len(ps) != 1 || !strings.Contains(ps[0].Message, "more than 100000 nodes") {
		t.Fatalf("got %d problems, want only the node budget one: %.500v", len(ps), ps)
	}
}

// TestDurationLimits: durations that would overflow time arithmetic at run
// time (start + duration passes the largest time.Time in nanoseconds from
// about 2.06 M hours) are refused when the scenario loads, naming the field.
func TestDurationLimits(t *testing.T) {
	tests := []struct {
		name, src, field string
		sets             []string
	}{
		{"duration", limitsProd + "duration: 2100000h\n", "duration", nil},
		{"duration by --set", limitsProd, "duration", []string{"duration=2500000h"}},
		{"warmup", limitsProd + "duration: 10s\nwarmup: 2100000h\n", "warmup", nil},
		{"drain", limitsProd + "drain: 2100000h\n", "drain", nil},
		{"deadline", limitsProd + "deadline: 9000h\n", "deadline", nil},
		{"ramp over", "name: t\nproducers:\n  - generator: payments\n    rate: {profile: ramp, from: 1, to: 2, over: 2100000h}\n", "producers[0].rate.over", nil},
		{"sim delay", limitsProd + "target: {sim: {put_delay: 2100000h}}\n", "target.sim.put_delay", nil},
		{"steps in all", "name: t\nproducers:\n  - generator: payments\n    rate: {profile: steps, steps: [{rps: 1, for: 8000h}, {rps: 2, for: 8000h}]}\n", "producers[0].rate.steps", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps := mustProblems(t, tc.src, tc.sets...)
			if len(ps) != 1 || ps[0].Field != tc.field || !strings.Contains(ps[0].Message, "8760h (365 days)") {
				t.Fatalf("got %v, want one problem with %s saying at most 8760h", ps, tc.field)
			}
		})
	}
	if _, err := Parse("t.yaml", []byte(limitsProd+"duration: 8760h\ndrain: 8760h\n"), nil); err != nil {
		t.Errorf("365 days is allowed: %v", err)
	}
}
