package outdir

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func write(t *testing.T, p, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// TestReplacesWhole: an earlier result is replaced whole, not mixed with
// the new one, and nothing is left beside it.
func TestReplacesWhole(t *testing.T) {
	root := t.TempDir()
	out := filepath.Join(root, "out")
	for i, old := range []string{Marker, "summary.json", "cell/summary.json"} {
		t.Run(old, func(t *testing.T) {
			os.RemoveAll(out)
			write(t, filepath.Join(out, old), "old")
			write(t, filepath.Join(out, "run-3", "stale.txt"), "old")
			s, err := Prepare(out, "kbench test", false)
			if err != nil {
				t.Fatal(err)
			}
			if s.Wrote() {
				t.Error("Wrote before anything was written")
			}
			write(t, filepath.Join(s.Dir, "new.txt"), "new")
			if !s.Wrote() || s.Shown(filepath.Join(s.Dir, "new.txt")) != filepath.Join(out, "new.txt") || s.Shown(s.Dir) != out {
				t.Errorf("Wrote %v, Shown %s", s.Wrote(), s.Shown(filepath.Join(s.Dir, "new.txt")))
			}
			if err := s.Commit(); err != nil {
				t.Fatal(err)
			}
			if got := names(t, out); len(got) != 2 || got[0] != Marker || got[1] != "new.txt" {
				t.Errorf("case %d: out holds %v, want only the marker and new.txt", i, got)
			}
			if got := names(t, root); len(got) != 1 {
				t.Errorf("left beside out: %v", got)
			}
		})
	}
}

func TestAbortKeepsOld(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	write(t, filepath.Join(out, Marker), "")
	write(t, filepath.Join(out, "summary.json"), "old")
	s, err := Prepare(out, "kbench test", false)
	if err != nil {
		t.Fatal(err)
	}
	s.Abort()
	if b, err := os.ReadFile(filepath.Join(out, "summary.json")); err != nil || string(b) != "old" {
		t.Errorf("old results changed: %q %v", b, err)
	}
	if got := names(t, filepath.Dir(out)); len(got) != 1 {
		t.Errorf("left beside out: %v", got)
	}
}

func TestRefuses(t *testing.T) {
	root := t.TempDir()
	foreign := filepath.Join(root, "home")
	write(t, filepath.Join(foreign, "thesis.tex"), "precious")
	file := filepath.Join(root, "file")
	write(t, file, "x")
	for _, target := range []string{foreign, file, filepath.Join(file, "out"), "/"} {
		if _, err := Prepare(target, "kbench test", false); !errors.Is(err, ErrRefused) {
			t.Errorf("Prepare(%s) = %v, want ErrRefused", target, err)
		}
	}
	if got := names(t, root); len(got) != 2 {
		t.Errorf("a refused Prepare left %v", got)
	}
	s, err := Prepare(foreign, "kbench test", true)
	if err != nil {
		t.Fatalf("--force: %v", err)
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := names(t, foreign); len(got) != 1 || got[0] != Marker {
		t.Errorf("forced directory holds %v", got)
	}
}
