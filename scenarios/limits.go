package scenarios

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/kbench/kbench/generators"
)

// Input limits. A scenario is a page of YAML; these bounds are far above
// any real one and keep a hostile or mistaken file (a stream of zeros, tens
// of thousands of nested brackets) from taking the machine's memory: they are
// checked on the bytes, before the YAML parser sees them.
const (
	// MaxFileBytes is the largest scenario file, and the largest --set
	// value, kbench reads: 1 MiB.
	MaxFileBytes = 1 << 20
	// MaxDepth is how deeply YAML collections may nest.
	MaxDepth = 64
	// MaxNodes is how many YAML nodes a scenario may hold, and how many the
	// decoder visits when aliases are expanded.
	MaxNodes = 100000
	// MaxDuration is the longest duration any field may hold (365 days, as
	// long as Kinesis keeps records), and the longest a steps profile may
	// last in all: sums of such durations and a start time stay far from
	// overflowing time arithmetic.
	MaxDuration = generators.MaxDuration
)

// readLimited reads path, failing as soon as it holds more than
// MaxFileBytes, so a device or an endless pipe is not read to the end.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, errTooLarge
	}
	return data, nil
}

var errTooLarge = fmt.Errorf("the file is larger than %d bytes (1 MiB), the most kbench reads as a scenario", MaxFileBytes)

// shapeScan is a cheap pass over YAML bytes that finds how deeply
// collections nest and counts nodes from below (it never counts more nodes
// than the parser would make), without building anything. It follows block
// indentation, flow brackets, quotes, comments and block scalars; it does not
// validate: the parser reports syntax errors afterwards.
type shapeScan struct {
	block   []int // open block collections, by doubled column (+1 for a sequence)
	flow    int   // open flow collections
	deepest int   // the most collections open at once so far
	nodes   int
	quote   byte // the open quote of a scalar that goes on past the line end
	literal int  // indentation of a line that opened a block scalar, or -1
}

// checkShape returns a problem message and its line when data nests
// deeper than MaxDepth or holds more than MaxNodes nodes, and line 0 when it
// does not.
func checkShape(data []byte) (line int, msg string) {
	s := shapeScan{literal: -1}
	for n := 1; len(data) > 0; n++ {
		ln := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			ln, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		s.line(bytes.TrimSuffix(ln, []byte("\r")))
		switch {
		case s.deepest > MaxDepth:
			return n, fmt.Sprintf("the YAML nests deeper than %d levels, the most kbench reads", MaxDepth)
		case s.nodes > MaxNodes:
			return n, fmt.Sprintf("the YAML holds more than %d nodes, the most kbench reads", MaxNodes)
		}
	}
	return 0, ""
}

// push opens a block collection entry at doubled column c, closing those
// indented deeper.
func (s *shapeScan) push(c int) {
	for len(s.block) > 0 && s.block[len(s.block)-1] > c {
		s.block = s.block[:len(s.block)-1]
	}
	if len(s.block) == 0 || s.block[len(s.block)-1] < c {
		s.block = append(s.block, c)
		s.deepest = max(s.deepest, len(s.block)+s.flow)
	}
}

func isBlank(b byte) bool { return b == ' ' || b == '\t' }

func (s *shapeScan) line(ln []byte) {
	indent := 0
	for indent < len(ln) && ln[indent] == ' ' {
		indent++
	}
	if s.literal >= 0 {
		if indent == len(ln) || indent > s.literal {
			return // block scalar text
		}
		s.literal = -1
	}
	pos := indent
	if s.quote == 0 && s.flow == 0 {
		if pos == len(ln) || ln[pos] == '#' || ln[pos] == '%' {
			return
		}
		if pos == 0 && (bytes.HasPrefix(ln, []byte("---")) || bytes.HasPrefix(ln, []byte("..."))) &&
			(len(ln) == 3 || isBlank(ln[3])) {
			s.block = s.block[:0]
			pos = 3
		}
		for pos < len(ln) && ln[pos] == '-' && (pos+1 == len(ln) || isBlank(ln[pos+1])) {
			s.push(2*pos + 1)
			for pos++; pos < len(ln) && isBlank(ln[pos]); pos++ {
			}
		}
		if hasKey(ln[pos:]) {
			s.push(2 * pos)
		}
	}
	s.rest(ln, pos, indent)
}

// rest scans a line from pos for quotes, flow brackets, comments and block
// scalar indicators.
func (s *shapeScan) rest(ln []byte, pos, indent int) {
	start := true // at the start of a value, where [ { ' " | > mean something
	for j := pos; j < len(ln); j++ {
		c := ln[j]
		switch s.quote {
		case '\'':
			if c == '\'' {
				if j+1 < len(ln) && ln[j+1] == '\'' {
					j++
				} else {
					s.quote, start = 0, false
				}
			}
			continue
		case '"':
			if c == '\\' {
				j++
			} else if c == '"' {
				s.quote, start = 0, false
			}
			continue
		}
		switch {
		case isBlank(c):
		case c == '#' && (j == 0 || isBlank(ln[j-1])):
			return
		case start && (c == '\'' || c == '"'):
			s.quote = c
			s.nodes++
		case start && (c == '[' || c == '{') || s.flow > 0 && (c == '[' || c == '{'):
			s.flow++
			s.nodes++
			s.deepest = max(s.deepest, len(s.block)+s.flow)
			start = true
		case s.flow > 0 && (c == ']' || c == '}'):
			s.flow--
			start = false
		case s.flow > 0 && c == ',':
			start = true
		case c == ':' && (j+1 == len(ln) || isBlank(ln[j+1]) || s.flow > 0 && bytes.IndexByte([]byte(",[]{}"), ln[j+1]) >= 0):
			start = true
		case start && s.flow == 0 && (c == '|' || c == '>'):
			s.literal = indent
			s.nodes++
			return
		case start && (c == '&' || c == '!'):
			for j+1 < len(ln) && !isBlank(ln[j+1]) {
				j++
			}
		case start:
			s.nodes++
			start = false
		}
	}
}

// hasKey says whether a block line (after its sequence dashes) starts a
// mapping entry: a plain or quoted key followed by ": " or a final ":".
func hasKey(rest []byte) bool {
	if len(rest) == 0 || rest[0] == '[' || rest[0] == '{' || rest[0] == '#' {
		return false
	}
	i := 0
	if q := rest[0]; q == '\'' || q == '"' {
		for i = 1; i < len(rest) && rest[i] != q; i++ {
			if q == '"' && rest[i] == '\\' {
				i++
			}
		}
	}
	for ; i < len(rest); i++ {
		switch {
		case rest[i] == ':' && (i+1 == len(rest) || isBlank(rest[i+1])):
			return true
		case rest[i] == '#' && i > 0 && isBlank(rest[i-1]):
			return false
		}
	}
	return false
}
