package collectors

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/smithy-go"
)

// waitFunc waits for d, or until ctx is done and then returns ctx.Err(). The
// collectors do every wait (poll intervals and backoffs) through one, so tests
// can replace it.
type waitFunc func(ctx context.Context, d time.Duration) error

// sleep is the real waitFunc.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
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

// Backoff bounds. Throttling waits at least a second, as the read quota is
// per second; other retried errors start small.
const (
	throttleBase  = time.Second
	transientBase = 100 * time.Millisecond
	backoffCap    = 5 * time.Second
)

// backoff is a capped exponential backoff with up to 25% added jitter, so
// readers throttled together do not retry together.
type backoff struct {
	base, cap time.Duration
	next      time.Duration
}

// step returns the next wait and doubles the one after, up to the cap.
func (b *backoff) step() time.Duration {
	if b.next == 0 {
		b.next = b.base
	}
	d := b.next
	b.next = min(2*b.next, b.cap)
	return d + rand.N(d/4+1)
}

// reset starts the next failure series from the base again.
func (b *backoff) reset() { b.next = 0 }

// retry calls fn until it succeeds, fails with an error that retrying cannot
// fix (returned, prefixed with what), or ctx ends (ctx.Err() is returned).
// Transient errors and throttling are retried with a capped backoff and
// logged.
func (c *core) retry(ctx context.Context, what string, fn func(context.Context) error) error {
	bo := backoff{base: transientBase, cap: backoffCap}
	for {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		switch classify(ctx, err) {
		case errCanceled:
			return ctx.Err()
		case errFatal:
			return fmt.Errorf("collectors: %s: %w", what, err)
		}
		d := bo.step()
		c.cfg.Log("collector %s: %s: %v (retrying in %v)", c.cfg.Name, what, err, d.Round(time.Millisecond))
		if c.wait(ctx, d) != nil {
			return ctx.Err()
		}
	}
}

// errorCode returns the service's error code of err, or "" when err is not
// a service error.
func errorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// errKind is how a reader reacts to an error from Kinesis.
type errKind uint8

const (
	errTransient errKind = iota // transport, 5xx, LimitExceeded, …: back off and retry
	errThrottled                // read quota exceeded: count, back off at least a second
	errExpired                  // iterator expired: get a new one where reading stopped
	errFatal                    // the stream cannot be read as asked (not found, denied, invalid)
	errCanceled                 // the context ended: stop
)

// classify sorts an error of a Kinesis call made with ctx.
func classify(ctx context.Context, err error) errKind {
	if ctx.Err() != nil {
		return errCanceled
	}
	switch errorCode(err) {
	case "ProvisionedThroughputExceededException", "KMSThrottlingException":
		return errThrottled
	case "ExpiredIteratorException":
		return errExpired
	case "ResourceNotFoundException", "AccessDeniedException", "InvalidArgumentException",
		"ValidationException", "KMSAccessDeniedException", "KMSDisabledException",
		"KMSInvalidStateException", "KMSNotFoundException", "KMSOptInRequired",
		"UnknownOperationException", "InvalidAction", "NotImplemented":
		return errFatal
	}
	return errTransient
}
