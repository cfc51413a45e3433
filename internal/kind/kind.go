// Package kind holds the one shape every table of kinds in kbench shares:
// an ordered list of named entries (generators, rate profiles, key
// strategies, targets, consumer kinds), looked up by name. Each package owns
// its table as a plain value, in the manner of the simulator's operation
// table (sim/router.go): no init() registration, and tests may extend a
// copy.
package kind

import (
	"errors"
	"fmt"
	"strings"
)

// Named is an entry of a table: it knows its own name.
type Named interface {
	KindName() string
}

// Table is an ordered list of kinds. The order is the one used in messages
// and generated documentation.
type Table[K Named] []K

// Lookup returns the kind called name.
func (t Table[K]) Lookup(name string) (K, bool) {
	for _, k := range t {
		if k.KindName() == name {
			return k, true
		}
	}
	var zero K
	return zero, false
}

// Names returns the kinds' names in table order.
func (t Table[K]) Names() []string {
	out := make([]string, len(t))
	for i, k := range t {
		out[i] = k.KindName()
	}
	return out
}

// Want lists the names for a message: "a, b or c".
func (t Table[K]) Want() string {
	names := t.Names()
	switch len(names) {
	case 0:
		return "(none)"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// With returns a copy of the table with k added (or replacing the kind of
// the same name), leaving t as it was.
func (t Table[K]) With(k K) Table[K] {
	out := make(Table[K], 0, len(t)+1)
	replaced := false
	for _, old := range t {
		if old.KindName() == k.KindName() {
			old, replaced = k, true
		}
		out = append(out, old)
	}
	if !replaced {
		out = append(out, k)
	}
	return out
}

// FieldError is one problem with one field of a kind's options or
// settings. Field is the yaml name (for example "fraud_rate" or
// "steps[0].rps"), so the scenario decoder can point at the line that set
// it; Problem says what is wrong, such as "must be at least 1".
type FieldError struct {
	Field   string
	Problem string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Problem }

// Join joins problems into one error, each prefixed with prefix (such as
// "sim: "), with errors.Join; it returns nil when there are none.
func Join(prefix string, problems []*FieldError) error {
	errs := make([]error, len(problems))
	for i, fe := range problems {
		errs[i] = fmt.Errorf("%s%w", prefix, fe)
	}
	return errors.Join(errs...)
}
