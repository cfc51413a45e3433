package results

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// RepeatPrefix names the results directories of the repeats of one cell
// ("run-1", "run-2", …) when kbench run --repeat N is used.
const RepeatPrefix = "run-"

// RepeatDir is the results directory of repeat n (from 1) of a cell
// whose results directory is cellDir.
func RepeatDir(cellDir string, n int) string {
	return filepath.Join(cellDir, RepeatPrefix+strconv.Itoa(n))
}

// RunSet is the runs of one results directory: a single run, or the repeats
// of one cell, each in a RepeatPrefix subdirectory. Gates and comparisons
// judge a RunSet by the median of its runs and show their spread, so one
// noisy run does not decide.
type RunSet struct {
	// Dir is the directory the set was loaded from.
	Dir string
	// Runs are the summaries, in repeat order.
	Runs []*Summary
	// Dirs are the results directories of Runs, in the same order.
	Dirs []string
}

// Spread is one metric over the runs of a RunSet.
type Spread struct {
	Median, Min, Max float64
	N                int // runs that have the metric
}

// LoadRunSet reads dir's summary.json, or, when it has none, the
// summary.json of each of its RepeatPrefix subdirectories.
func LoadRunSet(dir string) (*RunSet, error) {
	set := &RunSet{Dir: dir}
	if s, err := ReadSummary(dir); err == nil {
		set.Runs, set.Dirs = []*Summary{s}, []string{dir}
		return set, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	type rep struct {
		n   int
		dir string
	}
	var reps []rep
	for _, e := range entries {
		n, err := strconv.Atoi(strings.TrimPrefix(e.Name(), RepeatPrefix))
		if !e.IsDir() || !strings.HasPrefix(e.Name(), RepeatPrefix) || err != nil {
			continue
		}
		reps = append(reps, rep{n, filepath.Join(dir, e.Name())})
	}
	if len(reps) == 0 {
		return nil, fmt.Errorf("results: %s: no %s and no %sN directories: not a results directory", dir, SummaryFile, RepeatPrefix)
	}
	sort.Slice(reps, func(i, j int) bool { return reps[i].n < reps[j].n })
	for _, r := range reps {
		s, err := ReadSummary(r.dir)
		if err != nil {
			return nil, err
		}
		set.Runs = append(set.Runs, s)
		set.Dirs = append(set.Dirs, r.dir)
	}
	return set, nil
}

// Stat returns the median, minimum and maximum of a Lookup metric over the
// runs that have it with data (see NoData); false when none has. With an even number of runs the
// median is the mean of the middle two.
func (s *RunSet) Stat(metric string) (Spread, bool) {
	var vs []float64
	for _, r := range s.Runs {
		m := r.Metrics()
		if v, ok := m[metric]; ok {
			if _, empty := NoData(m, metric); !empty {
				vs = append(vs, v)
			}
		}
	}
	if len(vs) == 0 {
		return Spread{}, false
	}
	sort.Float64s(vs)
	n := len(vs)
	med := vs[n/2]
	if n%2 == 0 {
		med = (vs[n/2-1] + vs[n/2]) / 2
	}
	return Spread{Median: med, Min: vs[0], Max: vs[n-1], N: n}, true
}

// Median returns the run closest to the median: the run whose value of
// metric is the median's (the lower middle one with an even count). It is
// the run a report shows plots of when a set has several.
func (s *RunSet) Median(metric string) *Summary {
	type pair struct {
		v float64
		s *Summary
	}
	var ps []pair
	for _, r := range s.Runs {
		if v, ok := r.Lookup(metric); ok {
			ps = append(ps, pair{v, r})
		}
	}
	if len(ps) == 0 {
		return s.Runs[0]
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].v < ps[j].v })
	return ps[(len(ps)-1)/2].s
}

// CellDirs returns the names of dir's subdirectories that are results
// directories (a run or the repeats of one), sorted: the cells of a matrix
// run. It is empty for a directory that is not a matrix output.
func CellDirs(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	var cells []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, err := LoadRunSet(filepath.Join(dir, e.Name())); err == nil {
			cells = append(cells, e.Name())
		}
	}
	sort.Strings(cells)
	return cells, nil
}
