// Package textfmt formats numbers and text the same way in every kbench
// output: the reports (package reports) and the gate's verdicts (package
// gate).
package textfmt

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Int formats n with thousands separators: 1234567 → "1,234,567".
func Int(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Value formats a threshold's or comparison's value: integers without
// decimals, others with up to three.
func Value(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return Int(int64(v))
	}
	if math.Abs(v) < 1 {
		// Ratios: enough digits that 0.9996 does not read as 1.
		return strconv.FormatFloat(v, 'g', 6, 64)
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

// Plural formats a count with its noun: "1 shard", "4 shards".
func Plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// MDEscape makes text safe inside a Markdown table cell.
func MDEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}
