package scenarios

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kbench/kbench/internal/clip"
)

// Problem is one thing wrong with a scenario: where it is and what is wrong.
// File is the scenario file's name, or "--set" when the problem comes from a
// command-line override (Line and Column are then 0). Field is the dotted
// path of the setting, for example "producers[0].rate.rps"; it is "" for
// problems with the file as a whole, such as YAML syntax errors.
type Problem struct {
	File    string
	Line    int
	Column  int
	Field   string
	Message string
}

// String formats the problem as "file:line:col: field: message", leaving out
// the parts that are unknown.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Column > 0 {
			fmt.Fprintf(&b, ":%d", p.Column)
		}
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(clip.Cut(p.Field))
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem found in a scenario. It is the error Load, Parse
// and Cells return when a scenario is not valid; use errors.As to get it.
type Problems []Problem

// Error lists the problems one per line, sorted by line: the first
// clip.MaxListed of them, then how many more there are.
func (ps Problems) Error() string {
	sorted := append(Problems(nil), ps...)
	sorted.sort()
	lines := make([]string, 0, min(len(sorted), clip.MaxListed)+1)
	for _, p := range sorted[:min(len(sorted), clip.MaxListed)] {
		lines = append(lines, p.String())
	}
	if more := clip.More(len(sorted), "problems"); more != "" {
		lines = append(lines, more)
	}
	return strings.Join(lines, "\n")
}

// sort orders problems by file position (command-line problems first) and
// drops exact duplicates, which matrix cells can report more than once.
func (ps *Problems) sort() {
	s := *ps
	sort.SliceStable(s, func(i, j int) bool {
		a, b := s[i], s[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Field < b.Field
	})
	out := s[:0]
	for i, p := range s {
		if i > 0 && p == s[i-1] {
			continue
		}
		out = append(out, p)
	}
	*ps = out
}

// origin says where a YAML node came from when it did not come from the
// scenario file itself: a --set override or a matrix value.
type origin struct {
	file   string // "--set", or the scenario file for matrix values
	line   int
	column int
	note   string // appended to messages, e.g. `--set stream.shards=0`
}

// problem builds a Problem for field at pos, or at o when the node came from
// an override.
func (o *origin) problem(file string, line, col int, field, msg string) Problem {
	if o == nil {
		return Problem{File: file, Line: line, Column: col, Field: field, Message: msg}
	}
	return Problem{File: o.file, Line: o.line, Column: o.column, Field: field, Message: msg + " (" + o.note + ")"}
}
