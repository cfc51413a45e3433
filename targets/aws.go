package targets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"
)

// ErrNoCredentials is wrapped by Open's error for kind aws when the default
// credential chain yields no credentials.
var ErrNoCredentials = errors.New("no AWS credentials")

// ErrAccessDenied is wrapped by Preflight's (and ExplainAWSError's) error when
// Kinesis rejects the credentials or the identity lacks a permission.
var ErrAccessDenied = errors.New("AWS refused the request")

// RequiredActions are the IAM actions kbench calls on the streams it uses:
// every one of them must be allowed for a run with polling and fan-out
// consumers, resharding and clean-up (kbench:run-id tags included).
var RequiredActions = []string{
	"kinesis:CreateStream",
	"kinesis:AddTagsToStream",
	"kinesis:ListTagsForStream",
	"kinesis:DescribeStreamSummary",
	"kinesis:ListShards",
	"kinesis:PutRecords",
	"kinesis:GetShardIterator",
	"kinesis:GetRecords",
	"kinesis:RegisterStreamConsumer",
	"kinesis:DescribeStreamConsumer",
	"kinesis:SubscribeToShard",
	"kinesis:DeregisterStreamConsumer",
	"kinesis:UpdateShardCount",
	"kinesis:DeleteStream",
	"kinesis:ListStreams",
}

// IAMPolicy returns the smallest IAM policy document (JSON) that lets kbench
// run against streams named kbench-* in any region of the account: every
// action in RequiredActions, on those streams and their consumers, and
// ListStreams (which takes no stream) for clean-up.
func IAMPolicy() string {
	var onStreams []string
	for _, a := range RequiredActions {
		if a != "kinesis:ListStreams" {
			onStreams = append(onStreams, a)
		}
	}
	type statement struct {
		Sid      string   `json:"Sid"`
		Effect   string   `json:"Effect"`
		Action   []string `json:"Action"`
		Resource []string `json:"Resource"`
	}
	doc := struct {
		Version   string      `json:"Version"`
		Statement []statement `json:"Statement"`
	}{"2012-10-17", []statement{
		{"KbenchStreams", "Allow", onStreams, []string{
			"arn:aws:kinesis:*:*:stream/kbench-*",
			"arn:aws:kinesis:*:*:stream/kbench-*/consumer/*",
		}},
		{"KbenchList", "Allow", []string{"kinesis:ListStreams"}, []string{"*"}},
	}}
	b, _ := json.MarshalIndent(doc, "", "  ") // a fixed document of strings: cannot fail
	return string(b)
}

// credentialsWait bounds how long Open waits for the credential chain. With
// no credentials anywhere the chain ends at the instance metadata service,
// whose client already gives up on a host that does not answer (250 ms to
// connect, 500 ms for the response header, 5 s per call); this bounds SSO,
// web-identity and container endpoints too.
const credentialsWait = 10 * time.Second

// credentialChain names where the default chain looks, for error messages.
const credentialChain = "environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), " +
	"shared config and credentials files (--profile or AWS_PROFILE; ~/.aws/config, ~/.aws/credentials; SSO after `aws sso login`), " +
	"web identity (AWS_WEB_IDENTITY_TOKEN_FILE), container role (ECS/EKS) and instance role (EC2 metadata)"

var awsKind = Kind{
	Name:       KindAWS,
	Doc:        "Real Amazon Kinesis Data Streams, with the credentials and region of the AWS configuration; it costs money.",
	InScenario: true,
	Open:       openAWS,
}

// openAWS resolves the region and credentials of the default AWS chain
// (with spec.Profile, if set), waiting at most 10 s for them, and records
// where they came from in CredentialSource. It sends no
// Kinesis request: kbench must not touch a real account before the caller
// has shown the cost estimate; Preflight is the first call.
func openAWS(ctx context.Context, spec Spec) (*Target, error) {
	t := &Target{Kind: KindAWS, Endpoint: spec.Endpoint, Region: spec.Region, Profile: spec.Profile}
	cfg, err := t.loadConfig(ctx, ClientOptions{})
	if err != nil {
		return nil, fmt.Errorf("targets: aws: %w: %w (looked in the %s)", ErrNoCredentials, err, credentialChain)
	}
	t.Region = cfg.Region
	cctx, cancel := context.WithTimeout(ctx, credentialsWait)
	defer cancel()
	creds, err := cfg.Credentials.Retrieve(cctx)
	if err == nil && !creds.HasKeys() {
		err = errors.New("credential chain returned empty keys")
	}
	if err != nil {
		return nil, fmt.Errorf("targets: aws: %w within %s: %w\nkbench looked in the standard AWS credential chain: %s; set one of them (for example AWS_PROFILE, or --profile, after `aws sso login`)",
			ErrNoCredentials, credentialsWait, err, credentialChain)
	}
	if creds.CanExpire && !creds.Expires.IsZero() && time.Until(creds.Expires) < 0 {
		return nil, fmt.Errorf("targets: aws: %w: the credentials from %s expired at %s; refresh them (`aws sso login`, or a new session token)",
			ErrNoCredentials, creds.Source, creds.Expires.Format(time.RFC3339))
	}
	t.CredentialSource = creds.Source
	return t, nil
}

// preflightWait bounds Preflight's read-only call.
const preflightWait = 20 * time.Second

// Preflight proves, before anything is created, that Kinesis in t's region
// accepts t's credentials and lets them read: it sends one read-only
// DescribeStreamSummary of stream. With existing false the stream must not
// exist (kbench creates its own and never adopts one); with existing true it
// must. Credentials AWS does not accept, expired ones, a missing permission
// or an unknown region give an error wrapping ErrAccessDenied or
// ErrUnreachable that says what is wrong and which IAM actions kbench needs.
// It blocks for at most 20 s; cancelling ctx aborts it.
func Preflight(ctx context.Context, t *Target, stream string, existing bool) error {
	c, err := t.Client(ctx, ClientOptions{MaxAttempts: 2, MaxConns: 1, Timeout: probeTimeout * 5})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, preflightWait)
	defer cancel()
	out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
	switch {
	case err == nil && existing:
		return nil
	case err == nil:
		hint := "pick another stream.name, or set stream.existing: true to write to it as it is (kbench then never reshards or deletes it)"
		if ours, terr := createdByKbench(ctx, c, stream); terr == nil && ours {
			hint = "it carries kbench's tags, so an earlier run left it behind: `kbench cleanup` deletes it"
		}
		return fmt.Errorf("targets: stream %q (%s) in %s: %w; kbench creates its own stream and does not touch one it did not create: %s",
			stream, aws.ToString(out.StreamDescriptionSummary.StreamARN), t.Region, ErrStreamExists, hint)
	case isNotFound(err) && existing:
		return fmt.Errorf("targets: stream %q does not exist in region %s of this account (stream.existing is set, so kbench does not create it): %w", stream, t.Region, err)
	case isNotFound(err):
		return nil
	}
	return ExplainAWSError(err, t.Region)
}

// ExplainAWSError returns err wrapped with what it means for a kbench user
// when it is an authentication or permission error (wrapping
// ErrAccessDenied, with the IAM actions kbench needs) or an endpoint that
// cannot be found (wrapping ErrUnreachable); other errors are returned
// as they are.
func ExplainAWSError(err error, region string) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		var what string
		switch ae.ErrorCode() {
		case "UnrecognizedClientException", "InvalidClientTokenId":
			what = "AWS does not recognise the access key id (a wrong, deleted or inactive key, a session token missing or left over, or a key of another partition)"
		case "ExpiredTokenException", "ExpiredToken", "RequestExpired":
			what = "the credentials have expired: refresh them (`aws sso login`, or a new session token)"
		case "InvalidSignatureException", "SignatureDoesNotMatch":
			what = "the request signature does not match: the secret access key does not belong to the access key id, or the clock is far off"
		case "MissingAuthenticationTokenException":
			what = "the request carried no credentials"
		case "AccessDeniedException":
			what = "the identity is not allowed to do this: its IAM policy lacks a kinesis action"
		default:
			return err
		}
		return fmt.Errorf("targets: aws: %w in region %s: %s (%s: %s)\nkbench needs these IAM actions on its streams: %s (docs/aws.md has a minimal policy)",
			ErrAccessDenied, region, what, ae.ErrorCode(), ae.ErrorMessage(), strings.Join(RequiredActions, ", "))
	}
	if dns := (*net.DNSError)(nil); errors.As(err, &dns) {
		return fmt.Errorf("targets: aws: %w: the Kinesis endpoint of region %q does not resolve (%s): is %q a region name (such as us-east-1)?",
			ErrUnreachable, region, dns.Name, region)
	}
	return err
}
