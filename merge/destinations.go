package merge

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/kbench/kbench/collectors"
	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/runner"
)

// destLatencies are a destination's latencies, as .hlog stems and summary
// keys; the first is the one timeseries.csv has percentiles of.
var destLatencies = []string{metrics.LatE2E, metrics.LatE2EUncorrected, "application"}

// destHlog is the interval log of destination name's latency lat.
func destHlog(name, lat string) string { return "destination-" + name + "-" + lat + results.HlogExt }

// destinations computes the destinations of the application under test
// across workers, fills their columns of rows and writes their interval
// logs. A destination matched by envelope with expect one or many is
// combined from each worker's own matching and sequence sets; the others
// are matched again from every worker's outputs against every worker's
// inputs and incidents (see runner.WorkerDest.Replayed).
func (m *merger) destinations(s *results.Summary, rows []results.Row) error {
	first := m.ins[0]
	if len(first.sum.Destinations) == 0 {
		return nil
	}
	for _, in := range m.ins {
		if in.dests == nil || len(in.dests.Dests) != len(first.sum.Destinations) {
			return fmt.Errorf("%w: %s lacks %s or has other destinations than %s", ErrInput, in.src.Name(),
				runner.WorkerDestinationsFile, first.src.Name())
		}
	}
	var deadline time.Duration
	if d := first.sum.Destinations[0].Deadline; d != nil {
		deadline = time.Duration(d.DeadlineMS * 1e6)
	}
	var truth *replayTruth
	for i, f := range first.sum.Destinations {
		st := results.DestinationStats{Name: f.Name, Kind: f.Kind, Expect: f.Expect, Correlation: f.Correlation,
			Latency: map[string]results.LatencyStats{}}
		var c collectors.MatchCounts
		var lat map[string]*series
		var missing func(sec int) int64
		var err error
		if first.dests.Dests[i].Replayed {
			if truth == nil {
				truth = m.loadTruth()
			}
			c, lat, missing, err = m.replay(i, truth, deadline, rows)
		} else {
			c, lat, missing, err = m.combined(i, s, rows)
		}
		if err != nil {
			return fmt.Errorf("destination %s: %w", f.Name, err)
		}
		runner.DestinationFigures(&st, c, deadline)
		for _, l := range destLatencies {
			st.Latency[l] = results.LatencyFrom(lat[l].total)
		}
		for r := range rows {
			row := &rows[r]
			if i >= len(row.Destinations) {
				continue
			}
			d := &row.Destinations[i]
			if h := lat[metrics.LatE2E].at(row.Second); h != nil && h.TotalCount() > 0 {
				d.E2EP50, d.E2EP99 = ms(h.ValueAtQuantile(50)), ms(h.ValueAtQuantile(99))
			}
			d.Missing = missing(row.Second)
		}
		var dropped int64
		for _, in := range m.ins {
			dropped += in.dests.Dests[i].Dropped
		}
		if dropped > 0 {
			s.Config.Notes = append(s.Config.Notes, fmt.Sprintf("destination %s: %d outputs beyond the workers' logs (4 Mi a worker) "+
				"are not matched: its counts are short of them", f.Name, dropped))
		}
		s.Destinations = append(s.Destinations, st)
	}
	return nil
}

// combined merges destination i, matched by envelope with expect one or
// many: each output carries its input's times, so each worker matched and
// measured its own; the counts add, the latencies add interval by
// interval, and the sequence sets say what was seen across workers: an
// input whose outputs two workers read is a duplicate (expect one), an
// acknowledged input nobody saw an output of is missing.
func (m *merger) combined(i int, s *results.Summary, rows []results.Row) (collectors.MatchCounts, map[string]*series, func(int) int64, error) {
	var c collectors.MatchCounts
	name := m.ins[0].sum.Destinations[i].Name
	lat := map[string]*series{}
	for _, l := range destLatencies {
		sr, err := m.mergeHlog(destHlog(name, l))
		if err != nil {
			return c, nil, nil, err
		}
		if sr == nil {
			sr = &series{total: metrics.NewHistogram()}
		}
		lat[l] = sr
	}
	for _, in := range m.ins {
		w := in.dests.Dests[i].Counts
		c.Outputs += w.Outputs
		c.Matched += w.Matched
		c.Unexpected += w.Unexpected
		c.Measured += w.Measured
		c.OnTime += w.OnTime
		c.Duplicates += w.Duplicates
		c.Unmeasured += w.Unmeasured
		if w.First != 0 && (c.First == 0 || w.First < c.First) {
			c.First = w.First
		}
		c.Last = max(c.Last, w.Last)
	}
	c.Expected = s.Totals.Acked
	for p, acked := range m.acked {
		seen := new(metrics.SeqSet)
		var sum int64
		for _, in := range m.ins {
			if i < len(in.seqs.Dests) && p < len(in.seqs.Dests[i]) {
				sum += in.seqs.Dests[i][p].Len()
				seen.Or(in.seqs.Dests[i][p])
			}
		}
		c.Missing += acked.Missing(seen)
		if m.ins[0].sum.Destinations[i].Expect == collectors.ExpectOne {
			c.Duplicates += sum - seen.Len() // read on two workers
		}
	}
	// Missing at each second: inputs acknowledged by then less those
	// whose outputs some worker had seen.
	cum := map[int]int64{}
	var acked int64
	for _, row := range rows {
		acked += row.Acked
		cum[row.Second] = acked
	}
	missing := func(sec int) int64 {
		var seen int64
		for _, in := range m.ins {
			if w := in.dests.Dests[i].Seen; sec < len(w) {
				seen += w[sec]
			} else if len(w) > 0 {
				seen += w[len(w)-1]
			}
		}
		return max(cum[sec]-seen, 0)
	}
	return c, lat, missing, nil
}

// replayTruth is every worker's inputs and incidents in one index and one
// ground truth, as one process would have remembered them.
type replayTruth struct {
	inputs    *collectors.InputIndex
	incidents *collectors.Incidents
	sent      []int64 // the inputs' send times, ascending
	slots     int
}

// loadTruth loads every worker's remembered inputs and incidents. The
// incidents are numbered again in the order of their first record, as one
// process numbers them, and the inputs' incident ids follow.
func (m *merger) loadTruth() *replayTruth {
	type ref struct {
		w   int
		rec collectors.IncidentRecord
		id  int
	}
	var all []ref
	entries := 0
	for w, in := range m.ins {
		for id, rec := range in.dests.Incidents {
			all = append(all, ref{w, rec, id})
		}
		entries += len(in.dests.Inputs)
	}
	slices.SortStableFunc(all, func(a, b ref) int { return cmp.Compare(a.rec.First, b.rec.First) })
	t := &replayTruth{incidents: collectors.NewIncidents(), slots: len(m.ins[0].dests.Dests)}
	ids := make([]map[int]int, len(m.ins))
	for w := range ids {
		ids[w] = map[int]int{}
	}
	for _, r := range all {
		ids[r.w][r.id] = t.incidents.Load([]collectors.IncidentRecord{r.rec})
	}
	t.inputs = collectors.NewInputIndex(entries+1, 0, t.slots)
	for w, in := range m.ins {
		es := in.dests.Inputs
		for k := range es {
			if id := es[k].Input.Incident; id >= 0 {
				es[k].Input.Incident = ids[w][id]
			}
			t.sent = append(t.sent, es[k].Input.Sent)
		}
		t.inputs.Load(es, in.dests.InputsAdded, in.dests.InputsEvicted)
	}
	slices.Sort(t.sent)
	return t
}

// replay matches destination i's outputs, from every worker's log of them
// in the order they arrived, against truth, as one process's matcher
// would have: counts, latencies by second of arrival, and the expected
// outputs not seen yet at the end of each second.
func (m *merger) replay(i int, truth *replayTruth, deadline time.Duration, rows []results.Row) (collectors.MatchCounts, map[string]*series, func(int) int64, error) {
	d0 := m.ins[0].dests
	spec := d0.Dests[i]
	mt := collectors.NewMatcher(collectors.MatchConfig{Expect: spec.Expect, RunID: d0.RunID, Output: spec.Output,
		Inputs: truth.inputs, Slot: i, Key: spec.Key, Window: spec.Window, Incidents: truth.incidents, Deadline: deadline})
	mt.Measure(d0.WarmupEnd, d0.MeasureEnd)
	var outs []collectors.Output
	for _, in := range m.ins {
		outs = append(outs, in.dests.Dests[i].Outputs...)
	}
	slices.SortStableFunc(outs, func(a, b collectors.Output) int { return cmp.Compare(a.Arrival, b.Arrival) })
	lat := map[string]*series{}
	for _, l := range destLatencies {
		lat[l] = &series{second: map[int]*hdrhistogram.Histogram{}}
	}
	start := m.start.UnixNano()
	secOf := func(at int64) int { return int((at - start) / int64(time.Second)) }
	lastSec := 0
	if len(rows) > 0 {
		lastSec = rows[len(rows)-1].Second
	}
	missing := map[int]int64{}
	named := map[string]bool{} // field matching: values some output named
	some := spec.Expect == collectors.ExpectSome
	// close ends second sec: its intervals and what was missing then.
	close := func(sec int) {
		for k, l := range mt.Latencies() {
			if iv := l.Rotate(); iv.TotalCount() > 0 {
				lat[destLatencies[k]].second[sec] = iv
			}
		}
		at := start + int64(sec+1)*int64(time.Second)
		if some {
			total, alerted := truth.incidents.CountsAt(at)
			missing[sec] = total - alerted
		} else {
			due := int64(sort.Search(len(truth.sent), func(k int) bool { return truth.sent[k] >= at }))
			missing[sec] = max(due-int64(len(named)), 0)
		}
	}
	cur := 0
	for _, o := range outs {
		for sec := secOf(o.Arrival); cur < sec; cur++ {
			close(cur)
		}
		if !some && o.HasValue && !named[o.Value] {
			if _, ok := truth.inputs.Get(o.Value); ok {
				named[o.Value] = true
			}
		}
		mt.AddOutput(o)
	}
	for { // the last second with an output, and on to the last row's
		close(cur)
		if cur++; cur > lastSec {
			break
		}
	}
	for _, l := range destLatencies {
		lat[l].total = metrics.NewHistogram()
	}
	for k, l := range mt.Latencies() {
		if err := add(&lat[destLatencies[k]].total, l.Total(), metrics.NewHistogram); err != nil {
			return collectors.MatchCounts{}, nil, nil, err
		}
	}
	for _, l := range destLatencies {
		if err := m.writeSeries(destHlog(spec.Name, l), lat[l]); err != nil {
			return collectors.MatchCounts{}, nil, nil, err
		}
	}
	return mt.Counts(nil), lat, func(sec int) int64 { return missing[sec] }, nil
}

// application is the application under test as the worker that started
// it saw it (worker 0), or as the first worker saw it when it is external;
// its application.log is copied into the merged results.
func (m *merger) application(s *results.Summary) error {
	for _, in := range m.ins {
		a := in.sum.Application
		if a == nil || (!a.External && a.Log == "") {
			continue
		}
		s.Application = a
		if a.Log == "" {
			return nil
		}
		return copyFile(in.src, a.Log, filepath.Join(m.out, filepath.Base(a.Log)))
	}
	for _, in := range m.ins {
		if in.sum.Application != nil {
			s.Application = in.sum.Application
			break
		}
	}
	return nil
}

// copyFile copies the file name of src to path; a missing file copies
// nothing.
func copyFile(src results.Source, name, path string) error {
	r, err := src.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer r.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
