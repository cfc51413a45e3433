package targets

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestCacheDir(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		home    string
		homeErr error
		want    string
		wantErr bool
	}{
		{"KBENCH_CACHE wins", map[string]string{"KBENCH_CACHE": "/k", "XDG_CACHE_HOME": "/x"}, "/h", nil, "/k", false},
		{"XDG_CACHE_HOME", map[string]string{"XDG_CACHE_HOME": "/x"}, "/h", nil, filepath.Join("/x", "kbench"), false},
		{"home", nil, "/h", nil, filepath.Join("/h", ".cache", "kbench"), false},
		{"no home", nil, "", errors.New("$HOME is not defined"), "", true},
		{"empty home", nil, "", nil, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := cacheDir(func(k string) string { return tc.env[k] }, func() (string, error) { return tc.home, tc.homeErr })
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("cacheDir = %q, %v; want %q, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestKinesisMockPrefix(t *testing.T) {
	t.Setenv(kinesisMockDirEnv, "")
	got, err := kinesisMockPrefix("/c")
	if want := filepath.Join("/c", "kinesis-local-0.6.2"); err != nil || got != want {
		t.Errorf("kinesisMockPrefix(/c) = %q, %v; want %q", got, err, want)
	}
	t.Setenv(kinesisMockDirEnv, "/pre")
	if got, err := kinesisMockPrefix("/c"); err != nil || got != "/pre" {
		t.Errorf("with %s=/pre: kinesisMockPrefix = %q, %v; want /pre", kinesisMockDirEnv, got, err)
	}
}
