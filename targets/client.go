package targets

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// Static credentials sent to every target except aws; emulators accept any.
const (
	localAccessKey = "kbench"
	localSecretKey = "kbench"
)

// ClientOptions tunes the Kinesis client Target.Client builds.
type ClientOptions struct {
	// MaxAttempts is the number of HTTP attempts per SDK call: 1 turns SDK
	// retries off (the data path retries itself and counts every attempt);
	// 0 keeps the SDK default (3, with backoff).
	MaxAttempts int
	// MaxConns is how many calls the caller keeps in flight; the client
	// keeps that many idle connections per host so it does not churn TCP
	// connections under concurrency. 0 keeps the SDK default.
	MaxConns int
	// Timeout bounds each HTTP attempt, reading the body included; 0 means
	// no client-side timeout beyond ctx.
	Timeout time.Duration
	// Attempts, when non-nil, counts every HTTP attempt the client makes.
	Attempts *Attempts
}

// Client returns an aws-sdk-go-v2 Kinesis client for the target: static
// credentials and the target's endpoint for every kind but aws, the default
// credential chain (and regional endpoint unless Endpoint is set) for aws.
// It reads the shared AWS configuration but sends no request.
func (t *Target) Client(ctx context.Context, opts ClientOptions) (*kinesis.Client, error) {
	cfg, err := t.loadConfig(ctx, opts)
	if err != nil {
		return nil, err
	}
	return kinesis.NewFromConfig(cfg, func(o *kinesis.Options) {
		if t.Endpoint != "" {
			o.BaseEndpoint = aws.String(t.Endpoint)
		}
		switch {
		case opts.MaxAttempts == 1:
			o.Retryer = aws.NopRetryer{}
		case opts.MaxAttempts > 1:
			o.RetryMaxAttempts = opts.MaxAttempts
		}
		if opts.Attempts != nil {
			o.APIOptions = append(o.APIOptions, opts.Attempts.addMiddleware)
		}
		o.HTTPClient = plainBody{o.HTTPClient}
	}), nil
}

// plainBody hides the SDK's request body type from net/http. Against a fast
// endpoint (the simulator on loopback) net/http's write loop otherwise now
// and then reports io.EOF for a request whose response has already arrived
// and closes the connection while the SDK still reads the response, failing
// about one call in 20-50 with "deserialization failed ... use of closed
// network connection". The stock retryer hides that as an extra request; with
// kbench's own retries it would show up as transport errors and churned
// connections. Behind a plain io.ReadCloser the body is sent the same way.
type plainBody struct{ kinesis.HTTPClient }

// Do implements kinesis.HTTPClient.
func (c plainBody) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = struct{ io.ReadCloser }{r.Body}
	}
	return c.HTTPClient.Do(r)
}

// loadConfig loads the aws.Config behind Client.
func (t *Target) loadConfig(ctx context.Context, opts ClientOptions) (aws.Config, error) {
	if opts.MaxAttempts < 0 || opts.MaxConns < 0 || opts.Timeout < 0 {
		return aws.Config{}, fmt.Errorf("targets: negative client option in %+v", opts)
	}
	// A BuildableClient, not a plain *http.Client: with AWS_CA_BUNDLE set,
	// LoadDefaultConfig needs WithTransportOptions to add the bundle.
	hc := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		if opts.MaxConns > 0 {
			tr.MaxIdleConnsPerHost = opts.MaxConns
			tr.MaxIdleConns = max(tr.MaxIdleConns, opts.MaxConns)
		}
	})
	if opts.Timeout > 0 {
		hc = hc.WithTimeout(opts.Timeout)
	}
	loadOpts := []func(*config.LoadOptions) error{config.WithHTTPClient(hc)}
	if t.Region != "" {
		loadOpts = append(loadOpts, config.WithRegion(t.Region))
	}
	switch {
	case t.Kind != KindAWS:
		loadOpts = append(loadOpts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(localAccessKey, localSecretKey, "")))
	case t.Profile != "":
		loadOpts = append(loadOpts, config.WithSharedConfigProfile(t.Profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("targets: load AWS config: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	return cfg, nil
}
