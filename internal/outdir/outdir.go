// Package outdir writes a kbench output directory so that results are never
// mixed: the new results are written into a sibling directory and swapped in
// whole at the end, replacing an earlier kbench result there. Every
// directory kbench fills carries a marker file; a non-empty directory without
// one is someone else's and is not replaced unless forced.
package outdir

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Marker is the file kbench writes into every output directory it fills.
const Marker = ".kbench-results"

// ErrRefused marks an output directory kbench will not write: not empty and
// not an earlier kbench result, or not writable. It is bad input (exit 2).
var ErrRefused = errors.New("output directory refused")

// legacyFiles mark results written before the marker existed.
var legacyFiles = []string{"summary.json", "comparison.html", "gate.md"}

// Stage is an output directory being written: the results go into Dir, a
// sibling of Target, until Commit swaps Dir in as Target.
type Stage struct {
	// Name is the directory as asked for, and Target the same as an
	// absolute path.
	Name, Target string
	// Dir is where the new results are written meanwhile: beside Target,
	// or inside it when Target cannot be swapped.
	Dir    string
	inside bool
	done   bool
}

// Prepare checks that target can be written as a kbench output directory
// and creates the sibling directory the new results go into, holding the
// marker (written by command, such as "kbench run"). target may be missing,
// empty, or an earlier kbench result; any other directory is refused unless
// force is set, in which case it is replaced whole like a result. The error
// wraps ErrRefused when target cannot be used. Nothing is left behind when
// Prepare fails, except parent directories it had to create.
//
// When target is a directory that cannot be swapped (a mount point, such as
// a container's volume, or one whose parent kbench cannot write), the new
// results are written into a hidden directory inside it and moved up at
// Commit instead, replacing the rest of its contents.
func Prepare(target, command string, force bool) (*Stage, error) {
	return prepare(target, command, force, false)
}

// prepare is Prepare; inside forces writing inside an existing target.
func prepare(target, command string, force, inside bool) (*Stage, error) {
	abs, err := filepath.Abs(target)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrRefused, target, err)
	}
	parent := filepath.Dir(abs)
	if parent == abs {
		return nil, fmt.Errorf("%w: %s is a file-system root; name a directory inside it", ErrRefused, target)
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrRefused, err)
	case !fi.IsDir():
		return nil, fmt.Errorf("%w: %s is a file, not a directory", ErrRefused, target)
	default:
		ok, err := replaceable(abs)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrRefused, err)
		}
		if !ok && !force {
			return nil, fmt.Errorf("%w: %s is not empty and holds no kbench results (no %s file); "+
				"name a new or empty directory, or pass --force to replace it and everything in it", ErrRefused, target, Marker)
		}
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("%w: cannot create %s: %v", ErrRefused, parent, err)
	}
	present := err == nil
	if present && !inside {
		inside = mountPoint(abs, parent, fi)
	}
	where := parent
	if inside {
		where = abs
	}
	dir, err := os.MkdirTemp(where, "."+filepath.Base(abs)+".kbench-new-")
	if err != nil && present && !inside {
		where, inside = abs, true
		dir, err = os.MkdirTemp(where, "."+filepath.Base(abs)+".kbench-new-")
	}
	if err != nil {
		return nil, fmt.Errorf("%w: cannot write in %s: %v", ErrRefused, where, err)
	}
	note := fmt.Sprintf("Written by %s at %s. kbench replaces this directory whole when it writes here again.\n",
		command, time.Now().UTC().Format(time.RFC3339))
	if err := os.WriteFile(filepath.Join(dir, Marker), []byte(note), 0o644); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("%w: cannot write in %s: %v", ErrRefused, where, err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("%w: %v", ErrRefused, err)
	}
	return &Stage{Name: target, Target: abs, Dir: dir, inside: inside}, nil
}

// mountPoint says whether dir, with file info fi, is on another device than
// its parent: a mount point, which cannot be renamed.
func mountPoint(dir, parent string, fi os.FileInfo) bool {
	pi, err := os.Stat(parent)
	if err != nil {
		return false
	}
	a, ok1 := fi.Sys().(*syscall.Stat_t)
	b, ok2 := pi.Sys().(*syscall.Stat_t)
	return ok1 && ok2 && a.Dev != b.Dev
}

// replaceable says whether dir is empty or an earlier kbench result: it
// holds the marker, or, from before the marker, a summary, comparison or gate
// file at its top or one level down.
func replaceable(dir string) (bool, error) {
	all, err := os.ReadDir(dir)
	if err != nil {
		return false, err
	}
	var entries []os.DirEntry
	for _, e := range all {
		if !strings.Contains(e.Name(), ".kbench-new-") { // left by a kbench that was killed
			entries = append(entries, e)
		}
	}
	if len(entries) == 0 || exists(filepath.Join(dir, Marker)) {
		return true, nil
	}
	for _, f := range legacyFiles {
		if exists(filepath.Join(dir, f)) {
			return true, nil
		}
	}
	for _, e := range entries {
		if e.IsDir() && exists(filepath.Join(dir, e.Name(), "summary.json")) {
			return true, nil
		}
	}
	return false, nil
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// Shown maps a path inside Dir to where it will be after Commit, under
// Name, for messages.
func (s *Stage) Shown(p string) string {
	if rest, ok := strings.CutPrefix(p, s.Dir); ok {
		return filepath.Join(s.Name, rest)
	}
	return p
}

// Wrote says whether anything besides the marker was written into Dir.
func (s *Stage) Wrote() bool {
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if e.Name() != Marker {
			return true
		}
	}
	return false
}

// Commit replaces Target by Dir: an earlier directory at Target is moved
// aside, Dir renamed to Target, and the earlier one removed. When the swap
// fails, Target is left as it was.
func (s *Stage) Commit() error {
	if s.done {
		return nil
	}
	s.done = true
	if s.inside {
		return s.commitInside()
	}
	var old string
	if _, err := os.Lstat(s.Target); err == nil {
		old = filepath.Join(filepath.Dir(s.Target), "."+filepath.Base(s.Target)+".kbench-old-"+suffix())
		if err := os.Rename(s.Target, old); err != nil {
			return fmt.Errorf("replacing %s: %w (the new results are in %s)", s.Target, err, s.Dir)
		}
	}
	if err := os.Rename(s.Dir, s.Target); err != nil {
		if old != "" {
			_ = os.Rename(old, s.Target)
		}
		return fmt.Errorf("replacing %s: %w (the new results are in %s)", s.Target, err, s.Dir)
	}
	if old != "" {
		if err := os.RemoveAll(old); err != nil {
			return fmt.Errorf("removing the earlier results moved to %s: %w", old, err)
		}
	}
	return nil
}

// commitInside replaces Target's contents by Dir's, for a Target that
// cannot be swapped: everything else in Target is removed, then Dir's
// entries are moved up.
func (s *Stage) commitInside() error {
	entries, err := os.ReadDir(s.Target)
	if err != nil {
		return fmt.Errorf("replacing %s: %w (the new results are in %s)", s.Target, err, s.Dir)
	}
	for _, e := range entries {
		if p := filepath.Join(s.Target, e.Name()); p != s.Dir {
			if err := os.RemoveAll(p); err != nil {
				return fmt.Errorf("replacing %s: %w (the new results are in %s)", s.Target, err, s.Dir)
			}
		}
	}
	entries, err = os.ReadDir(s.Dir)
	if err != nil {
		return fmt.Errorf("replacing %s: %w (the new results are in %s)", s.Target, err, s.Dir)
	}
	for _, e := range entries {
		if err := os.Rename(filepath.Join(s.Dir, e.Name()), filepath.Join(s.Target, e.Name())); err != nil {
			return fmt.Errorf("replacing %s: %w (the new results are in %s)", s.Target, err, s.Dir)
		}
	}
	return os.Remove(s.Dir)
}

// Abort removes Dir and leaves Target as it was. It does nothing after
// Commit.
func (s *Stage) Abort() {
	if s.done {
		return
	}
	s.done = true
	_ = os.RemoveAll(s.Dir)
}

func suffix() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
