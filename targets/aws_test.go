package targets

import (
	"errors"
	"path/filepath"
	"testing"
)

// isolateAWSEnv points the default AWS chain at nothing but the environment
// (no config files, no instance metadata), so tests never reach AWS.
func isolateAWSEnv(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE":                        filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE":            filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":              "true",
		"AWS_PROFILE":                            "",
		"AWS_ACCESS_KEY_ID":                      "",
		"AWS_SECRET_ACCESS_KEY":                  "",
		"AWS_SESSION_TOKEN":                      "",
		"AWS_WEB_IDENTITY_TOKEN_FILE":            "",
		"AWS_ROLE_ARN":                           "",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI":     "",
		"AWS_REGION":                             "",
		"AWS_DEFAULT_REGION":                     "",
	} {
		t.Setenv(k, v)
	}
}

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
			isolateAWSEnv(t)
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
