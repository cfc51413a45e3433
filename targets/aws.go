package targets

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNoCredentials is wrapped by Open's error for kind aws when the default
// credential chain yields no credentials.
var ErrNoCredentials = errors.New("no AWS credentials")

// credentialsWait bounds how long Open waits for the credential chain (which
// may ask an instance metadata or SSO endpoint).
const credentialsWait = 30 * time.Second

// openAWS resolves the region and credentials of the default AWS chain. It
// sends no Kinesis request: kbench must not touch a real account before the
// caller has shown the cost estimate.
func openAWS(ctx context.Context, spec Spec) (*Target, error) {
	t := &Target{Kind: KindAWS, Endpoint: spec.Endpoint, Region: spec.Region}
	cfg, err := t.loadConfig(ctx, ClientOptions{})
	if err != nil {
		return nil, err
	}
	t.Region = cfg.Region
	cctx, cancel := context.WithTimeout(ctx, credentialsWait)
	defer cancel()
	creds, err := cfg.Credentials.Retrieve(cctx)
	if err == nil && !creds.HasKeys() {
		err = errors.New("credential chain returned empty keys")
	}
	if err != nil {
		return nil, fmt.Errorf("targets: aws: %w (set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run `aws sso login`): %w", ErrNoCredentials, err)
	}
	fmt.Fprintf(spec.Log, "aws: region %s, credentials from %s\n", t.Region, creds.Source)
	return t, nil
}
