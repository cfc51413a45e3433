package reports

import (
	"strings"
	"testing"
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
		{"no thresholds", nil, nil, VerdictPass, nil, nil},
		{"pass", []string{"latency.e2e.p99_ms < 500", "totals.produced >= 100"}, nil, VerdictPass, []bool{true, true}, []string{"", ""}},
		{"one fails", []string{"latency.e2e.p99_ms < 500", "totals.lost == 0"}, nil, VerdictFail, []bool{true, false}, []string{"", ""}},
		{"unknown metric", []string{"latency.nope.p99_ms < 500"}, nil, VerdictFail, []bool{false}, []string{"unknown metric"}},
		{"unparsable", []string{"p99 is small"}, nil, VerdictFail, []bool{false}, []string{"threshold"}},
		{"run errors", []string{"totals.produced > 0"}, []string{"interrupted"}, VerdictFail, []bool{true}, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := testSummary()
			s.Errors = tt.errors
			s.Judge(tt.thresholds)
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
	s := testSummary()
	s.Judge([]string{"latency.e2e.p99_ms < 500"})
	if v := s.Thresholds[0].Value; v != 450.125 {
		t.Errorf("value = %v, want 450.125", v)
	}
}
