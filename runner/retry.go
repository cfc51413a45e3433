package runner

import (
	"context"
	"math/rand/v2"
	"time"
)

// RetryPolicy is how a producer resends the records of a failed PutRecords
// attempt: capped exponential backoff with "full jitter". Attempts count from
// 0 (the first send, which does not wait); before attempt k ≥ 1 the producer
// waits a uniformly random time in [0, min(Cap, Base·2^k)]. Full jitter
// spreads the resends of many throttled producers evenly over the window, so
// they do not hit the shard again in lockstep.
//
// Kinesis clients in kbench are built with SDK retries off, so this policy is
// the only retry loop and every attempt is counted.
type RetryPolicy struct {
	// MaxAttempts is how many times a record is sent at most, the first send
	// included; 1 means never resend.
	MaxAttempts int
	// Base is the backoff unit; it must be positive when MaxAttempts > 1.
	Base time.Duration
	// Cap bounds every wait; it must be at least Base.
	Cap time.Duration
}

// MaxBackoff returns the upper bound of the wait before attempt k:
// min(Cap, Base·2^k), or 0 for k ≤ 0.
func (r RetryPolicy) MaxBackoff(attempt int) time.Duration {
	if attempt <= 0 || r.Base <= 0 {
		return 0
	}
	if attempt >= 62 || r.Base > r.Cap>>attempt {
		return r.Cap
	}
	return r.Base << attempt
}

// Backoff returns a random wait before attempt k, uniform in
// [0, MaxBackoff(k)]. It is safe for concurrent use.
func (r RetryPolicy) Backoff(attempt int) time.Duration {
	m := r.MaxBackoff(attempt)
	if m <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(m) + 1))
}

// shortSleep is the longest wait sleepCtx makes without watching ctx: the
// scheduler's many short waits at high rates then cost no timer allocation,
// and cancelling is noticed at most this much later.
const shortSleep = time.Millisecond

// sleepCtx waits for d, or until ctx is done and then returns ctx.Err().
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d < shortSleep {
		if d > 0 {
			time.Sleep(d)
		}
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
