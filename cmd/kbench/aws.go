package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/kbench/kbench/runner"
	"github.com/kbench/kbench/scenarios"
	"github.com/kbench/kbench/targets"
)

// Where confirmations are read from; tests replace them.
var (
	stdin           io.Reader = os.Stdin
	stdinIsTerminal           = func() bool { return term.IsTerminal(int(os.Stdin.Fd())) }
)

// prepareAWS is what `kbench run --target aws` does before anything is
// created: it shows what the run will create and what it will cost, refuses
// a run over --max-cost, and one it cannot confirm (no --yes and no terminal)
// with exit 2; then it resolves the credentials and proves with a read-only
// call per stream that they work in the region (exit 3 if not), and asks
// "Proceed?" on the terminal unless --yes. It fills in the resolved region.
func prepareAWS(ctx context.Context, o *runOpts, sc *scenarios.Scenario, cells []*scenarios.Scenario, stderr io.Writer) error {
	fmt.Fprintln(stderr, "kbench run on real AWS (Kinesis Data Streams) will:")
	for _, c := range cells {
		fmt.Fprintf(stderr, "  %s\n", planLine(c))
	}
	cost := runner.EstimateCost(cells, o.repeat)
	fmt.Fprintln(stderr, cost)
	if o.w != nil {
		fmt.Fprintf(stderr, "  (the estimate and --max-cost cover all %d workers of the run; this worker sends 1/%d of the records)\n", o.w.Count, o.w.Count)
	}
	if o.maxCost > 0 && cost.TotalUSD > o.maxCost {
		return usageErr("the estimated cost $%.4f is over --max-cost $%.4f: nothing was created", cost.TotalUSD, o.maxCost)
	}
	if !o.yes && !stdinIsTerminal() {
		return usageErr("a run on real AWS costs money and standard input is not a terminal to confirm it on: pass --yes to run without asking (and --max-cost USD to cap the estimate); nothing was created")
	}

	tgt, err := targets.Open(ctx, targets.Spec{
		Kind: targets.KindAWS, Endpoint: sc.Target.Endpoint, Region: sc.Target.Region, Profile: o.profile, Log: stderr,
	})
	if err != nil {
		return &exitError{exitRunFailed, fmt.Errorf("%w\nnothing was created", err)}
	}
	defer tgt.Close()
	checked := map[string]bool{}
	for _, c := range cells {
		if checked[c.Stream.Name] {
			continue
		}
		checked[c.Stream.Name] = true
		if err := targets.Preflight(ctx, tgt, c.Stream.Name, c.Stream.Existing); err != nil {
			if errors.Is(err, targets.ErrAccessDenied) {
				err = fmt.Errorf("%w\na minimal IAM policy for kbench (streams named kbench-*):\n%s", err, targets.IAMPolicy())
			}
			return &exitError{exitRunFailed, fmt.Errorf("%w\nnothing was created", err)}
		}
	}
	sc.Target.Region = tgt.Region
	for _, c := range cells {
		c.Target.Region = tgt.Region
	}
	fmt.Fprintf(stderr, "aws: region %s, credentials from %s%s: accepted, Kinesis readable\n", tgt.Region, tgt.CredentialSource, profileNote(o.profile))
	if o.yes {
		return nil
	}
	ok, err := confirm(stderr, "Proceed? [y/N] ")
	if err != nil {
		return usageErr("reading the answer: %v; nothing was created", err)
	}
	if !ok {
		return usageErr("not confirmed: nothing was created")
	}
	return nil
}

// profileNote is ", profile P" when a profile was named, else "".
func profileNote(profile string) string {
	if profile == "" {
		return ""
	}
	return ", profile " + profile
}

// planLine says what one cell does to the AWS account.
func planLine(c *scenarios.Scenario) string {
	var b strings.Builder
	if c.Cell != "" {
		fmt.Fprintf(&b, "[%s] ", c.Cell)
	}
	mode := fmt.Sprintf("provisioned, %d shard(s)", c.Stream.Shards)
	if c.Stream.Mode == "on-demand" {
		mode = "on-demand"
	}
	if c.Stream.Existing {
		fmt.Fprintf(&b, "use the existing stream %s as it is (%s): never resharded, never deleted", c.Stream.Name, mode)
	} else {
		fmt.Fprintf(&b, "create stream %s (%s) tagged %s=%s and %s=<run id>, and delete it after the run",
			c.Stream.Name, mode, targets.TagCreatedBy, targets.CreatedByValue, targets.TagRunID)
	}
	if _, fan := c.ConsumerApps(); fan > 0 {
		fmt.Fprintf(&b, "; register %d enhanced fan-out consumer(s), deregistered at the end", fan)
	}
	fmt.Fprintf(&b, "; write for %v, read on for up to %v", c.Duration, c.Drain)
	return b.String()
}

// confirm asks question on w and reads a line from stdin: y or yes
// (any case) is a yes, anything else (end of input included) a no.
func confirm(w io.Writer, question string) (bool, error) {
	fmt.Fprint(w, question)
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}
