package targets

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// fakeNPM puts on PATH an npm that "installs" kinesis-local into its
// --prefix after a short pause, so install races can be tested offline.
func fakeNPM(t *testing.T) {
	t.Helper()
	bin := t.TempDir()
	script := `#!/bin/sh
while [ $# -gt 0 ]; do
  if [ "$1" = --prefix ]; then prefix=$2; fi
  shift
done
mkdir -p "$prefix/node_modules/kinesis-local" && sleep 0.2 && echo '// fake' > "$prefix/node_modules/kinesis-local/main.js"
`
	if err := os.WriteFile(filepath.Join(bin, "npm"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
}

func TestInstallKinesisLocalParallel(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("needs /bin/sh for the fake npm")
	}
	fakeNPM(t)
	parent := t.TempDir()
	prefix := filepath.Join(parent, "kinesis-local-0.6.2")
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			pkg, err := installKinesisLocal(t.Context(), prefix, io.Discard)
			if err == nil && !fileExists(filepath.Join(pkg, "main.js")) {
				err = os.ErrNotExist
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("install %d: %v", i, err)
		}
	}
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != filepath.Base(prefix) {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("cache holds %v, want only %s (no leftover temp dirs)", names, filepath.Base(prefix))
	}
}

func TestInstallKinesisLocalWithoutNPM(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := installKinesisLocal(t.Context(), filepath.Join(t.TempDir(), "p"), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "npm") || !strings.Contains(err.Error(), "--endpoint") {
		t.Errorf("install without npm: error %v, want one naming npm and --endpoint", err)
	}
}
