package targets

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// Readiness probing: how often, and how long one probe may take.
const (
	probeInterval = 100 * time.Millisecond
	probeTimeout  = 2 * time.Second
)

// waitReady polls ListStreams on t until a call succeeds, ctx is done, limit
// has passed, or exited (when non-nil) reports that the process serving the
// endpoint is gone. A probe that runs out of time fails with an error wrapping
// ErrUnreachable and the last probe error.
func waitReady(ctx context.Context, t *Target, limit time.Duration, exited func() error) error {
	c, err := t.Client(ctx, ClientOptions{MaxAttempts: 1, MaxConns: 1, Timeout: probeTimeout})
	if err != nil {
		return err
	}
	deadline := time.Now().Add(limit)
	tick := time.NewTicker(probeInterval)
	defer tick.Stop()
	for {
		pctx, cancel := context.WithTimeout(ctx, min(probeTimeout, max(time.Until(deadline), time.Millisecond)))
		_, perr := c.ListStreams(pctx, &kinesis.ListStreamsInput{})
		cancel()
		if perr == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("targets: waiting for %s at %s: %w", t.Kind, t.Endpoint, context.Cause(ctx))
		}
		if exited != nil {
			if xerr := exited(); xerr != nil {
				return fmt.Errorf("targets: %s exited before answering: %w", t.Kind, xerr)
			}
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("targets: %s at %s did not answer ListStreams within %s: %w (last error: %w)",
				t.Kind, t.Endpoint, limit, ErrUnreachable, perr)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("targets: waiting for %s at %s: %w", t.Kind, t.Endpoint, context.Cause(ctx))
		case <-tick.C:
		}
	}
}
