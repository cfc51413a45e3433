package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/kbench/kbench/gate"
	"github.com/kbench/kbench/internal/outdir"
)

type compareOpts struct {
	rules    multiFlag
	out      string
	junit    string
	markdown string
	force    bool
}

// compareCmd judges CURRENT_DIR against BASELINE_DIR with regression-gate
// rules: exit 0 when no rule regressed, 1 when one did, 2 on bad input, in
// which case nothing is written.
func compareCmd(args []string, stdout, stderr io.Writer) error {
	var o compareOpts
	fs := flag.NewFlagSet("kbench compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Var(&o.rules, "fail-on", `regression rule METRIC OP CHANGE (repeatable), e.g. 'latency.e2e.p99_ms > +10%', 'throughput.consumed_rps < -5%', 'throttle_ratio > +0.01', 'totals.lost > 0'; default: those four`)
	fs.StringVar(&o.out, "out", "", "directory for gate.md and gate.junit.xml (default CURRENT_DIR, beside its results); another directory is replaced whole")
	fs.BoolVar(&o.force, "force", false, "write --out even when it is a non-empty directory holding no kbench results: it is replaced whole, everything in it deleted")
	fs.StringVar(&o.junit, "junit", "", "JUnit XML file (default OUT/gate.junit.xml)")
	fs.StringVar(&o.markdown, "markdown", "", "Markdown verdict file, e.g. for $GITHUB_STEP_SUMMARY (default OUT/gate.md)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: kbench compare BASELINE_DIR CURRENT_DIR [--fail-on RULE]... [--out DIR] [--junit FILE] [--markdown FILE]")
		fmt.Fprintln(stderr, "  Each DIR is a results directory (one run, or run-1 … run-N repeats), or the output of a matrix run,")
		fmt.Fprintln(stderr, "  whose cells are then gated one by one against the baseline's cells of the same name.")
		fmt.Fprintln(stderr, "  RULE fails the gate when the current median, compared with OP, passes the limit:")
		fmt.Fprintln(stderr, "  +10% / -5% relative to the baseline median, +50 / -100 added to it, 500 an absolute bound.")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		fs.Usage()
		return usageErr("want BASELINE_DIR and CURRENT_DIR, got %d arguments", len(pos))
	}
	rules, err := gate.ParseRules(o.rules)
	if err != nil {
		return &exitError{exitUsage, err}
	}
	v, err := gate.EvaluateDirs(pos[0], pos[1], rules)
	if err != nil {
		return &exitError{exitUsage, err}
	}

	// The gate files go beside the current results, or into a directory of
	// their own that is replaced whole.
	dir := o.out
	var stage *outdir.Stage
	switch {
	case dir == "":
		dir = pos[1]
	case within(dir, pos[0]) || within(dir, pos[1]):
	default:
		if stage, err = outdir.Prepare(dir, "kbench compare", o.force); err != nil {
			return usageErr("--out: %w", err)
		}
		defer stage.Abort()
		dir = stage.Dir
	}
	md, junit := o.markdown, o.junit
	if md == "" {
		md = filepath.Join(dir, gate.MarkdownFile)
	}
	if junit == "" {
		junit = filepath.Join(dir, gate.JUnitFile)
	}
	if err := v.WriteFiles(md, junit); err != nil {
		return &exitError{exitRunFailed, err}
	}
	if stage != nil {
		if err := stage.Commit(); err != nil {
			return &exitError{exitRunFailed, err}
		}
		md, junit = stage.Shown(md), stage.Shown(junit)
	}
	v.WriteText(stdout)
	fmt.Fprintf(stdout, "verdict: %s\njunit: %s\n", md, junit)
	if !v.Passed() {
		return &exitError{exitFailed, fmt.Errorf("regression: %s", strings.Join(v.FailedRules(), "; "))}
	}
	return nil
}
