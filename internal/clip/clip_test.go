package clip

import (
	"strings"
	"testing"
)

func TestQuote(t *testing.T) {
	if got := Quote("a\"b"); got != `"a\"b"` {
		t.Errorf("short value: %s", got)
	}
	long := strings.Repeat("é", 50_000_000/2)
	got := Quote(long)
	if len(got) > 3*MaxQuoted || !strings.HasSuffix(got, "… (50000000 bytes in all)") {
		t.Errorf("50 MB value quoted as %d bytes: %.80s…%s", len(got), got, got[len(got)-40:])
	}
	if got := Quote(strings.Repeat("x", MaxQuoted)); strings.Contains(got, "…") {
		t.Errorf("a value of exactly %d characters was cut", MaxQuoted)
	}
}

func TestMore(t *testing.T) {
	if More(MaxListed, "problems") != "" {
		t.Error("a list of MaxListed was said to be cut")
	}
	if got := More(2_400_000, "problems"); got != "… and 2399950 more problems (2400000 in all; the first 50 are listed)" {
		t.Errorf("got %q", got)
	}
}

func TestCut(t *testing.T) {
	if got := Cut(strings.Repeat("ab", 1000)); got != strings.Repeat("ab", MaxQuoted/2)+"…" {
		t.Errorf("got %q", got)
	}
	if got := Cut("short"); got != "short" {
		t.Errorf("got %q", got)
	}
}
