package gate

import (
	"strings"
	"testing"

	"github.com/kbench/kbench/internal/resultstest"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/scenarios"
)

func TestJudge(t *testing.T) {
	tests := []struct {
		name       string
		thresholds []string
		errors     []string
		verdict    string
		oks        []bool
		errSub     []string // per threshold; "" for no error
	}{
		{"no thresholds", nil, nil, results.VerdictPass, nil, nil},
		{"pass", []string{"latency.e2e.p99_ms < 500", "totals.produced >= 100"}, nil, results.VerdictPass, []bool{true, true}, []string{"", ""}},
		{"one fails", []string{"latency.e2e.p99_ms < 500", "totals.lost == 0"}, nil, results.VerdictFail, []bool{true, false}, []string{"", ""}},
		{"unknown metric", []string{"latency.nope.p99_ms < 500"}, nil, results.VerdictFail, []bool{false}, []string{"unknown metric"}},
		{"unparsable", []string{"p99 is small"}, nil, results.VerdictFail, []bool{false}, []string{"threshold"}},
		{"run errors", []string{"totals.produced > 0"}, []string{"interrupted"}, results.VerdictFail, []bool{true}, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := resultstest.Summary()
			s.Errors = tt.errors
			Judge(s, tt.thresholds)
			if s.Verdict != tt.verdict {
				t.Errorf("verdict = %q, want %q", s.Verdict, tt.verdict)
			}
			if len(s.Thresholds) != len(tt.thresholds) || s.Thresholds == nil {
				t.Fatalf("thresholds = %+v", s.Thresholds)
			}
			for i, r := range s.Thresholds {
				if r.Expr != tt.thresholds[i] || r.OK != tt.oks[i] {
					t.Errorf("threshold %d = %+v, want ok %v", i, r, tt.oks[i])
				}
				if (tt.errSub[i] == "") != (r.Error == "") || !strings.Contains(r.Error, tt.errSub[i]) {
					t.Errorf("threshold %d error = %q, want it to contain %q", i, r.Error, tt.errSub[i])
				}
			}
		})
	}
	s := resultstest.Summary()
	Judge(s, []string{"latency.e2e.p99_ms < 500"})
	if v := s.Thresholds[0].Value; v != 450.125 {
		t.Errorf("value = %v, want 450.125", v)
	}
}

func TestCheckThresholds(t *testing.T) {
	sc, err := scenarios.Parse("t.yaml", []byte("name: t\nproducers:\n  - generator: payments\n    rate: {profile: constant, rps: 5}\n"+
		"thresholds:\n  - totals.lost == 0\n  - latency.e2e.p99 < 5\n  - consumers.fraud.latency.e2e.p99_ms < 9\n  - latency.nope.p99_ms < 1\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	probs := CheckThresholds(sc)
	if len(probs) != 2 {
		t.Fatalf("CheckThresholds = %v, want the two unknown metrics", probs)
	}
	for i, want := range []struct {
		line   int
		metric string
	}{{7, "latency.e2e.p99"}, {9, "latency.nope.p99_ms"}} {
		p := probs[i]
		if p.File != "t.yaml" || p.Line != want.line || !strings.Contains(p.Message, want.metric) {
			t.Errorf("problem %d = %+v, want t.yaml line %d naming %s", i, p, want.line, want.metric)
		}
	}
}
