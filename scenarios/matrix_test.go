package scenarios

import (
	"errors"
	"github.com/kbench/kbench/generators"
	"reflect"
	"strings"
	"testing"
)

const matrixBase = `name: m
stream: {shards: 1}
producers:
  - generator: payments
    rate: {profile: constant, rps: 100}
matrix:
  stream.shards: [1, 2, 4]
  producers[0].rate.rps: [100, 250.5]
`

func TestCells(t *testing.T) {
	s, err := Parse("m.yaml", []byte(matrixBase), nil)
	if err != nil {
		t.Fatal(err)
	}
	wantAxes := []MatrixAxis{{Path: "stream.shards", Values: []string{"1", "2", "4"}}, {Path: "producers[0].rate.rps", Values: []string{"100", "250.5"}}}
	if !reflect.DeepEqual(s.Matrix, wantAxes) {
		t.Fatalf("Matrix = %+v, want %+v", s.Matrix, wantAxes)
	}
	cells, err := s.Cells()
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		label  string
		shards int
		rps    float64
		stream string
	}{
		{"stream.shards=1,producers[0].rate.rps=100", 1, 100, "kbench-m-1-100"},
		{"stream.shards=1,producers[0].rate.rps=250.5", 1, 250.5, "kbench-m-1-250.5"},
		{"stream.shards=2,producers[0].rate.rps=100", 2, 100, "kbench-m-2-100"},
		{"stream.shards=2,producers[0].rate.rps=250.5", 2, 250.5, "kbench-m-2-250.5"},
		{"stream.shards=4,producers[0].rate.rps=100", 4, 100, "kbench-m-4-100"},
		{"stream.shards=4,producers[0].rate.rps=250.5", 4, 250.5, "kbench-m-4-250.5"},
	}
	if len(cells) != len(want) {
		t.Fatalf("got %d cells, want %d", len(cells), len(want))
	}
	for i, w := range want {
		c := cells[i]
		if c.Cell != w.label || c.Stream.Shards != w.shards || c.Producers[0].Rate.Options.(*generators.ConstantRate).RPS != w.rps || c.Stream.Name != w.stream {
			t.Errorf("cell %d = {%q shards %d rps %g stream %q}, want %+v", i, c.Cell, c.Stream.Shards, c.Producers[0].Rate.Options.(*generators.ConstantRate).RPS, c.Stream.Name, w)
		}
		if c.File != "m.yaml" || !reflect.DeepEqual(c.Matrix, wantAxes) {
			t.Errorf("cell %d: File %q Matrix %+v", i, c.File, c.Matrix)
		}
		if _, ok := c.Resolved()["matrix"]; ok {
			t.Errorf("cell %d: Resolved has a matrix", i)
		}
		if got := c.Resolved()["cell"]; got != w.label {
			t.Errorf("cell %d: Resolved cell = %v", i, got)
		}
		if again, err := c.Cells(); err != nil || len(again) != 1 || again[0] != c {
			t.Errorf("cell %d: Cells() = %v, %v; want the cell itself", i, again, err)
		}
	}
}

func TestCellsWithoutMatrix(t *testing.T) {
	s, err := Parse("t.yaml", []byte(setBase), nil)
	if err != nil {
		t.Fatal(err)
	}
	cells, err := s.Cells()
	if err != nil || len(cells) != 1 || cells[0] != s || s.Cell != "" {
		t.Fatalf("Cells() = %v, %v; want the scenario itself", cells, err)
	}
}

func TestCellsStreamNames(t *testing.T) {
	tests := []struct {
		name   string
		extra  string
		matrix string
		want   []string
	}{
		{"existing stream is shared", "stream: {name: shared, existing: true}\n", "producers[0].seed: [1, 2]", []string{"shared", "shared"}},
		{"ambiguous values use numbers", "", "description: ['a b', 'a/b']", []string{"kbench-m-cell1", "kbench-m-cell2"}},
		{"too long uses numbers", "stream: {name: " + strings.Repeat("s", 127) + "}\n", "producers[0].seed: [1, 2]",
			[]string{strings.Repeat("s", 122) + "-cell1", strings.Repeat("s", 122) + "-cell2"}},
		{"set then matrix", "", "stream.mode: [on-demand]", []string{"kbench-m-on-demand"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "name: m\n" + tt.extra + "producers:\n  - generator: iot\n    rate: {profile: constant, rps: 1}\nmatrix:\n  " + tt.matrix + "\n"
			s, err := Parse("m.yaml", []byte(src), []string{"stream.mode=provisioned"})
			if err != nil {
				t.Fatal(err)
			}
			cells, err := s.Cells()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range cells {
				got = append(got, c.Stream.Name)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("stream names %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCellProblemsNameTheCell(t *testing.T) {
	src := "name: m\nduration: 10s\nwarmup: 5s\nproducers:\n  - generator: iot\n    rate: {profile: constant, rps: 1}\nmatrix:\n  duration: [20s, 5s, 2s]\n"
	ps := mustProblems(t, src)
	if len(ps) != 2 {
		t.Fatalf("got %d problems, want 2:\n%v", len(ps), ps)
	}
	for i, cell := range []string{"duration=5s", "duration=2s"} {
		if p := ps[i]; p.Line != 3 || p.Field != "warmup" || !strings.HasSuffix(p.Message, "(in matrix cell "+cell+")") {
			t.Errorf("got %s", p)
		}
	}
}

func TestCellsNotLoaded(t *testing.T) {
	s := &Scenario{Name: "x", Matrix: []MatrixAxis{{Path: "stream.shards", Values: []string{"1"}}}}
	_, err := s.Cells()
	var ps Problems
	if err == nil || errors.As(err, &ps) {
		t.Fatalf("got %v, want a plain error", err)
	}
}
