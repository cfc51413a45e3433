// Package clip bounds what kbench echoes of its input: a value quoted in a
// message is cut to MaxQuoted characters, and a list of problems to
// MaxListed entries, so a hostile or mistaken input cannot flood a terminal
// or a CI log.
package clip

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxQuoted is how many characters of a value a message quotes.
const MaxQuoted = 200

// MaxListed is how many problems a message lists before it gives the count
// of the rest.
const MaxListed = 50

// Quote returns s quoted as strconv.Quote does, cut after MaxQuoted
// characters; a cut value ends in "…" and says how long it was.
func Quote(s string) string {
	if utf8.RuneCountInString(s) <= MaxQuoted {
		return strconv.Quote(s)
	}
	return strconv.Quote(strings.TrimSuffix(Cut(s), "…")) + fmt.Sprintf("… (%d bytes in all)", len(s))
}

// More is the line that ends a list cut after MaxListed of total entries,
// such as "… and 12 more problems"; it is "" when nothing was cut.
func More(total int, noun string) string {
	if total <= MaxListed {
		return ""
	}
	return fmt.Sprintf("… and %d more %s (%d in all; the first %d are listed)", total-MaxListed, noun, total, MaxListed)
}

// Cut returns s cut after MaxQuoted characters, ending in "…" when it was
// cut; for text shown as it is rather than quoted.
func Cut(s string) string {
	n := 0
	for i := range s {
		if n == MaxQuoted {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
