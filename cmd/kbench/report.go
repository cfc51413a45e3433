package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/kbench/kbench/reports"
)

// reportCmd renders the report of one results directory, or a comparison of
// several.
func reportCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kbench report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "where a comparison of several runs is written (default: comparison)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{exitUsage, err}
	}
	if len(pos) == 0 {
		return usageErr("want one or more results directories")
	}
	for _, d := range pos {
		if _, err := os.Stat(filepath.Join(d, "summary.json")); err != nil {
			return usageErr("%s is not a kbench results directory: %v", d, err)
		}
	}
	if len(pos) == 1 {
		if err := reports.Render(pos[0]); err != nil {
			return &exitError{exitUsage, err}
		}
		fmt.Fprintf(stdout, "report: %s\n", filepath.Join(pos[0], "report.html"))
		return nil
	}
	dir := *out
	if dir == "" {
		dir = "comparison"
	}
	if err := reports.RenderComparison(pos, dir); err != nil {
		return &exitError{exitUsage, err}
	}
	fmt.Fprintf(stdout, "comparison: %s\n", filepath.Join(dir, "comparison.html"))
	return nil
}
