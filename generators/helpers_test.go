package generators

import (
	"bytes"
	"io"
	"strconv"
	"testing"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// jsonField returns the string value of key in a flat compact JSON object.
func jsonField(p []byte, key string) string {
	i := bytes.Index(p, []byte(`"`+key+`":"`))
	if i < 0 {
		return ""
	}
	rest := p[i+len(key)+4:]
	return string(rest[:bytes.IndexByte(rest, '"')])
}

// jsonNumber returns the numeric value of key in a flat compact JSON object.
func jsonNumber(t testing.TB, p []byte, key string) float64 {
	t.Helper()
	i := bytes.Index(p, []byte(`"`+key+`":`))
	if i < 0 {
		t.Fatalf("no %s in %s", key, p)
	}
	rest := p[i+len(key)+3:]
	end := bytes.IndexAny(rest, ",}")
	v, err := strconv.ParseFloat(string(rest[:end]), 64)
	if err != nil {
		t.Fatalf("%s in %s: %v", key, p, err)
	}
	return v
}
