package runner

import (
	"testing"
	"time"
)

func TestRetryPolicyMaxBackoff(t *testing.T) {
	ms := time.Millisecond
	p := RetryPolicy{MaxAttempts: 10, Base: 100 * ms, Cap: time.Second}
	for _, tc := range []struct {
		attempt int
		want    time.Duration
	}{
		{0, 0}, {-1, 0}, {1, 200 * ms}, {2, 400 * ms}, {3, 800 * ms}, {4, time.Second}, {5, time.Second},
		{62, time.Second}, {1000, time.Second},
	} {
		if got := p.MaxBackoff(tc.attempt); got != tc.want {
			t.Errorf("MaxBackoff(%d) = %v, want %v", tc.attempt, got, tc.want)
		}
	}
	if got := (RetryPolicy{MaxAttempts: 1}).MaxBackoff(3); got != 0 {
		t.Errorf("MaxBackoff without Base = %v, want 0", got)
	}
}

func TestRetryPolicyBackoffIsFullJitter(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 10, Base: time.Millisecond, Cap: 8 * time.Millisecond}
	for attempt := 1; attempt <= 6; attempt++ {
		max := p.MaxBackoff(attempt)
		var lo, hi bool
		for range 2000 {
			d := p.Backoff(attempt)
			if d < 0 || d > max {
				t.Fatalf("Backoff(%d) = %v, outside [0, %v]", attempt, d, max)
			}
			lo = lo || d < max/4
			hi = hi || d > max*3/4
		}
		if !lo || !hi {
			t.Errorf("Backoff(%d) does not spread over [0, %v]", attempt, max)
		}
	}
}
