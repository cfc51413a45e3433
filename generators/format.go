package generators

import (
	"math"
	"strconv"
	"time"
)

// tsCache appends RFC 3339 UTC timestamps with millisecond precision
// ("2006-01-02T15:04:05.000Z"), formatting the date and time of day once per
// second and only the milliseconds per call.
type tsCache struct {
	sec    int64
	valid  bool
	buf    [32]byte
	prefix []byte
}

// append appends the timestamp of at (Unix nanoseconds) to dst.
func (c *tsCache) append(dst []byte, at int64) []byte {
	sec := at / 1e9
	ns := at % 1e9
	if ns < 0 {
		sec--
		ns += 1e9
	}
	if !c.valid || sec != c.sec {
		c.prefix = time.Unix(sec, 0).UTC().AppendFormat(c.buf[:0], "2006-01-02T15:04:05")
		c.sec, c.valid = sec, true
	}
	dst = append(dst, c.prefix...)
	ms := ns / 1e6
	return append(dst, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z')
}

var pow10 = [...]float64{1, 10, 100, 1e3, 1e4, 1e5, 1e6}

// appendFixed appends v rounded to dec (0..6) decimals in plain notation,
// without the cost of strconv.AppendFloat.
func appendFixed(dst []byte, v float64, dec int) []byte {
	scale := pow10[dec]
	x := int64(math.Round(v * scale))
	if x < 0 {
		dst = append(dst, '-')
		x = -x
	}
	s := int64(scale)
	dst = strconv.AppendInt(dst, x/s, 10)
	if dec == 0 {
		return dst
	}
	dst = append(dst, '.')
	frac := x % s
	for d := s / 10; d > 0; d /= 10 {
		dst = append(dst, byte('0'+frac/d))
		frac %= d
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// appendHex appends the low 4*digits bits of v as lowercase hex.
func appendHex(dst []byte, v uint64, digits int) []byte {
	for i := digits - 1; i >= 0; i-- {
		dst = append(dst, hexDigits[(v>>(4*uint(i)))&0xf])
	}
	return dst
}

// appendPadded appends v in decimal, zero-padded to width digits.
func appendPadded(dst []byte, v, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], int64(v), 10)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// stringTable builds n strings with one allocation for their bytes: each
// is what build appends for its index.
func stringTable(n int, build func(dst []byte, i int) []byte) []string {
	var buf []byte
	ends := make([]int, n)
	for i := range n {
		buf = build(buf, i)
		ends[i] = len(buf)
	}
	all := string(buf)
	out := make([]string, n)
	start := 0
	for i, end := range ends {
		out[i] = all[start:end]
		start = end
	}
	return out
}
