package targets

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"

	"github.com/kbench/kbench/internal/clip"
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
		if err := refusedCredentials(t.Kind, perr); err != nil {
			return fmt.Errorf("targets: %s at %s answers but %w", t.Kind, t.Endpoint, err)
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

// ErrAuthentication marks an endpoint that answers but does not accept
// kbench's credentials.
var ErrAuthentication = errors.New("authentication failed")

// refusedCredentials returns an error wrapping ErrAuthentication when err is
// an endpoint's answer that it does not accept the request's credentials
// (the endpoint is up: waiting longer will not help), and nil otherwise.
func refusedCredentials(kind string, err error) error {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return nil
	}
	switch ae.ErrorCode() {
	case "UnrecognizedClientException", "InvalidClientTokenId", "ExpiredTokenException", "ExpiredToken",
		"RequestExpired", "InvalidSignatureException", "SignatureDoesNotMatch",
		"MissingAuthenticationTokenException", "AccessDeniedException", "IncompleteSignatureException":
		how := fmt.Sprintf("kbench signs requests to a %s target with the fixed access key id %q, which emulators accept: "+
			"serve the endpoint without authentication (kbench sim without --require-auth), or use --target aws --endpoint URL "+
			"to sign with your AWS credentials", kind, localAccessKey)
		if kind == KindAWS {
			how = "kbench signs with the standard AWS credential chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, " +
				"AWS_PROFILE or --profile): give it keys this endpoint accepts"
		}
		return fmt.Errorf("%w: it refused kbench's credentials (%s: %s); %s",
			ErrAuthentication, ae.ErrorCode(), clip.Cut(ae.ErrorMessage()), how)
	}
	return nil
}
