package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kbench/kbench/gate"
	"github.com/kbench/kbench/internal/outdir"
	"github.com/kbench/kbench/latency"
	"github.com/kbench/kbench/model"
	"github.com/kbench/kbench/plan"
	"github.com/kbench/kbench/reports"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/runner"
	"github.com/kbench/kbench/scenarios"
)

// planOpts are kbench plan's flags.
type planOpts struct {
	sets          multiFlag
	out           string
	force         bool
	shards        string
	window        time.Duration
	parallel      int
	keepProducers bool
	noOnDemand    bool
	headroom      float64
	profile       string
	// The workload on flags, without a scenario file.
	rate       float64
	recordSize string
	keys       string
	consumers  int
	deadline   time.Duration
	// workload is the scenario built from the flags.
	workload []byte
}

// planScenarioFile is where kbench plan keeps a scenario it built from
// flags, beside plan.json, so the recommended layout can be run.
const planScenarioFile = "scenario.yaml"

func planCmd(args []string, stdout, stderr io.Writer) error {
	o, path, err := parsePlanFlags(args, stderr)
	if err != nil {
		return err
	}
	shards, err := parseShardList(o.shards)
	if err != nil {
		return err
	}
	sc, m, source, err := loadPlan(path, &o)
	if err != nil {
		return err
	}
	out := o.out
	if out == "" {
		out = filepath.Join("results", "plan-"+sc.Name+"-"+time.Now().Format("20060102-150405"))
	}
	stage, err := outdir.Prepare(out, "kbench plan", o.force)
	if err != nil {
		return &exitError{exitUsage, fmt.Errorf("--out: %w", err)}
	}
	defer stage.Abort()

	var prof *latency.Profile
	if o.profile != "" {
		if prof, err = latency.Load(o.profile); err != nil {
			return usageErr("--latency-profile: %w", err)
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts := plan.Options{
		Shards: shards, Window: o.window, Parallel: o.parallel, KeepProducers: o.keepProducers,
		NoOnDemand: o.noOnDemand, Headroom: headroomOpt(o.headroom), Profile: prof, Source: source, Version: version, Log: stderr,
	}
	if len(m.Cells) > 1 {
		return planMatrix(ctx, m, opts, stage, stdout)
	}
	opts.Also = m.Shards
	for _, n := range m.Notes {
		fmt.Fprintf(stderr, "kbench plan: %s\n", n)
	}
	p, err := plan.Make(ctx, m.Cells[0].Scenario, opts)
	if err != nil {
		return planErr(err)
	}
	p.Notes = append(slices.Clone(m.Notes), p.Notes...)
	if p.Recommended >= 0 && len(sc.Matrix) == 0 {
		p.Verify = verifyCommand(path, &o, p.Layouts[p.Recommended].Sets, out)
	}
	if o.workload != nil {
		if err := results.WriteFileAtomic(filepath.Join(stage.Dir, planScenarioFile), o.workload); err != nil {
			return outputErr(err)
		}
	}
	if err := writePlan(stage.Dir, p); err != nil {
		return err
	}
	if err := stage.Commit(); err != nil {
		return outputErr(err)
	}
	reports.WritePlanText(stdout, p)
	fmt.Fprintf(stdout, "plan: %s (%s, %s), in %.1f s\n", filepath.Join(out, reports.PlanHTMLFile),
		reports.PlanMarkdownFile, results.PlanFile, p.ElapsedS)
	return nil
}

// planMatrix plans every workload cell of m into its own directory in the
// stage, writes the summary across them beside and commits the stage.
func planMatrix(ctx context.Context, m *plan.Matrix, opts plan.Options, stage *outdir.Stage, stdout io.Writer) error {
	pm, err := plan.MakeMatrix(ctx, m, opts)
	if err != nil {
		return planErr(err)
	}
	for i := range pm.Cells {
		c := &pm.Cells[i]
		c.Dir = runner.CellDir("", c.Cell)
		dir := filepath.Join(stage.Dir, c.Dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return outputErr(err)
		}
		if err := writePlan(dir, c.Plan); err != nil {
			return err
		}
	}
	if err := results.WritePlanMatrix(filepath.Join(stage.Dir, results.PlanFile), pm); err != nil {
		return outputErr(err)
	}
	if err := reports.RenderPlanMatrix(pm, stage.Dir); err != nil {
		return outputErr(err)
	}
	if err := stage.Commit(); err != nil {
		return outputErr(err)
	}
	reports.WritePlanMatrixText(stdout, pm)
	fmt.Fprintf(stdout, "plan: %s (%s, %s; each cell's plan in its directory), in %.1f s\n", filepath.Join(stage.Name, reports.PlanHTMLFile),
		reports.PlanMarkdownFile, results.PlanFile, pm.ElapsedS)
	return nil
}

// writePlan writes p's plan.json, plan.md, plan.html and plan.png into dir.
func writePlan(dir string, p *results.Plan) error {
	if err := results.WritePlan(filepath.Join(dir, results.PlanFile), p); err != nil {
		return outputErr(err)
	}
	if err := reports.RenderPlan(p, dir); err != nil {
		return outputErr(err)
	}
	return nil
}

// planErr maps a planning error to its exit code: what the model refuses
// is bad input (2), anything else a failed run (3).
func planErr(err error) error {
	if errors.Is(err, model.ErrRefused) {
		return &exitError{exitUsage, err}
	}
	return &exitError{exitRunFailed, err}
}

// outputErr is a failure to write the plan's files (exit 3).
func outputErr(err error) error {
	return &exitError{exitRunFailed, fmt.Errorf("%w: %w", runner.ErrOutput, err)}
}

// parsePlanFlags parses kbench plan's flags and returns them with the
// scenario file's path ("" for a workload on flags).
func parsePlanFlags(args []string, stderr io.Writer) (planOpts, string, error) {
	var o planOpts
	fs := flag.NewFlagSet("kbench plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Var(&o.sets, "set", "override one scenario field, as path=value (repeatable), e.g. --set producers[0].rate.rps=500000")
	fs.StringVar(&o.out, "out", "", "directory for plan.md, plan.html, plan.png and plan.json (default results/plan-NAME-TIMESTAMP)")
	fs.BoolVar(&o.force, "force", false, "write --out even when it is a non-empty directory holding no kbench output: it is replaced whole")
	fs.StringVar(&o.shards, "shards", "", "provisioned shard counts to try, comma-separated (default: around the minimum the quotas allow)")
	fs.DurationVar(&o.window, "window", 0, "how long each layout runs after its warmup (default 10s for a steady rate, else the scenario's duration)")
	fs.IntVar(&o.parallel, "parallel", 0, "layouts run at once (default: the number of CPUs)")
	fs.BoolVar(&o.keepProducers, "keep-producers", false, "plan with the scenario's producer instances even when they cannot send its rate")
	fs.BoolVar(&o.noOnDemand, "no-on-demand", false, "leave the on-demand layouts (cold and warm) out")
	fs.Float64Var(&o.headroom, "headroom", plan.DefaultHeadroom, "share of its write quota the hottest shard of a recommended layout keeps free (0 to 0.9)")
	fs.StringVar(&o.profile, "latency-profile", "", "latency profile every layout runs with: none, aws or a profile file (default: the scenario's target.sim.latency); the same as --set target.sim.latency=P")
	fs.Float64Var(&o.rate, "rate", 0, "workload on flags: records per second (instead of a scenario file)")
	fs.StringVar(&o.recordSize, "record-size", "1KiB", "workload on flags: each record's data size, kbench's 40-byte envelope included (B, KB, KiB, MB, MiB)")
	fs.StringVar(&o.keys, "keys", "uniform", "workload on flags: partition keys: uniform, zipf:SKEW[:KEYS], or fixed (one key)")
	fs.IntVar(&o.consumers, "consumers", 1, "workload on flags: consumer applications reading every record (0 to 20)")
	fs.DurationVar(&o.deadline, "deadline", 0, "workload on flags: the time value of a record (0: none)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: kbench plan SCENARIO.yaml [flags]\n       kbench plan --rate RPS [--record-size SIZE] [--keys uniform|zipf:S|fixed] [--consumers N] [--deadline D] [flags]")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return o, "", err
	}
	onFlags := false
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "rate", "record-size", "keys", "consumers", "deadline":
			onFlags = true
		}
	})
	switch {
	case len(pos) > 1:
		fs.Usage()
		return o, "", usageErr("want one scenario file, got %d arguments", len(pos))
	case len(pos) == 1 && onFlags:
		return o, "", usageErr("give a scenario file or a workload on flags (--rate, --record-size, --keys, --consumers, --deadline), not both")
	case len(pos) == 0 && !onFlags:
		fs.Usage()
		return o, "", usageErr("want a scenario file, or a workload on flags starting with --rate")
	case o.parallel < 0:
		return o, "", usageErr("--parallel %d: want 0 (the number of CPUs) or more", o.parallel)
	case !(o.headroom >= 0 && o.headroom <= 0.9):
		return o, "", usageErr("--headroom %g: want a share of the quota from 0 to 0.9", o.headroom)
	case o.window < 0:
		return o, "", usageErr("--window %s: want a positive duration", o.window)
	}
	if len(pos) == 1 {
		return o, pos[0], nil
	}
	return o, "", nil
}

// loadPlan loads the scenario to plan (from its file, or built from the
// workload flags) with the --set overrides, and returns it with the
// workloads of its matrix (plan.SplitMatrix) and its source. Every error
// is bad input (exit 2).
func loadPlan(path string, o *planOpts) (*scenarios.Scenario, *plan.Matrix, string, error) {
	var sc *scenarios.Scenario
	var err error
	source := path
	if path != "" {
		sc, err = scenarios.Load(path, o.sets)
	} else {
		var data []byte
		if data, err = workloadYAML(o); err != nil {
			return nil, nil, "", &exitError{exitUsage, err}
		}
		source = "flags"
		o.workload = data
		sc, err = scenarios.Parse("flags", data, o.sets)
	}
	if err != nil {
		return nil, nil, "", &exitError{exitUsage, err}
	}
	if probs := gate.CheckThresholds(sc); len(probs) > 0 {
		return nil, nil, "", &exitError{exitUsage, probs}
	}
	cells, err := sc.Cells()
	if err != nil {
		return nil, nil, "", &exitError{exitUsage, err}
	}
	m, err := plan.SplitMatrix(cells, o.shards != "")
	if err != nil {
		return nil, nil, "", &exitError{exitUsage, err}
	}
	return sc, m, source, nil
}

// workloadYAML builds a scenario from the workload flags: one producer of
// blob records at a constant rate, and polling consumer applications.
func workloadYAML(o *planOpts) ([]byte, error) {
	if !(o.rate > 0) || o.rate > 1e9 {
		return nil, fmt.Errorf("--rate %g: want records per second, more than 0 and at most 1e9", o.rate)
	}
	size, err := parseSize(o.recordSize)
	if err != nil {
		return nil, fmt.Errorf("--record-size %s: %w", o.recordSize, err)
	}
	if size < 40 || size > 1<<20 {
		return nil, fmt.Errorf("--record-size %s: want 40 bytes (kbench's envelope) to 1 MiB", o.recordSize)
	}
	keys, err := keysYAML(o.keys)
	if err != nil {
		return nil, fmt.Errorf("--keys %s: %w", o.keys, err)
	}
	if o.consumers < 0 || o.consumers > 20 {
		return nil, fmt.Errorf("--consumers %d: want 0 to 20 applications", o.consumers)
	}
	if o.deadline < 0 {
		return nil, fmt.Errorf("--deadline %s: want a positive duration, or 0 for none", o.deadline)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "name: workload\ndescription: %q\ntarget: {kind: model}\nstream: {shards: 1}\nduration: 12s\nwarmup: 2s\ndrain: 5s\n",
		fmt.Sprintf("%g records/s of %s records, keys %s, %d consumer application(s)", o.rate, o.recordSize, o.keys, o.consumers))
	if o.deadline > 0 {
		fmt.Fprintf(&b, "deadline: %s\n", o.deadline)
	}
	fmt.Fprintf(&b, "producers:\n  - name: producer\n    generator: blob\n    options: {bytes: %d}\n    rate: {profile: constant, rps: %s}\n%s",
		size-40, strconv.FormatFloat(o.rate, 'f', -1, 64), keys)
	if o.consumers > 0 {
		fmt.Fprintf(&b, "consumers:\n  - {name: app, kind: polling, count: %d}\n", o.consumers)
	} else {
		b.WriteString("consumers: []\n")
	}
	return []byte(b.String()), nil
}

// keysYAML turns --keys into a producer's partition_key and keys lines.
func keysYAML(s string) (string, error) {
	kind, rest, _ := strings.Cut(s, ":")
	switch kind {
	case "uniform", "random":
		if rest == "" {
			return "    partition_key: random\n", nil
		}
	case "fixed":
		if rest == "" {
			return "    partition_key: fixed\n", nil
		}
	case "zipf":
		skewText, keysText, hasKeys := strings.Cut(rest, ":")
		skew, err := strconv.ParseFloat(skewText, 64)
		if err != nil || !(skew > 1) || skew > 100 {
			return "", fmt.Errorf("zipf's skew %q: want a number greater than 1, as in zipf:1.1", skewText)
		}
		hot := 1000
		if hasKeys {
			if hot, err = strconv.Atoi(keysText); err != nil || hot < 1 || hot > 10_000_000 {
				return "", fmt.Errorf("zipf's key count %q: want 1 to 10000000, as in zipf:1.1:5000", keysText)
			}
		}
		return fmt.Sprintf("    partition_key: zipf\n    keys: {skew: %s, hot_keys: %d}\n", strconv.FormatFloat(skew, 'f', -1, 64), hot), nil
	}
	return "", errors.New("want uniform, zipf:SKEW[:KEYS] or fixed")
}

// parseSize parses a byte size: a whole number with an optional unit B,
// KB, KiB, MB or MiB.
func parseSize(s string) (int, error) {
	num := strings.TrimRight(s, "BKMGTPEZYibkmi")
	unit := strings.TrimSpace(s[len(num):])
	mult := map[string]int{"": 1, "B": 1, "KB": 1000, "KiB": 1 << 10, "MB": 1_000_000, "MiB": 1 << 20}[unit]
	n, err := strconv.Atoi(strings.TrimSpace(num))
	if mult == 0 || err != nil || n < 0 {
		return 0, errors.New("want a byte size such as 1000, 1KB or 1KiB")
	}
	return n * mult, nil
}

// parseShardList parses --shards: comma-separated shard counts.
func parseShardList(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 10_000 {
			return nil, usageErr("--shards %s: want shard counts from 1 to 10000, comma-separated, as in 4,6,8", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// headroomOpt maps --headroom to plan.Options.Headroom, where 0 means the
// default and a negative value none.
func headroomOpt(h float64) float64 {
	if h == 0 {
		return -1
	}
	return h
}

// verifyCommand returns the kbench run command that runs the layout of
// sets on the model for the scenario's whole duration, "" when that
// scenario does not load (a consumer switched to fan-out that keeps its
// poll_interval, say). A workload on flags runs from the scenario.yaml
// written into out.
func verifyCommand(path string, o *planOpts, sets []string, out string) string {
	all := append(slices.Clone([]string(o.sets)), sets...)
	file := path
	var err error
	if path == "" {
		file = filepath.Join(out, planScenarioFile)
		_, err = scenarios.Parse("flags", o.workload, all)
	} else {
		_, err = scenarios.Load(path, all)
	}
	if err != nil {
		return ""
	}
	parts := []string{"kbench", "run", shellQuote(file), "--target", "model"}
	for _, s := range all {
		parts = append(parts, "--set", shellQuote(s))
	}
	return strings.Join(parts, " ")
}

// shellQuote quotes s for a POSIX shell when it holds anything but plain
// characters.
func shellQuote(s string) string {
	plain := s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_./:=,@%+-", r))
	}) < 0
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
