package reports

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// results is a results directory read back: the summary, and the time
// series and histograms when they are there.
type results struct {
	dir     string
	summary *Summary
	rows    []Row                              // nil when timeseries.csv is missing
	hists   map[string]*hdrhistogram.Histogram // by hlog stem: "e2e", "put", …
	missing []string                           // what could not be read, for the report
}

// loadResults reads a results directory. Only summary.json is required; a
// missing or unreadable time series or hlog is noted and left out.
func loadResults(dir string) (*results, error) {
	s, err := ReadSummary(dir)
	if err != nil {
		return nil, err
	}
	r := &results{dir: dir, summary: s, hists: map[string]*hdrhistogram.Histogram{}}
	if f, err := os.Open(filepath.Join(dir, TimeseriesFile)); err == nil {
		r.rows, err = ReadTimeseries(f)
		_ = f.Close()
		if err != nil {
			r.missing = append(r.missing, fmt.Sprintf("%s unreadable (%v): time plots left out", TimeseriesFile, err))
		}
	} else if errors.Is(err, fs.ErrNotExist) {
		r.missing = append(r.missing, TimeseriesFile+" not found: time plots left out")
	} else {
		return nil, fmt.Errorf("reports: %w", err)
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*"+HlogExt))
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	sort.Strings(paths)
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), HlogExt)
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("reports: %w", err)
		}
		h, _, err := ReadHlog(f)
		_ = f.Close()
		if err != nil {
			r.missing = append(r.missing, fmt.Sprintf("%s unreadable (%v)", filepath.Base(p), err))
			continue
		}
		r.hists[name] = h
	}
	if len(paths) == 0 {
		r.missing = append(r.missing, "no *.hlog files: percentile distribution left out")
	}
	return r, nil
}
