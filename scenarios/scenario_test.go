package scenarios

import "testing"

func TestProblemAt(t *testing.T) {
	s, err := Parse("p.yaml", []byte("name: p\nproducers:\n  - generator: payments\n    rate: {profile: constant, rps: 5}\nthresholds:\n  - totals.lost == 0\n  - latency.e2e.p99 < 5\n"), []string{"duration=5s"})
	if err != nil {
		t.Fatal(err)
	}
	got := s.ProblemAt("thresholds[1]", "unknown metric")
	if got.File != "p.yaml" || got.Line != 7 || got.Field != "thresholds[1]" {
		t.Errorf("ProblemAt(thresholds[1]) = %+v, want p.yaml line 7", got)
	}
	if got := s.ProblemAt("duration", "x"); got.File != "--set" {
		t.Errorf("ProblemAt(duration) = %+v, want the --set named", got)
	}
	if got := s.ProblemAt("deadline", "x"); got.Line != 0 || got.File != "p.yaml" {
		t.Errorf("ProblemAt(deadline) = %+v, want the file without a line", got)
	}
}
