package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/kbench/kbench/reports"
	"github.com/kbench/kbench/results"
)

// reportCmd renders the report of one results directory, or a comparison of
// several.
func reportCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kbench report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "where a comparison of several runs is written (default: comparison)")
	pos, err := parseInterspersed(fs, args)
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
				return &exitError{exitUsage, err}
			}
			fmt.Fprintf(stdout, "report: %s\n", filepath.Join(d, reports.HTMLFile))
		}
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
