package sim

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"
)

// keyClient is an SDK client pointed at url that signs with access key id key.
func keyClient(t *testing.T, url, key string) *kinesis.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(key, "secret", "")),
	)
	if err != nil {
		t.Fatal(err)
	}
	return kinesis.NewFromConfig(cfg, func(o *kinesis.Options) {
		o.BaseEndpoint = aws.String(url)
		o.Retryer = aws.NopRetryer{}
		o.HTTPClient = plainBodyClient{o.HTTPClient}
	})
}

func TestAuth(t *testing.T) {
	cfg := testConfig()
	cfg.Auth = &Auth{AccessKeyID: "AKIDKBENCHTEST", Deny: []string{"DeleteStream"}}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	url := startServer(t, s)
	good := keyClient(t, url, "AKIDKBENCHTEST")
	bad := keyClient(t, url, "AKIDSOMEONEELSE")
	ctx := t.Context()
	in := &kinesis.ListStreamsInput{Limit: aws.Int32(1)}

	tests := []struct {
		name     string
		call     func() error
		wantCode string // "" means success
		wantMsg  string
	}{
		{"known key", func() error { _, err := good.ListStreams(ctx, in); return err }, "", ""},
		{"unknown key", func() error { _, err := bad.ListStreams(ctx, in); return err }, errUnrecognized, "security token included in the request is invalid"},
		{"denied action", func() error {
			_, err := good.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("x")})
			return err
		}, errAccessDenied, "not authorized to perform: kinesis:DeleteStream"},
		{"allowed action", func() error {
			_, err := good.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("x"), ShardCount: aws.Int32(1)})
			return err
		}, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if tc.wantCode == "" {
				if err != nil {
					t.Fatalf("call failed: %v", err)
				}
				return
			}
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tc.wantCode || !strings.Contains(ae.ErrorMessage(), tc.wantMsg) {
				t.Fatalf("error = %v, want %s containing %q", err, tc.wantCode, tc.wantMsg)
			}
		})
	}

	// An unsigned request: HTTP 400 and Kinesis's JSON error shape.
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", targetPrefix+"ListStreams")
	req.Header.Set("Content-Type", contentTypeJSON)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusBadRequest || body.Type != errMissingAuth || resp.Header.Get("X-Amzn-ErrorType") != errMissingAuth {
		t.Errorf("unsigned request: HTTP %d, body %+v, want 400 %s", resp.StatusCode, body, errMissingAuth)
	}
}

func TestAuthValidate(t *testing.T) {
	tests := []struct {
		auth *Auth
		want string // "" means valid
	}{
		{&Auth{AccessKeyID: "AKID"}, ""},
		{&Auth{AccessKeyID: "AKID", Deny: []string{"CreateStream", "PutRecords"}}, ""},
		{&Auth{}, "access key id is empty"},
		{&Auth{AccessKeyID: "AKID", Deny: []string{"MakeCoffee"}}, `deny "MakeCoffee"`},
	}
	for _, tc := range tests {
		cfg := testConfig()
		cfg.Auth = tc.auth
		_, err := New(cfg)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("New with Auth %+v: error %v, want %q", tc.auth, err, tc.want)
		}
	}
}

func TestSigV4AccessKey(t *testing.T) {
	tests := []struct {
		header string
		key    string
		ok     bool
	}{
		{"AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc", "AKID", true},
		{"AWS4-HMAC-SHA256 SignedHeaders=host, Credential=K2/20260101/eu-west-1/kinesis/aws4_request, Signature=abc", "K2", true},
		{"", "", false},
		{"Bearer token", "", false},
		{"AWS4-HMAC-SHA256 Signature=abc", "", false},
		{"AWS4-HMAC-SHA256 Credential=/20260101/us-east-1/kinesis/aws4_request", "", false},
		{"AWS4-HMAC-SHA256 Credential=AKID", "", false},
	}
	for _, tc := range tests {
		key, ok := sigV4AccessKey(tc.header)
		if key != tc.key || ok != tc.ok {
			t.Errorf("sigV4AccessKey(%q) = %q, %v; want %q, %v", tc.header, key, ok, tc.key, tc.ok)
		}
	}
}

func FuzzSigV4AccessKey(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/kinesis/aws4_request, Signature=abc")
	f.Add("AWS4-HMAC-SHA256 ,,Credential=/")
	f.Fuzz(func(t *testing.T, h string) {
		key, ok := sigV4AccessKey(h)
		if ok && (key == "" || !strings.Contains(h, key+"/")) {
			t.Errorf("sigV4AccessKey(%q) = %q, true: want a non-empty key taken from the header", h, key)
		}
	})
}
