// Package awstest holds what tests of kbench's AWS code path share: an AWS
// credential chain emptied of everything, so a test can never reach AWS.
package awstest

import (
	"os"
	"path/filepath"
	"testing"
)

// Isolate empties the default AWS credential chain for the rest of the test:
// no keys or region in the environment, empty config and credentials files,
// no web identity, container or instance-metadata credentials. Tests then
// set exactly the variables they need.
func Isolate(t testing.TB) {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"config", "credentials"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
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
