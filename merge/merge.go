// Package merge combines the results of the workers of a distributed run
// (kbench run --worker I/N) into one results directory, exactly as one
// process would have written it for the same records: histograms added
// interval by interval from the .hlog files (never percentiles averaged),
// counts summed, per-shard rows combined, and loss and duplicates computed
// from the workers' sequence sets, so a record produced on one worker and
// consumed on another is neither lost nor duplicated. See
// docs/distributed.md.
package merge

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/runner"
)

// ErrInput is wrapped by Merge's errors about its inputs: results that are
// missing, unreadable or of different runs (exit 2).
var ErrInput = errors.New("inconsistent worker results")

// Options is one merge.
type Options struct {
	// Inputs are the workers' results, one each.
	Inputs []results.Source
	// OutDir is the local directory the merged results are written to; it
	// must exist.
	OutDir string
	// AllowPartial merges the workers that are there when some are
	// missing or unreadable, and marks the result incomplete.
	AllowPartial bool
}

// input is one worker's results, read.
type input struct {
	src   results.Source
	sum   *results.Summary
	state *results.WorkerState
	seqs  *results.WorkerSeqs
	// dests is its destinations' raw state; nil without an application
	// under test.
	dests *runner.WorkerDestinations
}

// Merge reads every input, checks they are the workers of one run, and
// writes the merged summary.json, .hlog files, timeseries.csv and
// record-bytes.hlog into o.OutDir. It returns the merged summary. Inputs
// that are missing or unreadable, of another run or scenario, twice the
// same worker, or short of a worker give an error wrapping ErrInput that
// names them, unless AllowPartial: then what is there is merged and marked
// incomplete (inputs of different runs or scenarios are still an error).
func Merge(o Options) (*results.Summary, error) {
	if len(o.Inputs) == 0 {
		return nil, fmt.Errorf("%w: no worker results to merge", ErrInput)
	}
	var ins []*input
	var skipped []string
	for _, src := range o.Inputs {
		in, err := load(src)
		if err != nil {
			skipped = append(skipped, err.Error())
			continue
		}
		ins = append(ins, in)
	}
	if len(ins) == 0 {
		return nil, fmt.Errorf("%w: no readable worker results:\n  %s", ErrInput, strings.Join(skipped, "\n  "))
	}
	missing, err := check(ins)
	if err != nil {
		return nil, err
	}
	if (len(missing) > 0 || len(skipped) > 0) && !o.AllowPartial {
		msg := fmt.Sprintf("%s missing (run %s)", workerList(missing, ins[0].state.Count), ins[0].state.RunID)
		if len(missing) == 0 {
			msg = "unreadable inputs"
		}
		if len(skipped) > 0 {
			msg += ":\n  " + strings.Join(skipped, "\n  ") + "\n"
		} else {
			msg += ": "
		}
		return nil, fmt.Errorf("%w: %smerge them all, or pass --allow-partial to merge the rest as an incomplete result", ErrInput, msg)
	}
	slices.SortFunc(ins, func(a, b *input) int { return a.state.Index - b.state.Index })
	m := &merger{ins: ins, out: o.OutDir, missing: missing, skipped: skipped}
	return m.run()
}

// load reads one worker's summary, state and sequence sets.
func load(src results.Source) (*input, error) {
	b, err := results.ReadAllFrom(src, results.SummaryFile, results.MaxSummaryBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: no %s: not a worker's results (a worker that did not finish writes none)", src.Name(), results.SummaryFile)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src.Name(), err)
	}
	in := &input{src: src, sum: &results.Summary{}}
	if err := json.Unmarshal(b, in.sum); err != nil {
		return nil, fmt.Errorf("%s/%s: %w", src.Name(), results.SummaryFile, err)
	}
	if in.sum.SchemaVersion > results.SchemaVersion {
		return nil, fmt.Errorf("%s/%s has schema_version %d; this kbench reads up to %d", src.Name(), results.SummaryFile, in.sum.SchemaVersion, results.SchemaVersion)
	}
	if in.sum.Worker == nil {
		return nil, fmt.Errorf("%s: the results of a run that was not split (no worker in %s): kbench merge takes the results of kbench run --worker I/N", src.Name(), results.SummaryFile)
	}
	if in.state, err = results.ReadWorkerState(src); err != nil {
		return nil, fmt.Errorf("%s: %w", src.Name(), err)
	}
	if in.seqs, err = results.ReadWorkerSeqs(src); err != nil {
		return nil, fmt.Errorf("%s: %w", src.Name(), err)
	}
	if len(in.seqs.Acked) != in.state.Producers || len(in.seqs.Seen) != len(in.state.Apps) {
		return nil, fmt.Errorf("%s: %s does not match %s", src.Name(), results.WorkerSeqsFile, results.WorkerStateFile)
	}
	if in.dests, err = runner.ReadWorkerDestinations(src); err != nil {
		return nil, err
	}
	return in, nil
}

// check returns the workers missing from ins, or an error naming the
// inputs that are not of one run.
func check(ins []*input) ([]int, error) {
	first := ins[0].state
	seen := map[int]string{}
	var probs []string
	for _, in := range ins {
		st, name := in.state, in.src.Name()
		switch {
		case st.RunID != first.RunID:
			probs = append(probs, fmt.Sprintf("%s is run %s, %s is run %s", name, st.RunID, ins[0].src.Name(), first.RunID))
		case st.Scenario != first.Scenario:
			probs = append(probs, fmt.Sprintf("%s ran another scenario (or other --set values) than %s", name, ins[0].src.Name()))
		case st.Count != first.Count:
			probs = append(probs, fmt.Sprintf("%s is worker %d/%d, %s one of %d", name, st.Index, st.Count, ins[0].src.Name(), first.Count))
		case st.Producers != first.Producers || len(st.Apps) != len(first.Apps):
			probs = append(probs, fmt.Sprintf("%s has other producers or consumers than %s", name, ins[0].src.Name()))
		case seen[st.Index] != "":
			probs = append(probs, fmt.Sprintf("%s and %s are both worker %d", seen[st.Index], name, st.Index))
		}
		seen[st.Index] = name
	}
	if len(probs) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrInput, strings.Join(probs, "; "))
	}
	var missing []int
	for i := range first.Count {
		if seen[i] == "" {
			missing = append(missing, i)
		}
	}
	return missing, nil
}

// workerList names workers of n: "worker 3 of 4 is", "workers 1, 3 of 4 are".
func workerList(ws []int, n int) string {
	s := make([]string, len(ws))
	for i, w := range ws {
		s[i] = fmt.Sprint(w)
	}
	if len(ws) == 1 {
		return fmt.Sprintf("worker %s of %d is", s[0], n)
	}
	return fmt.Sprintf("workers %s of %d are", strings.Join(s, ", "), n)
}
