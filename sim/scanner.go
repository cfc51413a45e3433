package sim

import (
	"bytes"
	"encoding/json"
)

// scanner is a small JSON reader for the hot request bodies (PutRecords,
// PutRecord): it hands out string contents as views into the body where
// they hold no escapes, and skips members it does not know.
type scanner struct {
	b     []byte
	i     int
	depth int
}

const maxDepth = 64

func (s *scanner) fail(what string) *apiError {
	return errSerial("malformed request body: %s at offset %d", what, s.i)
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) expect(c byte) *apiError {
	if s.peek() != c {
		return s.fail("expected '" + string(c) + "'")
	}
	s.i++
	return nil
}

// null consumes a null literal if one is next.
func (s *scanner) null() bool {
	if s.peek() == 'n' && bytes.HasPrefix(s.b[s.i:], []byte("null")) {
		s.i += 4
		return true
	}
	return false
}

// str reads a string and returns its contents (unescaped).
func (s *scanner) str() ([]byte, *apiError) {
	if s.peek() != '"' {
		return nil, s.fail("expected a string")
	}
	start := s.i
	s.i++
	// Fast path: no escapes before the closing quote. Control characters
	// are let through here; JSON forbids them but they do no harm.
	if end := bytes.IndexByte(s.b[s.i:], '"'); end >= 0 && bytes.IndexByte(s.b[s.i:s.i+end], '\\') < 0 {
		s.i += end + 1
		return s.b[start+1 : s.i-1], nil
	}
	escaped := false
	for s.i < len(s.b) {
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			if !escaped {
				return s.b[start+1 : s.i-1], nil
			}
			var out string
			if err := json.Unmarshal(s.b[start:s.i], &out); err != nil {
				return nil, s.fail("bad string escape")
			}
			return []byte(out), nil
		case c == '\\':
			escaped = true
			s.i += 2
		case c < 0x20:
			return nil, s.fail("control character in string")
		default:
			s.i++
		}
	}
	return nil, s.fail("unterminated string")
}

// optStr reads a string or null (nil, false).
func (s *scanner) optStr() ([]byte, bool, *apiError) {
	if s.null() {
		return nil, false, nil
	}
	v, e := s.str()
	return v, e == nil, e
}

// member advances to the next object member and returns its name; more is
// false at the closing brace. first is true for the first call after '{'.
func (s *scanner) member(first bool) (name []byte, more bool, e *apiError) {
	switch c := s.peek(); {
	case c == '}':
		s.i++
		s.depth--
		return nil, false, nil
	case !first && c == ',':
		s.i++
	case !first:
		return nil, false, s.fail("expected ',' or '}'")
	}
	if name, e = s.str(); e != nil {
		return nil, false, e
	}
	if e = s.expect(':'); e != nil {
		return nil, false, e
	}
	return name, true, nil
}

// element advances to the next array element; more is false at ']'.
func (s *scanner) element(first bool) (more bool, e *apiError) {
	switch c := s.peek(); {
	case c == ']':
		s.i++
		s.depth--
		return false, nil
	case !first && c == ',':
		s.i++
	case !first:
		return false, s.fail("expected ',' or ']'")
	}
	return true, nil
}

// open consumes '{' or '['.
func (s *scanner) open(c byte) *apiError {
	if s.depth++; s.depth > maxDepth {
		return s.fail("nesting too deep")
	}
	return s.expect(c)
}

// integer reads a JSON number that must be an integer.
func (s *scanner) number() ([]byte, *apiError) {
	s.ws()
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		if (c < '0' || c > '9') && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E' {
			break
		}
		s.i++
	}
	if start == s.i {
		return nil, s.fail("expected a number")
	}
	return s.b[start:s.i], nil
}

// skip skips one value of any kind.
func (s *scanner) skip() *apiError {
	switch c := s.peek(); c {
	case '"':
		_, e := s.str()
		return e
	case '{':
		if e := s.open('{'); e != nil {
			return e
		}
		for first := true; ; first = false {
			_, more, e := s.member(first)
			if e != nil || !more {
				return e
			}
			if e := s.skip(); e != nil {
				return e
			}
		}
	case '[':
		if e := s.open('['); e != nil {
			return e
		}
		for first := true; ; first = false {
			more, e := s.element(first)
			if e != nil || !more {
				return e
			}
			if e := s.skip(); e != nil {
				return e
			}
		}
	case 't', 'f', 'n':
		for _, lit := range []string{"true", "false", "null"} {
			if bytes.HasPrefix(s.b[s.i:], []byte(lit)) {
				s.i += len(lit)
				return nil
			}
		}
		return s.fail("bad literal")
	default:
		_, e := s.number()
		return e
	}
}

// end checks that only white space follows the value read.
func (s *scanner) end() *apiError {
	if s.peek() != 0 || s.i != len(s.b) {
		return s.fail("trailing data")
	}
	return nil
}
