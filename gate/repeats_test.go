package gate

import (
	"testing"

	"github.com/kbench/kbench/results"
)

func TestRepeats(t *testing.T) {
	tests := []struct {
		verdicts []string
		pass     bool
	}{
		{nil, true},
		{[]string{"pass"}, true},
		{[]string{"fail"}, false},
		{[]string{"pass", "fail", "pass"}, true},         // one of three
		{[]string{"pass", "fail"}, false},                // a tie fails
		{[]string{"fail", "pass", "fail"}, false},        // two of three
		{[]string{"pass", "pass", "fail", "pass"}, true}, // one of four
		{[]string{"pass", ""}, false},                    // no verdict is not a pass
	}
	for _, tt := range tests {
		var r Repeats
		for _, v := range tt.verdicts {
			r.Add(&results.Summary{Verdict: v})
		}
		if r.Ran != len(tt.verdicts) {
			t.Errorf("%v: Ran = %d", tt.verdicts, r.Ran)
		}
		if got := r.Passed(); got != tt.pass {
			t.Errorf("%v: Passed() = %v, want %v (%d of %d failed)", tt.verdicts, got, tt.pass, r.Failed, r.Ran)
		}
		if want := map[bool]string{true: "PASS", false: "FAIL"}[tt.pass]; r.Verdict() != want {
			t.Errorf("%v: Verdict() = %q, want %q", tt.verdicts, r.Verdict(), want)
		}
	}
}
