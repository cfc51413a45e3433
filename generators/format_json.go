package generators

import (
	"bytes"

	"github.com/kbench/kbench/envelope"
)

// jsonOpen starts a JSON record: the envelope is its first field, "_kb",
// a base64 string.
const jsonOpen = `{"_kb":"`

// jsonSlot is where the format's records carry the envelope.
var jsonSlot = envelope.Slot{Offset: len(jsonOpen), Base64: true}

var jsonFormat = FormatKind{
	Name:   "json",
	Doc:    `Compact JSON with the envelope as the first field, "_kb": a base64 string.`,
	Slot:   jsonSlot,
	Inside: true,
	Find:   findJSON,
	payment: func(dst []byte, p *payment, ts *tsCache) []byte {
		return appendPaymentJSON(openJSON(dst), p, ts)
	},
	reading: func(dst []byte, r *reading, ts *tsCache) []byte {
		return appendReadingJSON(openJSON(dst), r, ts)
	},
}

// openJSON appends the start of a JSON record up to its second field.
func openJSON(dst []byte) []byte {
	dst = appendSlot(append(dst, jsonOpen...), jsonSlot)
	return append(dst, '"', ',')
}

// findJSON finds the "_kb" string of a JSON object: first where kbench
// writes it, then anywhere in the record (another writer may reorder the
// fields or add spaces).
func findJSON(rec []byte) (envelope.Slot, bool) {
	if len(rec) == 0 || rec[0] != '{' {
		return envelope.Slot{}, false
	}
	if bytes.HasPrefix(rec, []byte(jsonOpen)) {
		return jsonSlot, true
	}
	i := bytes.Index(rec, []byte(`"_kb"`))
	if i < 0 {
		return envelope.Slot{}, false
	}
	j := skipSpace(rec, i+5)
	if j >= len(rec) || rec[j] != ':' {
		return envelope.Slot{}, false
	}
	j = skipSpace(rec, j+1)
	if j >= len(rec) || rec[j] != '"' {
		return envelope.Slot{}, false
	}
	return envelope.Slot{Offset: j + 1, Base64: true}, true
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}
