package scenarios

import (
	"strings"
	"testing"
	"time"
)

func TestRetryProblems(t *testing.T) {
	for _, tc := range []struct {
		r    Retry
		want []string
	}{
		{Retry{MaxAttempts: 1}, nil},
		{Retry{MaxAttempts: 3, Base: time.Millisecond, Cap: time.Second}, nil},
		{Retry{}, []string{"max_attempts: must be between 1 and 100, got 0"}},
		{Retry{MaxAttempts: 101, Base: time.Millisecond, Cap: time.Second}, []string{"max_attempts"}},
		{Retry{MaxAttempts: 2}, []string{"base: must be positive when max_attempts > 1, got 0s"}},
		{Retry{MaxAttempts: 2, Base: -1, Cap: -2}, []string{"base: must not be negative", "cap"}},
		{Retry{MaxAttempts: 2, Base: time.Second, Cap: time.Millisecond}, []string{"cap: must be at least retry.base (1s), got 1ms"}},
	} {
		got := tc.r.Problems()
		if len(got) != len(tc.want) {
			t.Errorf("%+v: problems %v, want %d", tc.r, got, len(tc.want))
			continue
		}
		for i, w := range tc.want {
			if !strings.Contains(got[i].Error(), w) {
				t.Errorf("%+v: problem %q does not mention %q", tc.r, got[i], w)
			}
		}
	}
}

func TestSendProblemsPrefixesFields(t *testing.T) {
	p := Producer{Batch: Batch{MaxRecords: 501, MaxBytes: 1, Linger: -1}, InFlight: 257, Retry: Retry{MaxAttempts: 1}}
	var got []string
	for _, fe := range p.SendProblems() {
		got = append(got, fe.Field)
	}
	if want := "batch.max_records batch.linger in_flight"; strings.Join(got, " ") != want {
		t.Errorf("fields %v, want %s", got, want)
	}
}
