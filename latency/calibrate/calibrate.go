// Package calibrate fits a latency profile (package latency) from the
// results directory of a run, normally one against AWS: kbench calibrate.
package calibrate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/kbench/kbench/latency"
	"github.com/kbench/kbench/results"
)

// Histogram files Calibrate reads from a results directory.
const (
	putHlog               = "put" + results.HlogExt
	sendToArrivalHlog     = "send_to_arrival" + results.HlogExt
	arrivalToConsumedHlog = "arrival_to_consumed" + results.HlogExt
)

// tableQuantiles are the quantiles of a table Calibrate writes from a
// histogram (0 is its minimum, 1 its maximum).
var tableQuantiles = []float64{0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1}

// InputError is a problem with Calibrate's input: a missing or unreadable
// results directory or file, or a run that measured nothing to fit.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

func inputErr(format string, args ...any) error {
	return &InputError{fmt.Errorf(format, args...)}
}

// Calibration is a profile fitted from a run, with how it was obtained.
type Calibration struct {
	// Profile is the fitted profile; its Assumptions say how each part was
	// obtained and what it takes for granted.
	Profile *latency.Profile
	// Warnings are reasons to doubt the fit found in the run (a
	// bottleneck, throttling, clock offset, a poor fit).
	Warnings []string
}

// Calibrate fits a latency profile from the results directory dir of a run
// (normally against AWS; see docs/latency.md for the method and its
// limits):
//   - Put is the put histogram (client-side PutRecords call durations) as
//     a quantile table.
//   - Propagation is fitted from a polling consumer's arrival_to_consumed
//     histogram: a log-normal that, plus a uniform wait for the next poll
//     over the consumer's poll_interval, gives the measured quantiles.
//   - FanOut is a fan-out consumer's arrival_to_consumed histogram as a
//     quantile table.
//
// The primary consumer's .hlog gives the full histogram; another
// application of the other kind contributes through its summary
// percentiles. A part the run did not measure, or measured through
// simulated processing time, is taken from base. send_to_arrival is
// compared with put to spot an offset between the client's and the
// service's clocks. Every problem with the input is an *InputError.
func Calibrate(dir string, base *latency.Profile) (*Calibration, error) {
	if fi, err := os.Stat(dir); err != nil {
		return nil, inputErr("results directory %s: %w", dir, err)
	} else if !fi.IsDir() {
		return nil, inputErr("%s is not a results directory", dir)
	}
	s, err := results.ReadSummary(dir)
	if err != nil {
		return nil, &InputError{err}
	}
	hists := map[string]*hdrhistogram.Histogram{}
	for _, name := range []string{putHlog, sendToArrivalHlog, arrivalToConsumedHlog} {
		h, err := readHlog(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		hists[name] = h
	}
	c := &calibrator{dir: dir, s: s, base: base, cal: &Calibration{}}
	return c.run(hists)
}

// readHlog reads one interval log of a results directory.
func readHlog(path string) (*hdrhistogram.Histogram, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, inputErr("%s is missing: calibrate needs the put, send_to_arrival and arrival_to_consumed histograms of a kbench run", path)
	}
	if err != nil {
		return nil, &InputError{err}
	}
	defer f.Close()
	h, _, err := results.ReadHlog(f)
	if err != nil {
		return nil, inputErr("%s: %w", path, err)
	}
	return h, nil
}

// calibrator holds one Calibrate call's state.
type calibrator struct {
	dir  string
	s    *results.Summary
	base *latency.Profile
	cal  *Calibration
	p    latency.Profile
}

func (c *calibrator) note(format string, args ...any) {
	c.p.Assumptions = append(c.p.Assumptions, fmt.Sprintf(format, args...))
}

func (c *calibrator) warn(format string, args ...any) {
	c.cal.Warnings = append(c.cal.Warnings, fmt.Sprintf(format, args...))
}

func (c *calibrator) run(hists map[string]*hdrhistogram.Histogram) (*Calibration, error) {
	c.p.Name = "calibrated"
	if c.s.Config.Name != "" {
		c.p.Name = "calibrated-" + c.s.Config.Name
	}
	put := hists[putHlog]
	if put.TotalCount() == 0 {
		return nil, inputErr("%s holds no PutRecords calls: nothing to calibrate from", filepath.Join(c.dir, putHlog))
	}
	d, err := histTable(put)
	if err != nil {
		return nil, inputErr("%s: %w", filepath.Join(c.dir, putHlog), err)
	}
	c.p.Put = d
	c.note("put: the PutRecords call durations kbench measured at the client in run %s (%d calls, target %s), as a quantile table; they include the network round trip and the batch sizes of that run.",
		c.s.RunID, put.TotalCount(), c.s.Target.Kind)
	c.checkRun(hists)

	measured := map[string]bool{}
	for i, cs := range c.s.Consumers {
		kind := cs.Kind // how it really read: a fan-out application that fell back polled
		if measured[kind] {
			continue
		}
		var obs []latency.Point
		var count int64
		if cs.Primary || (i == 0 && !anyPrimary(c.s.Consumers)) {
			h := hists[arrivalToConsumedHlog]
			count = h.TotalCount()
			obs = histPoints(h, tableQuantiles)
		} else if ls, ok := cs.Latency["arrival_to_consumed"]; ok {
			count = ls.Count
			obs = statsPoints(ls)
		}
		if count == 0 {
			continue
		}
		if c.fitConsumer(cs, kind, obs, count) {
			measured[kind] = true
		}
	}
	c.fromBase(measured)
	p := c.p
	c.cal.Profile = &p
	return c.cal, nil
}

// checkRun warns about what would make the run's latencies a poor guide.
func (c *calibrator) checkRun(hists map[string]*hdrhistogram.Histogram) {
	s := c.s
	if b := s.Bottleneck; b != nil && b.Kind != "" && b.Kind != "none" {
		c.warn("the run hit a bottleneck (%s: %s): queueing behind it is in the histograms", b.Kind, b.Reason)
	}
	if s.Totals.Throttled > 0 {
		c.warn("%d write attempts were throttled: the put histogram includes throttled calls", s.Totals.Throttled)
	}
	s2a, put := hists[sendToArrivalHlog], hists[putHlog]
	if s2a.TotalCount() == 0 {
		return
	}
	// The arrival stamp is the service's clock and falls inside the call:
	// a median send_to_arrival below 0 or above the median call says the
	// clocks disagree by at least that much.
	med, putMed := time.Duration(s2a.ValueAtQuantile(50)), time.Duration(put.ValueAtQuantile(50))
	if med == 0 && putMed > 2*time.Millisecond {
		c.warn("send_to_arrival's median is 0 (negative values count as 0) while the median PutRecords call takes %v: the service's clock runs behind the client's, which lengthens arrival_to_consumed and so the fitted propagation and fan-out delays by as much",
			putMed.Round(time.Microsecond))
	}
	if med > putMed+2*time.Millisecond {
		c.warn("send_to_arrival's median (%v) exceeds the median PutRecords call (%v): the service's clock runs ahead of the client's by at least %v, which shortens arrival_to_consumed and so the fitted propagation and fan-out delays by as much",
			med.Round(time.Microsecond), putMed.Round(time.Microsecond), (med - putMed).Round(time.Millisecond))
	}
}

// fitConsumer fits the profile part a consumer of kind measured; it
// reports false when the consumer cannot be used.
func (c *calibrator) fitConsumer(cs results.ConsumerStats, kind string, obs []latency.Point, count int64) bool {
	sc := scenarioConsumer(c.s.Scenario, cs.Name)
	if proc := processingOf(sc); proc != "" {
		c.warn("consumer %s simulated processing (%s), which queues within each batch: it is not used; calibrate from a run whose consumers have no processing", cs.Name, proc)
		return false
	}
	switch kind {
	case "polling":
		interval := durationOf(sc, "poll_interval")
		if interval <= 0 {
			interval = 250 * time.Millisecond // collectors.DefaultPollInterval
		}
		wait, how := c.pollPeriod(cs, interval)
		d, worst, err := latency.FitLogNormal(atMost99(obs), wait)
		if err != nil {
			c.warn("consumer %s: %v", cs.Name, err)
			return false
		}
		c.p.Propagation = d
		c.note("propagation: fitted to consumer %s's arrival_to_consumed (%d records, run %s), polling every %v (%s): a log-normal that plus a uniform wait of 0 to %v for the next poll gives the measured quantiles (worst quantile off by %.1f%%); it includes the GetRecords call's own duration.",
			cs.Name, count, c.s.RunID, interval, how, wait.Round(time.Millisecond), worst*100)
		if worst > 0.1 {
			c.warn("propagation: the best log-normal misses a measured quantile by %.0f%%: the delay is not log-normal shaped, or the consumer fell behind", worst*100)
		}
		if d.Quantile(0.5) < wait/10 {
			c.warn("propagation: the fitted median (%v) is small beside the poll interval (%v), so the fit is weak; calibrate with a shorter poll_interval", d.Quantile(0.5), wait)
		}
	case "fanout":
		var d latency.Dist
		var err error
		if len(obs) == len(tableQuantiles) { // the full histogram
			d, err = latency.Table(obs)
		} else {
			d, _, err = latency.FitLogNormal(obs, 0)
		}
		if err != nil {
			c.warn("consumer %s: %v", cs.Name, err)
			return false
		}
		c.p.FanOut = d
		c.note("fan_out: consumer %s's arrival_to_consumed (%d records, run %s, enhanced fan-out), as measured.", cs.Name, count, c.s.RunID)
	default:
		return false
	}
	return true
}

// fromBase fills the parts the run did not measure from the base profile.
func (c *calibrator) fromBase(measured map[string]bool) {
	var empty []string
	for _, part := range []struct {
		name, kind string
		d          *latency.Dist
		base       latency.Dist
	}{
		{"propagation", "polling", &c.p.Propagation, c.base.Propagation},
		{"fan_out", "fanout", &c.p.FanOut, c.base.FanOut},
	} {
		if measured[part.kind] {
			continue
		}
		*part.d = part.base
		c.note("%s: not measured by run %s (it had no usable %s consumer): taken from profile %s.", part.name, c.s.RunID, part.kind, c.base.Name)
		c.p.Assumptions = append(c.p.Assumptions, c.base.AssumptionsAbout(part.name)...)
		if part.base.IsZero() {
			empty = append(empty, part.name)
		}
	}
	if len(empty) > 0 {
		c.warn("%s: not measured, and profile %s has no delays there: a planner will see none", strings.Join(empty, " and "), c.base.Name)
	}
}

// pollPeriod is the time between a polling consumer's calls on one shard:
// the run's length times its shards over the consumer's GetRecords calls,
// which takes in calls that started late (timers fire late on a loaded
// client) or early (catching up), or the configured interval when the run
// made too few calls to tell. how says which, for the profile's notes.
func (c *calibrator) pollPeriod(cs results.ConsumerStats, interval time.Duration) (time.Duration, string) {
	wall := c.s.Config.EndedAt.Sub(c.s.Config.StartedAt)
	shards := max(c.s.Config.Shards, 1)
	if cs.Calls < 20 || wall <= 0 {
		return interval, "too few GetRecords calls to measure the period: the interval is taken as it"
	}
	measured := time.Duration(float64(wall) * float64(shards) / float64(max(cs.Calls-cs.Throttled, 1)))
	if measured < interval/2 || measured > 3*interval {
		c.warn("consumer %s polled each shard every %v on average, far from its poll_interval %v (throttling, resharding or a consumer that fell behind): the interval is used", cs.Name, measured.Round(time.Millisecond), interval)
		return interval, "the measured period was implausible"
	}
	return measured, fmt.Sprintf("measured %v per shard from %d calls in %v", measured.Round(time.Millisecond), cs.Calls, wall.Round(time.Millisecond))
}
