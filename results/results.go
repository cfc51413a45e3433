package results

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Run is one results directory read back: the summary, and the time series
// and histograms when they are there.
type Run struct {
	Dir     string
	Summary *Summary
	Rows    []Row                              // nil when timeseries.csv is missing
	Hists   map[string]*hdrhistogram.Histogram // by hlog stem: "e2e", "put", …
	Missing []string                           // what could not be read, for the report
}

// MaxTimeseriesBytes is the largest timeseries.csv LoadRun reads (256 MiB,
// about twelve days of rows); a larger one is left out of the report.
const MaxTimeseriesBytes = 256 << 20

// readLimited reads the regular file path, failing when it holds more than
// limit bytes; a device or a pipe is refused before it is opened.
func readLimited(path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file: not a kbench results file", path)
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%s is larger than %d MiB: not a kbench results file", path, limit>>20)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d MiB: not a kbench results file", path, limit>>20)
	}
	return b, nil
}

// LoadRun reads a results directory. Only summary.json is required; a
// missing or unreadable time series or hlog is noted in Missing and left out.
func LoadRun(dir string) (*Run, error) {
	s, err := ReadSummary(dir)
	if err != nil {
		return nil, err
	}
	r := &Run{Dir: dir, Summary: s, Hists: map[string]*hdrhistogram.Histogram{}}
	if f, err := os.Open(filepath.Join(dir, TimeseriesFile)); err == nil {
		if fi, serr := f.Stat(); serr == nil && fi.Size() > MaxTimeseriesBytes {
			err = fmt.Errorf("larger than %d MiB", MaxTimeseriesBytes>>20)
		} else {
			r.Rows, err = ReadTimeseries(io.LimitReader(f, MaxTimeseriesBytes))
		}
		_ = f.Close()
		if err != nil {
			r.Missing = append(r.Missing, fmt.Sprintf("%s unreadable (%v): time plots left out", TimeseriesFile, err))
		}
	} else if errors.Is(err, fs.ErrNotExist) {
		r.Missing = append(r.Missing, TimeseriesFile+" not found: time plots left out")
	} else {
		return nil, fmt.Errorf("results: %w", err)
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*"+HlogExt))
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if filepath.Base(p) == RecordBytesFile { // sizes, not a latency
			continue
		}
		name := strings.TrimSuffix(filepath.Base(p), HlogExt)
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("results: %w", err)
		}
		h, _, err := ReadHlog(f)
		_ = f.Close()
		if err != nil {
			r.Missing = append(r.Missing, fmt.Sprintf("%s unreadable (%v)", filepath.Base(p), err))
			continue
		}
		r.Hists[name] = h
	}
	if len(paths) == 0 {
		r.Missing = append(r.Missing, "no *.hlog files: percentile distribution left out")
	}
	return r, nil
}
