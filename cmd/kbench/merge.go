package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/kbench/kbench/internal/store"
	"github.com/kbench/kbench/merge"
	"github.com/kbench/kbench/reports"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/runner"
)

// mergeCmd is kbench merge DIR... --out DIR: the workers' results of a
// distributed run merged into one results directory, with its reports.
func mergeCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kbench merge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "the merged results directory or s3://BUCKET/PREFIX (required)")
	var s3o store.S3Options
	fs.StringVar(&s3o.Endpoint, "s3-endpoint", "", "s3:// locations: URL of an S3-compatible store (default $AWS_ENDPOINT_URL_S3, else AWS S3)")
	fs.StringVar(&s3o.Region, "region", "", "s3:// locations: the bucket's region (default from AWS_REGION or the profile)")
	fs.StringVar(&s3o.Profile, "profile", "", "s3:// locations: shared-config profile for credentials and region (default AWS_PROFILE, else the default chain)")
	partial := fs.Bool("allow-partial", false, "merge the workers that are there when some are missing, marking the result incomplete")
	force := fs.Bool("force", false, "write --out even when it is a non-empty directory holding no kbench results")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: kbench merge WORKER_DIR... --out DIR [--allow-partial]")
		fmt.Fprintln(stderr, "       kbench merge s3://BUCKET/PREFIX/worker-* --out s3://BUCKET/PREFIX/merged")
		fs.PrintDefaults()
	}
	dirs, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(dirs) == 0 || *out == "" {
		fs.Usage()
		return usageErr("want the workers' results directories and --out DIR")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srcs, err := store.Sources(ctx, dirs, s3o)
	if err != nil {
		return usageErr("%w", err)
	}
	stage, err := store.Prepare(ctx, *out, "kbench merge", *force, s3o)
	if err != nil {
		return usageErr("--out: %w", err)
	}
	defer stage.Abort()
	if err := stage.Check(ctx); err != nil {
		return usageErr("--out: %w", err)
	}
	sum, err := merge.Merge(merge.Options{Inputs: srcs, OutDir: stage.Dir, AllowPartial: *partial})
	if errors.Is(err, merge.ErrInput) {
		return &exitError{exitUsage, err}
	}
	if err != nil {
		return &exitError{exitRunFailed, fmt.Errorf("%w: %w", runner.ErrOutput, err)}
	}
	if err := reports.Render(stage.Dir); err != nil {
		return &exitError{exitRunFailed, fmt.Errorf("%w: report: %v", runner.ErrOutput, err)}
	}
	if err := stage.Commit(ctx); err != nil {
		return &exitError{exitRunFailed, fmt.Errorf("%w: %v", runner.ErrOutput, err)}
	}
	reports.WriteText(stdout, sum)
	fmt.Fprintf(stdout, "results: %s\n", *out)
	if sum.Workers != nil && sum.Workers.Incomplete {
		fmt.Fprintf(stderr, "kbench merge: INCOMPLETE: workers %v missing\n", sum.Workers.Missing)
	}
	if sum.Verdict != results.VerdictPass {
		return &exitError{exitFailed, errVerdict}
	}
	return nil
}
