package targets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"

	"github.com/kbench/kbench/internal/awstest"
	"github.com/kbench/kbench/sim"
)

func TestOpenAWS(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		region     string
		wantRegion string
		wantErr    error
	}{
		{"env credentials and region", map[string]string{"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "eu-west-1"}, "", "eu-west-1", nil},
		{"spec region wins", map[string]string{"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "eu-west-1"}, "ap-south-1", "ap-south-1", nil},
		{"default region", map[string]string{"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret"}, "", DefaultRegion, nil},
		{"no credentials", nil, "", "", ErrNoCredentials},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			awstest.Isolate(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			tgt, err := Open(t.Context(), Spec{Kind: KindAWS, Region: tc.region})
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Open error = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer tgt.Close()
			if tgt.Region != tc.wantRegion || tgt.Endpoint != "" {
				t.Errorf("target = %+v, want region %s and no endpoint", tgt, tc.wantRegion)
			}
			c, err := tgt.Client(t.Context(), ClientOptions{MaxAttempts: 1})
			if err != nil {
				t.Fatalf("Client: %v", err)
			}
			if got := c.Options().Region; got != tc.wantRegion {
				t.Errorf("client region = %s, want %s", got, tc.wantRegion)
			}
			if c.Options().BaseEndpoint != nil {
				t.Errorf("client BaseEndpoint = %s, want the regional default", *c.Options().BaseEndpoint)
			}
		})
	}
}

func TestOpenAWSProfile(t *testing.T) {
	awstest.Isolate(t)
	dir := t.TempDir()
	cfgFile, credFile := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	writeFile(t, cfgFile, "[profile kbtest]\nregion = eu-central-1\n")
	writeFile(t, credFile, "[kbtest]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = secret\n")
	t.Setenv("AWS_CONFIG_FILE", cfgFile)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credFile)

	tgt, err := Open(t.Context(), Spec{Kind: KindAWS, Profile: "kbtest"})
	if err != nil {
		t.Fatalf("Open with profile: %v", err)
	}
	if tgt.Region != "eu-central-1" || tgt.Profile != "kbtest" || tgt.CredentialSource == "" {
		t.Errorf("target = %+v, want the profile's region eu-central-1", tgt)
	}
	c, err := tgt.Client(t.Context(), ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	creds, err := c.Options().Credentials.Retrieve(t.Context())
	if err != nil || creds.AccessKeyID != "AKIDPROFILE" {
		t.Errorf("client credentials = %v, %v; want the profile's key", creds.AccessKeyID, err)
	}
	if _, err := Open(t.Context(), Spec{Kind: KindAWS, Profile: "nosuch"}); !errors.Is(err, ErrNoCredentials) || !strings.Contains(err.Error(), "nosuch") {
		t.Errorf("Open with an unknown profile: %v, want ErrNoCredentials naming it", err)
	}
}

// TestOpenAWSNoCredentialsFailsFast: with nothing anywhere in the chain
// (instance metadata disabled, so no packet leaves the machine) Open fails at
// once, naming the chain it searched.
func TestOpenAWSNoCredentialsFailsFast(t *testing.T) {
	awstest.Isolate(t)
	start := time.Now()
	_, err := Open(t.Context(), Spec{Kind: KindAWS})
	if took := time.Since(start); took > credentialsWait {
		t.Errorf("Open took %v, want under %v", took, credentialsWait)
	}
	if !errors.Is(err, ErrNoCredentials) {
		t.Fatalf("Open error = %v, want ErrNoCredentials", err)
	}
	for _, want := range []string{"AWS_ACCESS_KEY_ID", "AWS_PROFILE", "SSO", "instance role"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s:\n%v", want, err)
		}
	}
}

// authSim starts a simulator that checks credentials as AWS does (accepting
// only key AKIDKBENCHTEST, refusing the deny operations) and returns its URL.
func authSim(t *testing.T, deny ...string) string {
	t.Helper()
	cfg := sim.DefaultConfig()
	cfg.CreateDelay = 0
	cfg.Auth = &sim.Auth{AccessKeyID: "AKIDKBENCHTEST", Deny: deny}
	url, stop, err := sim.Start(context.Background(), cfg, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return url
}

// awsAt opens kind aws pointed at a loopback endpoint, with static
// credentials from the environment.
func awsAt(t *testing.T, endpoint, key string) *Target {
	t.Helper()
	awstest.Isolate(t)
	t.Setenv("AWS_ACCESS_KEY_ID", key)
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	tgt, err := Open(t.Context(), Spec{Kind: KindAWS, Endpoint: endpoint, Region: "us-east-1"})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return tgt
}

func TestPreflight(t *testing.T) {
	url := authSim(t)
	tgt := awsAt(t, url, "AKIDKBENCHTEST")
	c, err := tgt.Client(t.Context(), ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("theirs"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	if _, err := EnsureStream(ctx, c, StreamSpec{Name: "kbench-left", Shards: 1, RunID: "old"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		stream   string
		existing bool
		wantErr  error
		wantMsg  string
	}{
		{"new stream", "kbench-new", false, nil, ""},
		{"existing stream used as is", "theirs", true, nil, ""},
		{"name taken", "theirs", false, ErrStreamExists, "stream.existing"},
		{"left over by kbench", "kbench-left", false, ErrStreamExists, "kbench cleanup"},
		{"existing stream missing", "nosuch", true, nil, "does not exist in region us-east-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Preflight(ctx, tgt, tc.stream, tc.existing)
			switch {
			case tc.wantErr == nil && tc.wantMsg == "":
				if err != nil {
					t.Fatalf("Preflight: %v", err)
				}
			case err == nil || tc.wantErr != nil && !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.wantMsg):
				t.Fatalf("Preflight error = %v, want %v containing %q", err, tc.wantErr, tc.wantMsg)
			}
		})
	}
}

func TestPreflightRefused(t *testing.T) {
	tests := []struct {
		name     string
		key      string
		deny     []string
		wantCode string
	}{
		{"unknown access key", "AKIDSOMEONEELSE", nil, "UnrecognizedClientException"},
		{"missing permission", "AKIDKBENCHTEST", []string{"DescribeStreamSummary"}, "AccessDeniedException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tgt := awsAt(t, authSim(t, tc.deny...), tc.key)
			err := Preflight(t.Context(), tgt, "kbench-new", false)
			if !errors.Is(err, ErrAccessDenied) {
				t.Fatalf("Preflight error = %v, want ErrAccessDenied", err)
			}
			for _, want := range append([]string{tc.wantCode, "us-east-1"}, RequiredActions...) {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not name %s:\n%v", want, err)
				}
			}
		})
	}
}

func TestExplainAWSError(t *testing.T) {
	plain := errors.New("boom")
	tests := []struct {
		name    string
		err     error
		wantIs  error
		wantMsg string
	}{
		{"expired", &smithy.GenericAPIError{Code: "ExpiredTokenException", Message: "The security token included in the request is expired"}, ErrAccessDenied, "expired"},
		{"bad secret", &smithy.GenericAPIError{Code: "InvalidSignatureException", Message: "signature"}, ErrAccessDenied, "secret access key"},
		{"unknown key", &smithy.GenericAPIError{Code: "UnrecognizedClientException"}, ErrAccessDenied, "access key id"},
		{"denied", &smithy.GenericAPIError{Code: "AccessDeniedException"}, ErrAccessDenied, "kinesis:PutRecords"},
		{"unsigned", &smithy.GenericAPIError{Code: "MissingAuthenticationTokenException"}, ErrAccessDenied, "no credentials"},
		{"unknown region", &net.DNSError{Name: "kinesis.us-nowhere-1.amazonaws.com", Err: "no such host", IsNotFound: true}, ErrUnreachable, `"us-nowhere-1"`},
		{"other API error", &smithy.GenericAPIError{Code: "LimitExceededException"}, nil, "LimitExceededException"},
		{"other error", plain, plain, "boom"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			region := "us-east-1"
			if tc.wantIs == ErrUnreachable {
				region = "us-nowhere-1"
			}
			err := ExplainAWSError(fmt.Errorf("op: %w", tc.err), region)
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) || !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("ExplainAWSError = %v, want %v containing %q", err, tc.wantIs, tc.wantMsg)
			}
			if tc.wantIs == nil && errors.Is(err, ErrAccessDenied) {
				t.Errorf("ExplainAWSError = %v: not an access error", err)
			}
		})
	}
}

func TestIAMPolicy(t *testing.T) {
	var doc struct {
		Version   string
		Statement []struct {
			Effect   string
			Action   []string
			Resource []string
		}
	}
	if err := json.Unmarshal([]byte(IAMPolicy()), &doc); err != nil {
		t.Fatalf("IAMPolicy is not JSON: %v", err)
	}
	granted := map[string]bool{}
	for _, s := range doc.Statement {
		if s.Effect != "Allow" || len(s.Resource) == 0 {
			t.Errorf("statement %+v: want Allow with resources", s)
		}
		for _, a := range s.Action {
			granted[a] = true
		}
	}
	for _, a := range RequiredActions {
		if !granted[a] {
			t.Errorf("policy does not allow %s", a)
		}
	}
	if len(granted) != len(RequiredActions) || doc.Version != "2012-10-17" {
		t.Errorf("policy grants %d actions (want exactly the %d required), version %q", len(granted), len(RequiredActions), doc.Version)
	}
}

func writeFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}
