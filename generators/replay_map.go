package generators

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// mapper turns a line of the file into the record sent and its entity.
type mapper struct {
	input  string
	key    fieldPath
	tm     fieldPath     // time_field, with pace: recorded
	fields []mappedField // sorted by name
	header []string
}

type mappedField struct {
	name string
	from fieldPath
}

// fieldPath is a JSON path of object keys ($.a.b), or for CSV a column.
type fieldPath struct {
	text   string
	keys   []string
	column int
}

func (o *ReplayOptions) mapper() (*mapper, error) {
	m := &mapper{input: o.Input, header: o.header}
	var err error
	if o.KeyField != "" {
		if m.key, err = o.path(o.KeyField); err != nil {
			return nil, fmt.Errorf("key_field: %w", err)
		}
	}
	if o.TimeField != "" && o.Pace == paceRecorded && o.Input != inputBase64 {
		if m.tm, err = o.path(o.TimeField); err != nil {
			return nil, fmt.Errorf("time_field: %w", err)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(o.Fields)) {
		p, err := o.path(o.Fields[name])
		if err != nil {
			return nil, fmt.Errorf("fields.%s: %w", name, err)
		}
		m.fields = append(m.fields, mappedField{name: name, from: p})
	}
	return m, nil
}

// path parses a field reference: $.a.b or a.b for JSON, a column name for
// CSV.
func (o *ReplayOptions) path(s string) (fieldPath, error) {
	t := strings.TrimPrefix(strings.TrimPrefix(s, "$"), ".")
	if t == "" {
		return fieldPath{}, fmt.Errorf("%q names no field", s)
	}
	p := fieldPath{text: s, column: -1}
	if o.Input == inputCSV {
		p.column = slices.Index(o.header, t)
		if p.column < 0 && o.header != nil {
			return fieldPath{}, fmt.Errorf("%q is not a column of %s (its header has %s)", t, o.File, strings.Join(o.header, ", "))
		}
		return p, nil
	}
	p.keys = strings.Split(t, ".")
	return p, nil
}

// record appends the record sent for line to dst, leaving room for the
// envelope where EnvelopeSlot says, and returns its entity and, with a
// time field, its time.
func (m *mapper) record(dst, line []byte, lineNo int) ([]byte, string, time.Time, error) {
	switch m.input {
	case inputBase64:
		n := base64.StdEncoding.DecodedLen(len(line))
		dst = slices.Grow(dst, n)
		k, err := base64.StdEncoding.Decode(dst[len(dst):len(dst)+n], line)
		if err != nil {
			return dst, "", time.Time{}, fmt.Errorf("not base64: %w", err)
		}
		return dst[:len(dst)+k], strconv.Itoa(lineNo), time.Time{}, nil
	case inputCSV:
		return m.csvRecord(dst, line, lineNo)
	}
	return m.jsonRecord(dst, line, lineNo)
}

func (m *mapper) jsonRecord(dst, line []byte, lineNo int) ([]byte, string, time.Time, error) {
	var obj map[string]json.RawMessage
	var at time.Time
	if err := json.Unmarshal(line, &obj); err != nil {
		return dst, "", at, fmt.Errorf("not a JSON object: %w", err)
	}
	entity := strconv.Itoa(lineNo)
	if m.key.text != "" {
		v, ok := lookup(obj, m.key.keys)
		if !ok {
			return dst, "", at, fmt.Errorf("no field %s (key_field)", m.key.text)
		}
		entity = scalar(v)
	}
	if m.tm.text != "" {
		var err error
		if at, err = m.jsonTime(obj); err != nil {
			return dst, "", at, err
		}
	}
	dst = openJSON(dst)
	if len(m.fields) == 0 {
		body := bytes.TrimSpace(line)[1:] // after the object's '{'
		if len(bytes.TrimSpace(body)) == 1 {
			return append(dst[:len(dst)-1], '}'), entity, at, nil // {} becomes {"_kb":"…"}
		}
		return append(dst, body...), entity, at, nil
	}
	for i, f := range m.fields {
		v, ok := lookup(obj, f.from.keys)
		if !ok {
			return dst, "", at, fmt.Errorf("no field %s (fields.%s)", f.from.text, f.name)
		}
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendQuote(dst, f.name)
		dst = append(append(dst, ':'), v...)
	}
	return append(dst, '}'), entity, at, nil
}

func (m *mapper) csvRecord(dst, line []byte, lineNo int) ([]byte, string, time.Time, error) {
	var at time.Time
	cols := splitCSV(string(line))
	if len(cols) != len(m.header) {
		return dst, "", at, fmt.Errorf("%d columns; the header has %d", len(cols), len(m.header))
	}
	entity := strconv.Itoa(lineNo)
	if m.key.text != "" {
		entity = cols[m.key.column]
	}
	if m.tm.text != "" {
		var err error
		if at, err = parseRecordTime(cols[m.tm.column]); err != nil {
			return dst, "", at, fmt.Errorf("time_field %s: %w", m.tm.text, err)
		}
	}
	if len(m.fields) == 0 {
		dst = appendSlot(dst, csvSlot)
		return append(append(append(dst, ','), line...), '\n'), entity, at, nil
	}
	dst = openJSON(dst)
	for i, f := range m.fields {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendQuote(dst, f.name)
		dst = strconv.AppendQuote(append(dst, ':'), cols[f.from.column])
	}
	return append(dst, '}'), entity, at, nil
}

// lookup follows keys through nested JSON objects.
func lookup(obj map[string]json.RawMessage, keys []string) (json.RawMessage, bool) {
	for i, k := range keys {
		v, ok := obj[k]
		if !ok {
			return nil, false
		}
		if i == len(keys)-1 {
			return v, true
		}
		obj = nil
		if json.Unmarshal(v, &obj) != nil {
			return nil, false
		}
	}
	return nil, false
}

// scalar is a JSON value as a key: a string's text, else the value as
// written.
func scalar(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	return string(bytes.TrimSpace(v))
}

// splitCSV splits one CSV line into its fields, unquoting quoted ones.
func splitCSV(line string) []string {
	var out []string
	for {
		if strings.HasPrefix(line, `"`) {
			var b strings.Builder
			i := 1
			for i < len(line) {
				if line[i] == '"' {
					if i+1 < len(line) && line[i+1] == '"' {
						b.WriteByte('"')
						i += 2
						continue
					}
					i++
					break
				}
				b.WriteByte(line[i])
				i++
			}
			out = append(out, b.String())
			line = line[min(i, len(line)):]
			if !strings.HasPrefix(line, ",") {
				return out
			}
			line = line[1:]
			continue
		}
		i := strings.IndexByte(line, ',')
		if i < 0 {
			return append(out, line)
		}
		out = append(out, line[:i])
		line = line[i+1:]
	}
}
