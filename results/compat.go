package results

import "fmt"

// lostSplitSchema is the schema version that split schema 2's totals.lost
// into totals.lost (read past, never seen) and totals.unread (not read yet
// when the run ended).
const lostSplitSchema = 3

// OldestSchema returns the lowest schema_version of the set's runs.
func (s *RunSet) OldestSchema() int {
	v := SchemaVersion
	for _, r := range s.Runs {
		v = min(v, r.SchemaVersion)
	}
	return v
}

// StatAs is Stat with metrics whose meaning changed read as schema version
// schema meant them: before lostSplitSchema, totals.lost (also under
// consumers) is lost + unread, which is what a schema-2 run counted as lost.
func (s *RunSet) StatAs(metric string, schema int) (Spread, bool) {
	if schema >= lostSplitSchema {
		return s.Stat(metric)
	}
	unread, ok := lostToUnread(metric)
	if !ok {
		return s.Stat(metric)
	}
	var vs []float64
	for _, r := range s.Runs {
		if lost, ok := r.Lookup(metric); ok {
			u, _ := r.Lookup(unread)
			vs = append(vs, lost+u)
		}
	}
	return spreadOf(vs)
}

// lostToUnread returns the unread metric beside a lost one.
func lostToUnread(metric string) (string, bool) {
	const suffix = "lost"
	if len(metric) < len(suffix) || metric[len(metric)-len(suffix):] != suffix {
		return "", false
	}
	return metric[:len(metric)-len(suffix)] + "unread", true
}

// SchemaNote says when one side's runs are of an older schema, and how the
// metrics whose meaning changed are compared.
func SchemaNote(baseline, current *RunSet) string {
	b, c := baseline.OldestSchema(), current.OldestSchema()
	if min(b, c) >= lostSplitSchema {
		return ""
	}
	return fmt.Sprintf("One side has summary schema %d: totals.lost is compared as lost + unread on both sides, "+
		"as schema 2 counted records still unread at the end as lost.", min(b, c))
}
