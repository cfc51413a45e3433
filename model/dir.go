package model

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/kbench/kbench/results"
)

// WriteDir writes res as a results directory in dir (created if missing):
// summary.json, timeseries.csv, one .hlog per latency metric and
// record-bytes.hlog — what a run on any other target writes, so reports,
// thresholds, comparisons and gates read it unchanged.
func WriteDir(dir string, res *Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	if err := writeTimeseries(filepath.Join(dir, results.TimeseriesFile), res.Rows); err != nil {
		return err
	}
	names := make([]string, 0, len(res.Hlogs))
	for n := range res.Hlogs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := writeHlog(filepath.Join(dir, n+results.HlogExt), res, res.Hlogs[n]); err != nil {
			return err
		}
	}
	if len(res.RecordBytes) > 0 {
		if err := writeHlog(filepath.Join(dir, results.RecordBytesFile), res, res.RecordBytes); err != nil {
			return err
		}
	}
	return results.WriteSummary(dir, res.Summary)
}

func writeTimeseries(path string, rows []results.Row) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("model: %w", err)
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	w, err := results.NewTimeseriesWriter(f)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			return err
		}
	}
	return w.Flush()
}

func writeHlog(path string, res *Result, ivs []Interval) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("model: %w", err)
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	w, err := results.NewHlogWriter(f, res.Start)
	if err != nil {
		return err
	}
	for _, iv := range ivs {
		h, err := hdrhistogram.Decode(iv.Data)
		if err != nil {
			return fmt.Errorf("model: %s: %w", filepath.Base(path), err)
		}
		if err := w.Write(h, iv.From, iv.To); err != nil {
			return err
		}
	}
	return nil
}
