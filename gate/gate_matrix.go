package gate

import (
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/kbench/kbench/internal/textfmt"
	"github.com/kbench/kbench/results"
)

// Matrix judges a matrix run against a baseline matrix run cell by cell:
// each cell directory of the current run (a RunSet) against the cell of the
// same name in the baseline. A cell the current run lacks fails.
type Matrix struct {
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

// EvaluateMatrix gates every cell the two matrix outputs share with the
// same rules (DefaultRules when empty). It is an error when they share no
// cell, or when a rule's metric is in neither side of a cell.
func EvaluateMatrix(baselineDir, currentDir string, rules []Rule) (*Matrix, error) {
	base, err := results.CellDirs(baselineDir)
	if err != nil {
		return nil, err
	}
	cur, err := results.CellDirs(currentDir)
	if err != nil {
		return nil, err
	}
	m := &Matrix{BaselineDir: baselineDir, CurrentDir: currentDir}
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
		return nil, fmt.Errorf("gate: %s and %s share no matrix cell (baseline cells: %s; current cells: %s)",
			baselineDir, currentDir, listOrNone(base), listOrNone(cur))
	}
	for _, c := range m.Cells {
		b, err := results.LoadRunSet(filepath.Join(baselineDir, c))
		if err != nil {
			return nil, err
		}
		cs, err := results.LoadRunSet(filepath.Join(currentDir, c))
		if err != nil {
			return nil, err
		}
		g, err := Evaluate(b, cs, rules)
		if err != nil {
			return nil, fmt.Errorf("cell %s: %w", c, err)
		}
		m.Gates = append(m.Gates, g)
	}
	return m, nil
}

// Verdict is a gate over one results directory or over a whole matrix: what
// the compare command prints and writes.
type Verdict interface {
	Passed() bool
	FailedRules() []string
	WriteText(w io.Writer)
	WriteFiles(markdownPath, junitPath string) error
}

// EvaluateDirs gates currentDir against baselineDir: two results
// directories (a run, or the repeats of one) as one Gate, or two matrix
// outputs cell by cell as a Matrix. Every error is bad input: a directory
// that is neither, one of each, or a rule neither side can judge.
func EvaluateDirs(baselineDir, currentDir string, rules []Rule) (Verdict, error) {
	baseline, berr := results.LoadRunSet(baselineDir)
	current, cerr := results.LoadRunSet(currentDir)
	if berr == nil && cerr == nil {
		g, err := Evaluate(baseline, current, rules)
		if err != nil {
			return nil, err
		}
		return g, nil
	}
	bCells, _ := results.CellDirs(baselineDir)
	cCells, _ := results.CellDirs(currentDir)
	if berr != nil && cerr != nil && len(bCells) > 0 && len(cCells) > 0 {
		m, err := EvaluateMatrix(baselineDir, currentDir, rules)
		if err != nil {
			return nil, err
		}
		return m, nil
	}
	if berr != nil {
		return nil, fmt.Errorf("baseline: %w", berr)
	}
	return nil, fmt.Errorf("current: %w", cerr)
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// Failed returns the number of cells that regressed or are missing.
func (m *Matrix) Failed() int {
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
func (m *Matrix) FailedRules() []string {
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
func (m *Matrix) Passed() bool { return m.Failed() == 0 }

func (m *Matrix) headline() string {
	return fmt.Sprintf("%d of %s failed", m.Failed(), textfmt.Plural(len(m.Cells)+len(m.Missing), "cell"))
}

func (m *Matrix) verdict() string {
	if m.Passed() {
		return "PASS"
	}
	return "FAIL"
}

// notes are the cells judged on one side only.
func (m *Matrix) notes() []string {
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
func (m *Matrix) WriteText(w io.Writer) {
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
func (m *Matrix) Markdown() []byte {
	var b strings.Builder
	icon := "❌"
	if m.Passed() {
		icon = "✅"
	}
	fmt.Fprintf(&b, "# %s kbench matrix gate: %s\n\n%s: %s against baseline %s.\n\n",
		icon, m.verdict(), m.headline(), mdCode(m.CurrentDir), mdCode(m.BaselineDir))
	var notes []string
	for _, n := range m.notes() {
		notes = append(notes, textfmt.MDEscape(n))
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
func (m *Matrix) JUnit() ([]byte, error) {
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
func (m *Matrix) WriteFiles(markdownPath, junitPath string) error {
	junit, err := m.JUnit()
	if err != nil {
		return err
	}
	return writeFiles([]namedData{{markdownPath, m.Markdown()}, {junitPath, junit}})
}
