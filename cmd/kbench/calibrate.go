package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/kbench/kbench/internal/clip"
	"github.com/kbench/kbench/latency"
	"github.com/kbench/kbench/latency/calibrate"
	"github.com/kbench/kbench/results"
)

// calibrateCmd fits a latency profile from a run's results directory
// (docs/latency.md) and writes it as a profile file.
func calibrateCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kbench calibrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "write the profile to this file instead of standard output")
	base := fs.String("base", latency.NameAWS, "profile the parts the run did not measure come from: none, aws or a profile file")
	name := fs.String("name", "", "the profile's name (default calibrated-SCENARIO)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("calibrate takes one results directory (kbench calibrate RESULTS_DIR [--out profile.yaml]), got %s", clip.Cut(fmt.Sprintf("%q", pos)))
	}
	b, err := latency.Load(*base)
	if err != nil {
		return &exitError{exitUsage, fmt.Errorf("--base: %w", err)}
	}
	cal, err := calibrate.Calibrate(pos[0], b)
	if err != nil {
		var ie *calibrate.InputError
		if errors.As(err, &ie) {
			return &exitError{exitUsage, err}
		}
		return err
	}
	if *name != "" {
		cal.Profile.Name = *name
	}
	for _, w := range cal.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	data := latency.Encode(cal.Profile, fmt.Sprintf("kbench latency profile, fitted by kbench %s calibrate from %s.\n"+
		"Use it with target.sim.latency in a scenario, or kbench sim --latency FILE; docs/latency.md says how it was fitted.", version, pos[0]))
	if *out == "" {
		_, err := stdout.Write(data)
		return err
	}
	if err := results.WriteFileAtomic(*out, data); err != nil {
		return fmt.Errorf("calibrate: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %s\n  %s\n", *out, cal.Profile)
	return nil
}
