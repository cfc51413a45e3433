package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/kbench/kbench/model"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/runner"
	"github.com/kbench/kbench/scenarios"
	"github.com/kbench/kbench/targets"
)

// offline says whether cells of target kind k run on the model rather
// than against an endpoint.
func offline(kindName string) bool {
	k, ok := targets.Kinds.Lookup(kindName)
	return ok && k.Offline
}

// checkModel refuses, as bad input, cells the model does not represent;
// a problem every cell shares is told once.
func checkModel(cells []*scenarios.Scenario) error {
	var probs scenarios.Problems
	seen := map[scenarios.Problem]bool{}
	for _, c := range cells {
		for _, p := range model.Check(c) {
			if !seen[p] {
				seen[p] = true
				probs = append(probs, p)
			}
		}
	}
	if len(probs) > 0 {
		return &exitError{exitUsage, probs}
	}
	return nil
}

// runModel runs one cell on the model and writes its results directory.
// The summary is nil when nothing was written.
func runModel(ctx context.Context, cell *scenarios.Scenario, dir string) (*results.Summary, error) {
	res, err := model.Run(ctx, cell, model.Options{Version: version, HlogDir: dir})
	if err != nil {
		if errors.Is(err, model.ErrRefused) {
			return nil, &exitError{exitUsage, err}
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w: %w", runner.ErrInterrupted, err)
		}
		return nil, err
	}
	res.Summary.Target.Model.ElapsedS = res.Elapsed.Seconds()
	if err := model.WriteDir(dir, res); err != nil {
		return nil, fmt.Errorf("%w: %w", runner.ErrOutput, err)
	}
	return res.Summary, nil
}
