package gate

import (
	"encoding/xml"
	"strings"
	"testing"
)

// decodedSuite is what a CI reader takes from gate.junit.xml.
type decodedSuite struct {
	XMLName  xml.Name `xml:"testsuite"`
	Name     string   `xml:"name,attr"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Props    []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	} `xml:"properties>property"`
	Cases []struct {
		Name    string `xml:"name,attr"`
		Failure *struct {
			Message string `xml:"message,attr"`
			Type    string `xml:"type,attr"`
			Body    string `xml:",chardata"`
		} `xml:"failure"`
		Skipped *struct {
			Message string `xml:"message,attr"`
		} `xml:"skipped"`
	} `xml:"testcase"`
}

func TestGateJUnit(t *testing.T) {
	g := goldenGate(t)
	// Add a skipped rule: the baseline has no e2e p50.
	g.Results = append(g.Results, RuleResult{Rule: Rule{Expr: "latency.e2e.p50_ms > +10%", Metric: "latency.e2e.p50_ms"},
		Verdict: VerdictSkip, Note: "the baseline has no value for this metric; refresh the baseline"})
	data, err := g.JUnit()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), xml.Header) {
		t.Error("no XML header")
	}
	var s decodedSuite
	if err := xml.Unmarshal(data, &s); err != nil {
		t.Fatalf("gate.junit.xml does not decode: %v\n%s", err, data)
	}
	if s.Name != "kbench gate" || s.Tests != 5 || s.Failures != 2 || s.Skipped != 1 || len(s.Cases) != 5 {
		t.Fatalf("suite %q: tests %d failures %d skipped %d cases %d; want 5, 2, 1, 5\n%s",
			s.Name, s.Tests, s.Failures, s.Skipped, len(s.Cases), data)
	}
	var failures, skipped int
	for _, c := range s.Cases {
		if c.Skipped != nil {
			skipped++
		}
		if c.Failure == nil {
			continue
		}
		failures++
		switch c.Name {
		case "latency.e2e.p99_ms > +10%":
			for _, w := range []string{"median 100, min 95.500, max 130.250, runs 3", "median 121, min 118, max 125, runs 3", "limit: 110", "change: +21.0%", "within noise"} {
				if !strings.Contains(c.Failure.Body, w) {
					t.Errorf("failure body of %s lacks %q:\n%s", c.Name, w, c.Failure.Body)
				}
			}
			if c.Failure.Type != "regression-within-noise" {
				t.Errorf("type %q", c.Failure.Type)
			}
		case "throughput.consumed_rps < -5%":
			if want := "current median 905 is < limit 950 = baseline median 1,000 -5%"; c.Failure.Message != want {
				t.Errorf("message %q, want %q", c.Failure.Message, want)
			}
		default:
			t.Errorf("unexpected failure %s", c.Name)
		}
	}
	if failures != s.Failures || skipped != s.Skipped {
		t.Errorf("counted %d failures and %d skips, attributes say %d and %d", failures, skipped, s.Failures, s.Skipped)
	}
	props := map[string]string{}
	for _, p := range s.Props {
		props[p.Name] = p.Value
	}
	if props["baseline"] != "perf/baseline" || props["current_runs"] != "3" || props["default_rules"] != "true" {
		t.Errorf("properties = %v", props)
	}
}
