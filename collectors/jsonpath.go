package collectors

import (
	"bytes"
	"encoding/json"
	"strings"
)

// FieldValue returns the value at a dotted path ("source.txn_id") of a JSON
// object as text: a string's contents, a number's or a boolean's literal.
// It reports false when data is not a JSON object, the path is absent, or
// the value is an object, an array or null.
func FieldValue(data []byte, path string) (string, bool) {
	if len(path) == 0 || len(data) == 0 {
		return "", false
	}
	if i := strings.IndexByte(path, '.'); i < 0 {
		if v, ok := topLevelString(data, path); ok {
			return v, true
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", false
	}
	for _, key := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return "", false
		}
		if v, ok = m[key]; !ok {
			return "", false
		}
	}
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		if x {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// topLevelString is FieldValue's fast path for compact JSON such as the
// generators write: `"key":"value"` with a value free of escapes. It is
// only trusted when the key occurs once.
func topLevelString(data []byte, key string) (string, bool) {
	pat := `"` + key + `":"`
	i := bytes.Index(data, []byte(pat))
	if i < 0 || bytes.Contains(data[i+len(pat):], []byte(`"`+key+`"`)) || bytes.Count(data[:i], []byte("{")) != 1 {
		return "", false
	}
	rest := data[i+len(pat):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 || bytes.IndexByte(rest[:j], '\\') >= 0 {
		return "", false
	}
	return string(rest[:j]), true
}
