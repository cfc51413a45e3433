package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

const (
	contentTypeJSON = "application/x-amz-json-1.1"
	targetPrefix    = "Kinesis_20131202."
	// maxBodyBytes bounds a request body: a 5 MiB PutRecords grows by a
	// third in base64, plus JSON framing.
	maxBodyBytes = 8 << 20
	accountID    = "000000000000"
	region       = "us-east-1"
	arnPrefix    = "arn:aws:kinesis:" + region + ":" + accountID + ":stream/"
)

// bufPool recycles request and response buffers of the data plane.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(b *[]byte) {
	if cap(*b) > 16<<20 {
		return
	}
	*b = (*b)[:0]
	bufPool.Put(b)
}

// readBody reads r's body into a pooled buffer; the caller puts it back
// and gives the returned count of bytes back to budget. The body's bytes
// are taken from budget as they arrive (all at once when Content-Length
// announces them), so a request that would pass it fails at once.
func readBody(r *http.Request, budget *bodyBudget) (*[]byte, int64, *apiError) {
	var held int64
	if n := r.ContentLength; n > maxBodyBytes {
		return nil, 0, newError(errInvalidArgument, "request body exceeds %d bytes", maxBodyBytes)
	} else if n > 0 {
		if !budget.take(n) {
			return nil, 0, errBodyBudget()
		}
		held = n
	}
	bp := getBuf()
	b := *bp
	if int64(cap(b)) < r.ContentLength {
		b = make([]byte, 0, r.ContentLength)
	}
	body := io.LimitReader(r.Body, maxBodyBytes+1)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if more := int64(len(b)) - held; more > 0 {
			if !budget.take(more) {
				*bp = b
				putBuf(bp)
				return nil, held, errBodyBudget()
			}
			held += more
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			*bp = b
			putBuf(bp)
			return nil, held, errSerial("reading request body: %s", echo(err.Error()))
		}
	}
	*bp = b
	if len(b) > maxBodyBytes {
		putBuf(bp)
		return nil, held, newError(errInvalidArgument, "request body exceeds %d bytes", maxBodyBytes)
	}
	return bp, held, nil
}

// decodeJSON decodes a control-plane request body into v.
func decodeJSON(body []byte, v any) *apiError {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return errSerial("cannot decode request: %s", echo(err.Error()))
	}
	return nil
}

// writeJSON writes a control-plane response.
func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, newError(errInternalFailure, "encoding response: %v", err))
		return
	}
	writeBody(w, b)
}

// writeBody writes an already encoded JSON response with status 200.
func writeBody(w http.ResponseWriter, b []byte) {
	h := w.Header()
	h.Set("Content-Type", contentTypeJSON)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// epochTime is a timestamp on the wire: epoch seconds as a JSON number.
type epochTime time.Time

// MarshalJSON writes t as epoch seconds with millisecond precision.
func (t epochTime) MarshalJSON() ([]byte, error) {
	return appendEpoch(nil, time.Time(t).UnixNano()), nil
}

// UnmarshalJSON reads epoch seconds (a JSON number, or a string holding one).
func (t *epochTime) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e12 {
		return &json.UnsupportedValueError{Str: s}
	}
	// The wire carries milliseconds; rounding to them undoes the binary
	// fraction's error (1796132423.267 is 1796132423.266999959...).
	*t = epochTime(time.UnixMilli(int64(math.Round(f * 1000))))
	return nil
}

// appendEpoch appends the unix-nanosecond time ns as epoch seconds with
// three decimals.
func appendEpoch(b []byte, ns int64) []byte {
	ms := ns / 1e6
	b = strconv.AppendInt(b, ms/1000, 10)
	frac := ms % 1000
	b = append(b, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
	return b
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string, escaping what JSON needs and
// replacing invalid UTF-8 with U+FFFD.
func appendJSONString[T string | []byte](b []byte, s T) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		var r rune
		var size int
		switch v := any(s).(type) {
		case string:
			r, size = utf8.DecodeRuneInString(v[i:])
		case []byte:
			r, size = utf8.DecodeRune(v[i:])
		}
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// streamARN is the ARN of the stream called name.
func streamARN(name string) string { return arnPrefix + name }

// streamNameFromARN returns the stream name in arn, or false when arn is not
// a stream ARN of this endpoint's account and region.
func streamNameFromARN(arn string) (string, bool) {
	name, ok := strings.CutPrefix(arn, arnPrefix)
	if !ok || name == "" || strings.Contains(name, "/") {
		return "", false
	}
	return name, true
}
