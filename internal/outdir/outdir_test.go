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

// TestInside: a target that cannot be swapped (a mount point, or a parent
// kbench cannot write) gets the new results written inside it and moved up,
// replacing the rest of its contents; an abort leaves it as it was.
func TestInside(t *testing.T) {
	out := filepath.Join(t.TempDir(), "volume")
	write(t, filepath.Join(out, Marker), "old")
	write(t, filepath.Join(out, "run-1", "summary.json"), "old")
	s, err := prepare(out, "kbench test", false, true)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(s.Dir) != out {
		t.Fatalf("Dir %s is not inside %s", s.Dir, out)
	}
	s.Abort()
	if got := names(t, out); len(got) != 2 {
		t.Errorf("abort left %v", got)
	}
	s, err = prepare(out, "kbench test", false, true)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(s.Dir, "summary.json"), "new")
	if s.Shown(filepath.Join(s.Dir, "summary.json")) != filepath.Join(out, "summary.json") {
		t.Errorf("Shown = %s", s.Shown(filepath.Join(s.Dir, "summary.json")))
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := names(t, out); len(got) != 2 || got[0] != Marker || got[1] != "summary.json" {
		t.Errorf("out holds %v, want only the marker and the new summary", got)
	}
	// A staging directory left by a killed kbench does not make it foreign.
	if err := os.MkdirAll(filepath.Join(out, ".volume.kbench-new-123"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(out, Marker))
	os.Remove(filepath.Join(out, "summary.json"))
	if _, err := Prepare(out, "kbench test", false); err != nil {
		t.Errorf("a directory holding only a stale staging directory: %v", err)
	}
}
