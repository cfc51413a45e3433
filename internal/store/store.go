// Package store puts kbench results where the user names them: a local
// directory, or an S3 prefix (s3://bucket/prefix). One path serves both: a
// command writes its results into a local directory (internal/outdir) and,
// for an S3 location, Commit uploads that directory, the completion marker
// last; Sources reads results from either through results.Source.
package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/kbench/kbench/internal/outdir"
	"github.com/kbench/kbench/results"
)

// ErrRefused marks a location kbench will not write or read (exit 2): a
// malformed s3:// URL, an S3 prefix holding objects that are not a kbench
// result, a local directory outdir refuses.
var ErrRefused = outdir.ErrRefused

// Output is a results location being written. Dir is a local directory the
// command writes into; Commit puts it in place.
type Output struct {
	*outdir.Stage
	// Name is the location as the user gave it.
	Name   string
	client s3API
	loc    s3Loc
	// tmp is the local directory an S3 output is staged in.
	tmp   string
	force bool
}

// Prepare checks that target (a directory or s3://bucket/prefix) can be
// written as kbench results and returns the Output to write them into. A
// directory is outdir.Prepare's. For an S3 prefix Prepare checks the URL
// and stages a local directory, and sends no request: Check does. The
// error wraps ErrRefused when target cannot be used.
func Prepare(ctx context.Context, target, command string, force bool, o S3Options) (*Output, error) {
	if !IsS3(target) {
		st, err := outdir.Prepare(target, command, force)
		if err != nil {
			return nil, err
		}
		return &Output{Stage: st, Name: target}, nil
	}
	loc, err := parseS3(target)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRefused, err)
	}
	if loc.prefix == "" {
		return nil, fmt.Errorf("%w: %s: name a prefix inside the bucket (s3://BUCKET/PREFIX)", ErrRefused, target)
	}
	c, err := newS3(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRefused, err)
	}
	tmp, err := os.MkdirTemp("", "kbench-s3-")
	if err != nil {
		return nil, fmt.Errorf("%w: a local directory to stage %s in: %v", ErrRefused, target, err)
	}
	st, err := outdir.Prepare(filepath.Join(tmp, "results"), command, false)
	if err != nil {
		_ = os.RemoveAll(tmp)
		return nil, err
	}
	return &Output{Stage: st, Name: target, client: c, loc: loc, tmp: tmp, force: force}, nil
}

// Check proves an S3 output writable before the results are: it lists the
// prefix (which needs working credentials and an existing bucket), which
// must be empty or hold an earlier kbench result (its completion marker),
// unless force. The error wraps ErrRefused. For a directory it does
// nothing: Prepare has checked it.
func (o *Output) Check(ctx context.Context) error {
	if o.client == nil {
		return nil
	}
	keys, complete, err := state(ctx, o.client, o.loc)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrRefused, err)
	}
	if len(keys) > 0 && !complete && !o.force {
		return fmt.Errorf("%w: %s holds %d objects and no %s object: not a complete kbench result; "+
			"name a new prefix, or pass --force to replace everything under it", ErrRefused, o.Name, len(keys), outdir.Marker)
	}
	return nil
}

// Shown maps a path inside Dir to where it will be once committed.
func (o *Output) Shown(p string) string {
	if o.client == nil {
		return o.Stage.Shown(p)
	}
	rest, ok := strings.CutPrefix(p, o.Stage.Dir)
	if !ok {
		return p
	}
	return strings.TrimSuffix(o.loc.String()+"/"+strings.Trim(filepath.ToSlash(rest), "/"), "/")
}

// Commit puts the results in place: a directory is swapped in; an S3
// output is uploaded (the completion marker last) and its local copy
// removed. When the upload fails the local copy is kept and the error
// says where it is. Commit blocks for the upload; cancelling ctx stops it,
// leaving the prefix without its marker.
func (o *Output) Commit(ctx context.Context) error {
	if err := o.Stage.Commit(); err != nil {
		return err
	}
	if o.client == nil {
		return nil
	}
	if err := upload(ctx, o.client, o.Stage.Target, o.loc); err != nil {
		return fmt.Errorf("store: %w (the results are kept in %s)", err, o.Stage.Target)
	}
	return os.RemoveAll(o.tmp)
}

// Abort removes what was written if Commit was not called or failed before
// the upload.
func (o *Output) Abort() {
	o.Stage.Abort()
	if o.tmp != "" {
		// The staged directory, once committed, is the only copy of a
		// failed upload: keep it then.
		if _, err := os.Stat(o.Stage.Target); errors.Is(err, os.ErrNotExist) {
			_ = os.RemoveAll(o.tmp)
		}
	}
}

// Sources opens results locations for reading: a local directory as
// results.DirSource, an S3 location as a source reading its objects. An S3
// location may end in a path.Match pattern (s3://bucket/run/worker-*),
// expanded here to every result directory under the prefix that matches,
// sorted; one whose upload did not finish (no completion marker) is
// returned as a source whose files cannot be opened, saying so. ctx bounds
// every later read too.
func Sources(ctx context.Context, locs []string, o S3Options) ([]results.Source, error) {
	var out []results.Source
	var c s3API
	for _, l := range locs {
		if !IsS3(l) {
			out = append(out, results.DirSource(l))
			continue
		}
		if c == nil {
			var err error
			if c, err = newS3(ctx, o); err != nil {
				return nil, err
			}
		}
		srcs, err := globS3(ctx, c, l)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		for _, s := range srcs {
			out = append(out, s)
		}
	}
	return out, nil
}
