package kind

import (
	"slices"
	"testing"
)

type k string

func (n k) KindName() string { return string(n) }

func TestTable(t *testing.T) {
	tab := Table[k]{"a", "b", "c"}
	if got, ok := tab.Lookup("b"); !ok || got != "b" {
		t.Errorf("Lookup(b) = %q, %v", got, ok)
	}
	if _, ok := tab.Lookup("z"); ok {
		t.Error("Lookup found an unknown kind")
	}
	if got := tab.Want(); got != "a, b or c" {
		t.Errorf("Want = %q", got)
	}
	if got := (Table[k]{"a"}).Want(); got != "a" {
		t.Errorf("Want of one = %q", got)
	}
	more := tab.With("d").With("a")
	if !slices.Equal(more.Names(), []string{"a", "b", "c", "d"}) || len(tab) != 3 {
		t.Errorf("With gave %v and left %v", more.Names(), tab.Names())
	}
}
