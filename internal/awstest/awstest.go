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
	for k, v := range isolation(t) {
		t.Setenv(k, v)
	}
}

// Environ is Isolate for a child process: the variables (KEY=value) to
// append to its environment. The test's own environment is left alone, so
// a test using it may run in parallel with others.
func Environ(t testing.TB) []string {
	t.Helper()
	var env []string
	for k, v := range isolation(t) {
		env = append(env, k+"="+v)
	}
	return env
}

// isolation returns the variables that empty the credential chain, with
// empty config and credentials files in a directory of the test's.
func isolation(t testing.TB) map[string]string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"config", "credentials"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return map[string]string{
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
	}
}
