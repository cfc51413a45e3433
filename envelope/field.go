package envelope

import (
	"bytes"
	"encoding/hex"
)

// FieldName is the JSON key under which the field form of the envelope is
// carried: `{"_kb":"<80 hex digits>", ...}`, the Size bytes of the binary
// envelope in lower-case hexadecimal, so that a JSON reader accepts the
// record and an application can copy the field into its outputs.
const FieldName = "_kb"

// FieldSize is the length of the field form's value: two hex digits a byte.
const FieldSize = 2 * Size

// fieldOpen is what a record in the field form starts with.
const fieldOpen = `{"` + FieldName + `":"`

// AppendField appends `{"_kb":"<hex>",` followed by the rest of the JSON
// object obj (which must start with '{') to dst. An empty object becomes
// `{"_kb":"<hex>"}`.
func (e *Envelope) AppendField(dst, obj []byte) []byte {
	var b [Size]byte
	e.put(b[:])
	dst = append(dst, fieldOpen...)
	dst = hex.AppendEncode(dst, b[:])
	dst = append(dst, '"')
	rest := bytes.TrimSpace(obj)
	if len(rest) > 0 && rest[0] == '{' {
		rest = bytes.TrimSpace(rest[1:])
	}
	if len(rest) > 0 && rest[0] != '}' {
		dst = append(dst, ',')
	}
	if len(rest) == 0 {
		return append(dst, '}')
	}
	return append(dst, rest...)
}

// StampSentField overwrites the actual send time of a record written by
// AppendField in place.
func StampSentField(record []byte, sent int64) {
	var b [8]byte
	for i := range 8 {
		b[i] = byte(uint64(sent) >> (56 - 8*i))
	}
	hex.Encode(record[len(fieldOpen)+2*offSent:], b[:])
}

// Find returns the envelope a record or an application's output carries:
// the binary envelope at its start, or else the first `"_kb":"<hex>"` field
// anywhere in it (an application may nest the input it copied). It fails
// with ErrMagic when there is neither.
func Find(data []byte) (Envelope, error) {
	if len(data) >= 2 && data[0] == magic0 && data[1] == magic1 {
		return Decode(data)
	}
	key := []byte(`"` + FieldName + `"`)
	for rest := data; ; {
		i := bytes.Index(rest, key)
		if i < 0 {
			return Envelope{}, ErrMagic
		}
		rest = rest[i+len(key):]
		v := bytes.TrimLeft(rest, " \t\r\n")
		if len(v) == 0 || v[0] != ':' {
			continue
		}
		v = bytes.TrimLeft(v[1:], " \t\r\n")
		if len(v) < FieldSize+2 || v[0] != '"' || v[FieldSize+1] != '"' {
			continue
		}
		var b [Size]byte
		if _, err := hex.Decode(b[:], v[1:FieldSize+1]); err != nil {
			continue
		}
		return Decode(b[:])
	}
}
