package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// MatrixGate judges a matrix run against a baseline matrix run cell by cell:
// each cell directory of the current run (a RunSet) against the cell of the
// same name in the baseline. A cell the current run lacks fails.
type MatrixGate struct {
	// BaselineDir and CurrentDir are the two matrix output directories.
	BaselineDir, CurrentDir string
	// Cells are the cell directory names both sides have, sorted, and
	// Gates their gates in the same order.
	Cells []string
	Gates []*Gate
	// Missing are baseline cells the current run does not have; Extra are
	// current cells the baseline does not have (not judged).
	Missing, Extra []string
}

// CellDirs returns the names of dir's subdirectories that are results
// directories (a run or the repeats of one), sorted: the cells of a matrix
// run. It is empty for a directory that is not a matrix output.
func CellDirs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	var cells []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, err := LoadRunSet(filepath.Join(dir, e.Name())); err == nil {
			cells = append(cells, e.Name())
		}
	}
	sort.Strings(cells)
	return cells, nil
}

// EvaluateMatrixGate gates every cell the two matrix outputs share with the
// same rules (DefaultRules when empty). It is an error when they share no
// cell, or when a rule's metric is in neither side of a cell.
func EvaluateMatrixGate(baselineDir, currentDir string, rules []Rule) (*MatrixGate, error) {
	base, err := CellDirs(baselineDir)
	if err != nil {
		return nil, err
	}
	cur, err := CellDirs(currentDir)
	if err != nil {
		return nil, err
	}
	m := &MatrixGate{BaselineDir: baselineDir, CurrentDir: currentDir}
	inCur := map[string]bool{}
	for _, c := range cur {
		inCur[c] = true
	}
	inBase := map[string]bool{}
	for _, c := range base {
		inBase[c] = true
		if inCur[c] {
			m.Cells = append(m.Cells, c)
		} else {
			m.Missing = append(m.Missing, c)
		}
	}
	for _, c := range cur {
		if !inBase[c] {
			m.Extra = append(m.Extra, c)
		}
	}
	if len(m.Cells) == 0 {
		return nil, fmt.Errorf("reports: %s and %s share no matrix cell (baseline cells: %s; current cells: %s)",
			baselineDir, currentDir, listOrNone(base), listOrNone(cur))
	}
	for _, c := range m.Cells {
		b, err := LoadRunSet(filepath.Join(baselineDir, c))
		if err != nil {
			return nil, err
		}
		cs, err := LoadRunSet(filepath.Join(currentDir, c))
		if err != nil {
			return nil, err
		}
		g, err := EvaluateGate(b, cs, rules)
		if err != nil {
			return nil, fmt.Errorf("cell %s: %w", c, err)
		}
		m.Gates = append(m.Gates, g)
	}
	return m, nil
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// Failed returns the number of cells that regressed or are missing.
func (m *MatrixGate) Failed() int {
	n := len(m.Missing)
	for _, g := range m.Gates {
		if !g.Passed() {
			n++
		}
	}
	return n
}

// FailedRules names what failed: "CELL: RULE" for each regressed rule and
// "CELL: missing" for each missing cell.
func (m *MatrixGate) FailedRules() []string {
	var out []string
	for _, c := range m.Missing {
		out = append(out, c+": missing")
	}
	for i, g := range m.Gates {
		for _, r := range g.FailedRules() {
			out = append(out, m.Cells[i]+": "+r)
		}
	}
	return out
}

// Passed reports whether every shared cell passed and none is missing.
func (m *MatrixGate) Passed() bool { return m.Failed() == 0 }

func (m *MatrixGate) headline() string {
	return fmt.Sprintf("%d of %s failed", m.Failed(), plural(len(m.Cells)+len(m.Missing), "cell"))
}

func (m *MatrixGate) verdict() string {
	if m.Passed() {
		return "PASS"
	}
	return "FAIL"
}

// notes are the cells judged on one side only.
func (m *MatrixGate) notes() []string {
	var n []string
	for _, c := range m.Missing {
		n = append(n, fmt.Sprintf("cell %s is in the baseline but not in the current run: it fails", c))
	}
	for _, c := range m.Extra {
		n = append(n, fmt.Sprintf("cell %s is new in the current run: not judged (no baseline)", c))
	}
	return n
}

// WriteText writes each cell's gate table under a headline for the matrix.
func (m *MatrixGate) WriteText(w io.Writer) {
	fmt.Fprintf(w, "kbench matrix gate: %s (%s)\n", m.verdict(), m.headline())
	for _, n := range m.notes() {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	for i, g := range m.Gates {
		fmt.Fprintf(w, "\ncell %s\n", m.Cells[i])
		g.WriteText(w)
	}
}

// Markdown renders the matrix verdict page: the headline, then each cell's
// gate.
func (m *MatrixGate) Markdown() []byte {
	var b strings.Builder
	icon := "❌"
	if m.Passed() {
		icon = "✅"
	}
	fmt.Fprintf(&b, "# %s kbench matrix gate: %s\n\n%s: %s against baseline %s.\n\n",
		icon, m.verdict(), m.headline(), mdCode(m.CurrentDir), mdCode(m.BaselineDir))
	var notes []string
	for _, n := range m.notes() {
		notes = append(notes, mdEscape(n))
	}
	mdItems(&b, "Notes", notes)
	for i, g := range m.Gates {
		fmt.Fprintf(&b, "## Cell %s\n\n", mdCode(m.Cells[i]))
		// Each cell's page starts with its own level-2 heading: demote it.
		b.WriteString(strings.Replace(string(g.Markdown()), "## ", "### ", 1))
	}
	return []byte(b.String())
}

// junitSuites is a JUnit document with one testsuite per cell.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Name    string       `xml:"name,attr"`
	Suites  []junitSuite `xml:"testsuite"`
}

// JUnit renders the matrix gate as JUnit XML: one testsuite per cell
// ("kbench gate: CELL"), and one holding a failed case per missing cell.
func (m *MatrixGate) JUnit() ([]byte, error) {
	doc := junitSuites{Name: "kbench matrix gate"}
	for i, g := range m.Gates {
		doc.Suites = append(doc.Suites, g.suite("kbench gate: "+m.Cells[i]))
	}
	if len(m.Missing) > 0 {
		s := junitSuite{Name: "kbench gate: missing cells", Time: "0"}
		for _, c := range m.Missing {
			s.Tests++
			s.Failures++
			s.Cases = append(s.Cases, junitCase{Name: c, Classname: "kbench.gate.cell", Time: "0",
				Failure: &junitFailure{Message: "cell missing in the current run", Type: "missing-cell"}})
		}
		doc.Suites = append(doc.Suites, s)
	}
	return marshalJUnit(doc)
}

// WriteFiles writes the Markdown verdict and the JUnit XML as
// Gate.WriteFiles does: both or neither.
func (m *MatrixGate) WriteFiles(markdownPath, junitPath string) error {
	junit, err := m.JUnit()
	if err != nil {
		return err
	}
	return writeFiles([]namedData{{markdownPath, m.Markdown()}, {junitPath, junit}})
}
