package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/kbench/kbench/internal/outdir"
	"github.com/kbench/kbench/reports"
	"github.com/kbench/kbench/results"
)

// reportCmd renders the report of one results directory, or a comparison of
// several.
func reportCmd(args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("kbench report", flag.ContinueOnError)
	flags.SetOutput(stderr)
	out := flags.String("out", "", "where a comparison of several runs is written (default: comparison); an earlier comparison there is replaced whole")
	force := flags.Bool("force", false, "write --out even when it is a non-empty directory holding no kbench results: it is replaced whole, everything in it deleted")
	pos, err := parseInterspersed(flags, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageErr("want one or more results directories")
	}
	var sets []*results.RunSet
	for _, d := range pos {
		set, err := results.LoadRunSet(d)
		if err != nil {
			return usageErr("%s is not a kbench results directory (no summary.json, no run-N repeats): %v", d, err)
		}
		sets = append(sets, set)
	}
	if len(pos) == 1 {
		// One run, or each repeat of one cell.
		for _, d := range sets[0].Dirs {
			if err := reports.Render(d); err != nil {
				return renderErr(err)
			}
			fmt.Fprintf(stdout, "report: %s\n", filepath.Join(d, reports.HTMLFile))
		}
		return nil
	}
	dir := *out
	if dir == "" {
		dir = "comparison"
	}
	for _, d := range pos {
		if within(d, dir) {
			return usageErr("--out %s would replace the results directory %s it compares; name another directory", dir, d)
		}
	}
	stage, err := outdir.Prepare(dir, "kbench report", *force)
	if err != nil {
		return usageErr("--out: %w", err)
	}
	defer stage.Abort()
	if err := reports.RenderComparison(pos, stage.Dir); err != nil {
		return renderErr(err)
	}
	if err := stage.Commit(); err != nil {
		return &exitError{exitRunFailed, err}
	}
	fmt.Fprintf(stdout, "comparison: %s\n", filepath.Join(dir, "comparison.html"))
	return nil
}

// renderErr classes a rendering error: a file that could not be written is
// exit 3, anything else (results that cannot be read) bad input, exit 2.
func renderErr(err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	var se *os.SyscallError
	if errors.As(err, &pe) || errors.As(err, &le) || errors.As(err, &se) {
		return &exitError{exitRunFailed, err}
	}
	return &exitError{exitUsage, err}
}

// within says whether path a is dir or inside it.
func within(a, dir string) bool {
	aa, err1 := filepath.Abs(a)
	ad, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(ad, aa)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
