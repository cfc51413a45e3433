package gate

import (
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kbench/kbench/results"
)

// junitSuite is the JUnit XML document of a gate: one testsuite, one
// testcase per rule, as CI systems (GitHub Actions reporters, GitLab,
// Jenkins) read it.
type junitSuite struct {
	XMLName    xml.Name        `xml:"testsuite"`
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// JUnit renders the gate as JUnit XML (gate.junit.xml): one testsuite
// "kbench gate", one testcase per rule named by the rule, a <failure> with
// the numbers for each regression and <skipped> for rules not judged.
func (g *Gate) JUnit() ([]byte, error) {
	return marshalJUnit(g.suite("kbench gate"))
}

// marshalJUnit encodes a JUnit document with its XML header.
func marshalJUnit(doc any) ([]byte, error) {
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("gate: encode JUnit XML: %w", err)
	}
	return append([]byte(xml.Header), append(b, '\n')...), nil
}

// suite is the gate as one JUnit testsuite of the given name.
func (g *Gate) suite(name string) junitSuite {
	s := junitSuite{
		Name: name, Tests: len(g.Results), Time: "0",
		Properties: []junitProperty{
			{"baseline", g.BaselineDir}, {"baseline_runs", strconv.Itoa(g.BaselineRuns)},
			{"current", g.CurrentDir}, {"current_runs", strconv.Itoa(g.CurrentRuns)},
			{"default_rules", strconv.FormatBool(g.Defaults)},
		},
	}
	for _, r := range g.Results {
		c := junitCase{Name: r.Rule.Expr, Classname: "kbench.gate." + r.Rule.Metric, Time: "0"}
		switch r.Verdict {
		case results.VerdictFail:
			s.Failures++
			typ := "regression"
			if r.WithinNoise {
				typ = "regression-within-noise"
			}
			c.Failure = &junitFailure{Message: r.Detail(), Type: typ, Text: junitNumbers(r)}
		case VerdictSkip:
			s.Skipped++
			c.Skipped = &junitSkipped{Message: r.Detail()}
		default:
			c.SystemOut = r.Detail()
		}
		s.Cases = append(s.Cases, c)
	}
	return s
}

// junitNumbers is a failure's body: each side's median, spread and run
// count, the limit and the change.
func junitNumbers(r RuleResult) string {
	var b strings.Builder
	side := func(name string, s results.Spread) {
		if s.N == 0 {
			fmt.Fprintf(&b, "%s: no value\n", name)
			return
		}
		fmt.Fprintf(&b, "%s: median %s, min %s, max %s, runs %d\n", name, fmtNum(s.Median), fmtNum(s.Min), fmtNum(s.Max), s.N)
	}
	fmt.Fprintf(&b, "rule: %s\n", r.Rule.Expr)
	side("baseline", r.Baseline)
	side("current", r.Current)
	fmt.Fprintf(&b, "limit: %s\nchange: %s\n", r.limitText(), fmtChange(r.Change))
	if r.WithinNoise {
		b.WriteString(noiseRule + "\n")
	}
	return b.String()
}

// WriteFiles writes the Markdown verdict to markdownPath and the JUnit XML
// to junitPath, creating their directories. Both are rendered first and
// each is written to a temporary file and renamed into place, so a failure
// leaves neither file half-written.
func (g *Gate) WriteFiles(markdownPath, junitPath string) error {
	junit, err := g.JUnit()
	if err != nil {
		return err
	}
	return writeFiles([]namedData{{markdownPath, g.Markdown()}, {junitPath, junit}})
}

// namedData is a file's path and content.
type namedData struct {
	path string
	data []byte
}

// writeFiles writes each file to a temporary file beside it, then renames
// them all into place; on any error it removes what it wrote, so no file is
// left half-written.
func writeFiles(files []namedData) error {
	var tmps []string
	cleanup := func() {
		for _, t := range tmps {
			_ = os.Remove(t)
		}
	}
	for _, f := range files {
		if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
			cleanup()
			return fmt.Errorf("gate: %w", err)
		}
		tmp, err := os.CreateTemp(filepath.Dir(f.path), "."+filepath.Base(f.path)+".tmp*")
		if err != nil {
			cleanup()
			return fmt.Errorf("gate: %w", err)
		}
		tmps = append(tmps, tmp.Name())
		_, werr := tmp.Write(f.data)
		if err := errors.Join(werr, tmp.Close(), os.Chmod(tmp.Name(), 0o644)); err != nil {
			cleanup()
			return fmt.Errorf("gate: write %s: %w", f.path, err)
		}
	}
	for i, f := range files {
		if err := os.Rename(tmps[i], f.path); err != nil {
			cleanup()
			return fmt.Errorf("gate: %w", err)
		}
	}
	return nil
}
