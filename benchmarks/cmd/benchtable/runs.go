package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"text/tabwriter"
)

// summary is the part of a run's summary.json (results.Summary, whose key
// names are a stable interface) the table shows.
type summary struct {
	Config struct {
		Cell   string `json:"cell"`
		Shards int    `json:"shards"`
	} `json:"config"`
	Totals struct {
		Acked     int64 `json:"acked"`
		Throttled int64 `json:"throttled"`
		Failed    int64 `json:"failed"`
	} `json:"totals"`
	Throughput struct {
		TargetRPS float64 `json:"target_rps"`
		AckedRPS  float64 `json:"acked_rps"`
	} `json:"throughput"`
	Latency map[string]struct {
		P99 float64 `json:"p99_ms"`
	} `json:"latency"`
	Verdict string `json:"verdict"`
}

// runRow is one results directory and its summary.
type runRow struct {
	dir string
	sum summary
}

// loadRuns reads DIR/summary.json and DIR/*/summary.json, ordered by shard
// count then directory.
func loadRuns(dir string) ([]runRow, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*", "summary.json"))
	if err != nil {
		return nil, err
	}
	if p := filepath.Join(dir, "summary.json"); fileExists(p) {
		paths = append(paths, p)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no summary.json in %s or its subdirectories", dir)
	}
	rows := make([]runRow, 0, len(paths))
	var errs []error
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		r := runRow{dir: filepath.Dir(p)}
		if err := json.Unmarshal(b, &r.sum); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p, err))
			continue
		}
		rows = append(rows, r)
	}
	slices.SortFunc(rows, func(a, b runRow) int {
		if c := cmp.Compare(a.sum.Config.Shards, b.sum.Config.Shards); c != 0 {
			return c
		}
		return cmp.Compare(a.dir, b.dir)
	})
	return rows, errors.Join(errs...)
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// writeRuns prints the runs as an aligned table.
func writeRuns(w io.Writer, rows []runRow) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "shards\ttarget_rps\tacked_rps\tacked\tthrottled\tfailed\te2e_p99_ms\tverdict\tresults\t")
	for _, r := range rows {
		s := r.sum
		fmt.Fprintf(tw, "%d\t%.0f\t%.1f\t%d\t%d\t%d\t%.3f\t%s\t%s\t\n",
			s.Config.Shards, s.Throughput.TargetRPS, s.Throughput.AckedRPS, s.Totals.Acked,
			s.Totals.Throttled, s.Totals.Failed, s.Latency["e2e"].P99, s.Verdict, filepath.Base(r.dir))
	}
	return tw.Flush()
}
