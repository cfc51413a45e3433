package merge

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/results"
)

// series is one merged interval log: the whole-run total and each second's
// interval, by second after the common start.
type series struct {
	total  *hdrhistogram.Histogram
	second map[int]*hdrhistogram.Histogram
}

// readIntervals calls f with every interval of the log name in src; a
// missing log calls nothing.
func readIntervals(src results.Source, name string, f func(iv *hdrhistogram.Histogram) error) error {
	r, err := src.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer r.Close()
	lr := hdrhistogram.NewHistogramLogReader(r)
	for n := 1; ; n++ {
		iv, err := lr.NextIntervalHistogram()
		if err != nil {
			return fmt.Errorf("%s/%s: interval %d: %w", src.Name(), name, n, err)
		}
		if iv == nil {
			return nil
		}
		if err := f(iv); err != nil {
			return fmt.Errorf("%s/%s: interval %d: %w", src.Name(), name, n, err)
		}
	}
}

// add merges h into *into, making it with mk first; a value outside the
// range is an error.
func add(into **hdrhistogram.Histogram, h *hdrhistogram.Histogram, mk func() *hdrhistogram.Histogram) error {
	if *into == nil {
		*into = mk()
	}
	if dropped := (*into).Merge(h); dropped > 0 {
		return fmt.Errorf("%d values outside kbench's range", dropped)
	}
	return nil
}

// mergeHlog adds the workers' interval logs of one latency interval by
// interval, each interval at its second after the common start, writes
// the merged log to the output and returns it. A log no worker has gives
// nil.
func (m *merger) mergeHlog(name string) (*series, error) {
	s := &series{second: map[int]*hdrhistogram.Histogram{}}
	found := false
	startMs := m.start.UnixMilli()
	for _, in := range m.ins {
		err := readIntervals(in.src, name, func(iv *hdrhistogram.Histogram) error {
			found = true
			sec := int((iv.StartTimeMs() - startMs + 500) / 1000)
			h := s.second[sec]
			if err := add(&h, iv, metrics.NewHistogram); err != nil {
				return err
			}
			s.second[sec] = h
			return add(&s.total, iv, metrics.NewHistogram)
		})
		if err != nil {
			return nil, err
		}
	}
	if !found {
		return nil, nil
	}
	if err := m.writeSeries(name, s); err != nil {
		return nil, err
	}
	return s, nil
}

// writeSeries writes s as the interval log name, one interval a second,
// and gives it an empty total when it has none.
func (m *merger) writeSeries(name string, s *series) error {
	f, err := os.Create(filepath.Join(m.out, name))
	if err != nil {
		return err
	}
	w, err := results.NewHlogWriter(f, m.start)
	secs := make([]int, 0, len(s.second))
	for sec := range s.second {
		secs = append(secs, sec)
	}
	slices.Sort(secs)
	for _, sec := range secs {
		if err != nil {
			break
		}
		from := m.start.Add(time.Duration(sec) * time.Second)
		err = w.Write(hdrhistogram.Import(s.second[sec].Export()), from, from.Add(time.Second))
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if s.total == nil {
		s.total = metrics.NewHistogram()
	}
	return err
}

// tagged is the histograms of a log of tagged whole-run histograms,
// merged by tag, and the tags in the order first seen.
type tagged struct {
	tags  []string
	hists map[string]*hdrhistogram.Histogram
}

// mergeTagged adds the workers' histograms of the log name by tag.
func (m *merger) mergeTagged(name string, mk func() *hdrhistogram.Histogram) (*tagged, error) {
	t := &tagged{hists: map[string]*hdrhistogram.Histogram{}}
	for _, in := range m.ins {
		err := readIntervals(in.src, name, func(iv *hdrhistogram.Histogram) error {
			tag := iv.Tag()
			h, ok := t.hists[tag]
			if !ok {
				t.tags = append(t.tags, tag)
			}
			if err := add(&h, iv, mk); err != nil {
				return err
			}
			t.hists[tag] = h
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return t, nil
}

// get returns the merged histogram of tag, empty when no worker had it.
func (t *tagged) get(tag string) *hdrhistogram.Histogram {
	if h := t.hists[tag]; h != nil {
		return h
	}
	return metrics.NewHistogram()
}

// writeRecordBytes writes the merged record-bytes.hlog: one size histogram
// per producer, in the workers' order.
func (m *merger) writeRecordBytes(sizes *tagged) error {
	if len(sizes.tags) == 0 {
		return nil
	}
	f, err := os.Create(filepath.Join(m.out, results.RecordBytesFile))
	if err != nil {
		return err
	}
	w, err := results.NewHlogWriter(f, m.start)
	for _, tag := range sizes.tags {
		if err == nil {
			h := sizes.hists[tag]
			h.SetTag(tag)
			err = w.Write(h, m.start, m.ended)
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// mergeTimeseries adds the workers' timeseries.csv second by second: counts
// summed, gauges summed or their maximum taken, each second's percentiles
// from the merged intervals, the backlog from the merged counts. The
// destinations' columns have their outputs summed; the rest is
// destinations' to fill (writeTimeseries writes the rows).
func (m *merger) mergeTimeseries(e2e, put *series) ([]results.Row, error) {
	bySec := map[int]*results.Row{}
	for _, in := range m.ins {
		r, err := in.src.Open(results.TimeseriesFile)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		rows, err := results.ReadTimeseries(r)
		_ = r.Close()
		if err != nil {
			return nil, fmt.Errorf("%s/%s: %w", in.src.Name(), results.TimeseriesFile, err)
		}
		for _, row := range rows {
			o := bySec[row.Second]
			if o == nil {
				o = &results.Row{Second: row.Second, Phase: row.Phase}
				for _, d := range row.Destinations {
					o.Destinations = append(o.Destinations, results.DestinationRow{Name: d.Name})
				}
				bySec[row.Second] = o
			}
			for k, d := range row.Destinations {
				if k < len(o.Destinations) {
					o.Destinations[k].Outputs += d.Outputs
				}
			}
			o.TargetRPS += row.TargetRPS
			o.Produced += row.Produced
			o.Acked += row.Acked
			o.AckedKinesis += row.AckedKinesis
			o.Throttled += row.Throttled
			o.Failed += row.Failed
			o.Consumed += row.Consumed
			o.AckedBytes += row.AckedBytes
			o.ConsumedBytes += row.ConsumedBytes
			o.MillisBehind = max(o.MillisBehind, row.MillisBehind)
			o.InFlight += row.InFlight
			o.Measured += row.Measured
			o.OnTime += row.OnTime
			o.Shards = max(o.Shards, row.Shards)
			o.GetThrottled += row.GetThrottled
			o.OutOfOrder += row.OutOfOrder
			o.Duplicates += row.Duplicates
		}
	}
	secs := make([]int, 0, len(bySec))
	for s := range bySec {
		secs = append(secs, s)
	}
	slices.Sort(secs)
	var rows []results.Row
	var acked, consumed int64
	for _, s := range secs {
		row := bySec[s]
		acked, consumed = acked+row.Acked, consumed+row.Consumed
		row.Backlog = max(acked-consumed, 0)
		if h := e2e.at(s); h != nil && h.TotalCount() > 0 {
			row.E2EP50, row.E2EP99, row.E2EMax = ms(h.ValueAtQuantile(50)), ms(h.ValueAtQuantile(99)), ms(h.Max())
		}
		if h := put.at(s); h != nil && h.TotalCount() > 0 {
			row.PutP50, row.PutP99 = ms(h.ValueAtQuantile(50)), ms(h.ValueAtQuantile(99))
		}
		rows = append(rows, *row)
	}
	return rows, nil
}

// writeTimeseries writes the merged timeseries.csv.
func (m *merger) writeTimeseries(rows []results.Row) error {
	f, err := os.Create(filepath.Join(m.out, results.TimeseriesFile))
	if err != nil {
		return err
	}
	w, err := results.NewTimeseriesWriter(f, results.TimeseriesDestinations(rows)...)
	for _, row := range rows {
		if err == nil {
			err = w.Write(row)
		}
	}
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// at returns second s's interval, nil when there is none.
func (s *series) at(sec int) *hdrhistogram.Histogram {
	if s == nil {
		return nil
	}
	return s.second[sec]
}

// ms converts nanoseconds to milliseconds as timeseries.csv has them.
func ms(ns int64) float64 { return float64(ns) / 1e6 }
