package sim

import (
	"strconv"
	"sync/atomic"
	"unicode/utf8"
)

// bodyBudget counts request body bytes held by requests in flight against
// a limit, so slow or stalled uploads cannot pin unbounded memory.
type bodyBudget struct {
	limit int64
	used  atomic.Int64
}

// take reserves n bytes, or reports false and reserves nothing when that
// would pass the limit.
func (b *bodyBudget) take(n int64) bool {
	if b.used.Add(n) > b.limit {
		b.used.Add(-n)
		return false
	}
	return true
}

// give returns n bytes taken earlier.
func (b *bodyBudget) give(n int64) { b.used.Add(-n) }

// errBodyBudget is the answer to a request whose body would pass the
// bytes-in-flight limit; the SDKs retry LimitExceededException.
func errBodyBudget() *apiError {
	return newError(errLimitExceeded, "Too many request bytes in flight; retry later.")
}

// maxEchoed is how many characters of a client's value an error message
// quotes.
const maxEchoed = 200

// echo returns v for an error message: at most maxEchoed characters, with
// "..." and the full length when cut.
func echo[T string | []byte](v T) string {
	s := string(v)
	if len(s) <= maxEchoed {
		return s
	}
	i := 0
	for n := 0; n < maxEchoed && i < len(s); n++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	if i >= len(s) {
		return s
	}
	return s[:i] + "...(" + strconv.Itoa(len(s)) + " bytes)"
}

// errInvalidKey is the answer to a partition key that is not valid UTF-8:
// Kinesis keys are Unicode strings, and a key that is not one cannot be
// hashed or returned as the same characters.
func errInvalidKey(field string) *apiError {
	return errValidate("Value at '%s' failed to satisfy constraint: Member must be a valid UTF-8 string", field)
}
