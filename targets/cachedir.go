package targets

import (
	"errors"
	"os"
	"path/filepath"
)

// DefaultCacheDir returns the directory kbench caches downloads in, such as
// the kinesis-local npm package: $KBENCH_CACHE, else $XDG_CACHE_HOME/kbench,
// else ~/.cache/kbench.
func DefaultCacheDir() (string, error) {
	return cacheDir(os.Getenv, os.UserHomeDir)
}

// cacheDir resolves DefaultCacheDir from the given environment and home.
func cacheDir(getenv func(string) string, home func() (string, error)) (string, error) {
	if d := getenv("KBENCH_CACHE"); d != "" {
		return d, nil
	}
	if d := getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "kbench"), nil
	}
	h, err := home()
	if err == nil && h == "" {
		err = errors.New("home directory is unknown")
	}
	if err != nil {
		return "", errors.Join(errors.New("targets: no cache directory: set KBENCH_CACHE"), err)
	}
	return filepath.Join(h, ".cache", "kbench"), nil
}
