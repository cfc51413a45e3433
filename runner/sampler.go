package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/results"
)

// sampler takes the run's pulse once a second: it rotates every latency
// histogram into its interval log, writes a timeseries row and prints the
// live status line.
type sampler struct {
	r     *run
	start int64
	rate  func(time.Duration) float64

	files []*os.File
	hlogs map[*metrics.Latency]*results.HlogWriter
	// hlogName is each hlog's file name, for messages.
	hlogName map[*metrics.Latency]string
	ts       *results.TimeseriesWriter
	// writeErr is the first error writing an interval log or the time
	// series: the run goes on, and then fails for it.
	writeErr error

	second int
	last   int64 // process-clock ns of the previous sample
	prev   counts
	// getCalls is the GetRecords calls of the last second, the share of
	// them throttled tells the live warning whether reads were.
	getCalls int64
	rows     []results.Row
	// failing counts consecutive seconds in which PutRecords calls were
	// made and every one of them failed whole.
	failing int

	// Per consumer application, by index: the largest MillisBehindLatest
	// seen, records consumed in measured seconds, and the consumed count at
	// the previous sample.
	lagMax, appMeasured, appPrev []int64
	measureS                     float64

	// destPrev is each destination's output count at the previous sample.
	destPrev []int64
	// destSeen is, by destination matched by envelope (a tracker), the
	// distinct inputs it had seen at each sample, for kbench merge's
	// missing column.
	destSeen [][]int64

	// pulses[0] is taken at start, pulses[i+1] with rows[i]: the readings
	// the bottleneck verdict is judged on. seen is the last second's
	// bottleneck, warned the one the live line last warned of.
	pulses       []pulse
	seen, warned string
}

// failingLimit is how many seconds of nothing but failed PutRecords calls
// make the run give up on the target.
const failingLimit = 5

// counts is a snapshot of the cumulative counters a row is the delta of.
type counts struct {
	produced, acked, throttled, failed, consumed, ackedBytes, consumedBytes int64
	calls, callFailures, measured, onTime, getThrottled, getCalls           int64
	outOfOrder, duplicates, kinesis                                         int64
}

func (s *sampler) snapshot() counts {
	m := s.r.m
	return counts{
		produced: m.Produced.Load(), acked: m.Acked.Load(), throttled: m.Throttled.Load(),
		failed: m.Failed.Load(), consumed: m.Consumed.Load(),
		ackedBytes: m.ProducedBytes.Load(), consumedBytes: m.ConsumedBytes.Load(),
		calls: m.Calls.Load(), callFailures: m.CallFailures.Load(),
		measured: m.Measured.Load(), onTime: m.OnTime.Load(), getThrottled: m.GetThrottled.Load(),
		getCalls:   m.GetRecordsCalls.Load(),
		outOfOrder: m.OutOfOrder.Load(), duplicates: m.Duplicates.Load(),
		kinesis: m.KinesisRecords.Load(),
	}
}

func newSampler(r *run, start int64) (*sampler, error) {
	s := &sampler{r: r, start: start, last: start, hlogs: map[*metrics.Latency]*results.HlogWriter{},
		hlogName: map[*metrics.Latency]string{}}
	s.pulses = []pulse{r.pulse(start, 0, 0)}
	hlogs := map[string]*metrics.Latency{}
	for _, l := range r.m.Latencies() {
		hlogs[l.Name()] = l
	}
	if r.app != nil {
		for _, d := range r.app.dests {
			for _, l := range d.match.Latencies() {
				hlogs["destination-"+d.spec.Name+"-"+l.Name()] = l
			}
		}
	}
	for name, l := range hlogs {
		f, err := os.Create(filepath.Join(r.o.OutDir, name+".hlog"))
		if err != nil {
			s.close()
			return nil, err
		}
		s.files = append(s.files, f)
		w, err := results.NewHlogWriter(f, time.Unix(0, start))
		if err != nil {
			s.close()
			return nil, err
		}
		s.hlogs[l] = w
		s.hlogName[l] = name + ".hlog"
	}
	f, err := os.Create(filepath.Join(r.o.OutDir, "timeseries.csv"))
	if err != nil {
		s.close()
		return nil, err
	}
	s.files = append(s.files, f)
	var dests []string
	if r.app != nil {
		for _, d := range r.app.dests {
			dests = append(dests, d.spec.Name)
		}
		s.destPrev = make([]int64, len(dests))
	}
	if s.ts, err = results.NewTimeseriesWriter(f, dests...); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// loop samples on every whole second after start until ctx is cancelled.
func (s *sampler) loop(ctx context.Context) {
	for {
		next := s.start + int64(s.second+1)*int64(time.Second)
		if !sleepUntil(ctx, next) {
			return
		}
		s.sample(next)
	}
}

// sleepUntil waits until the process clock reaches at (Unix ns). It returns
// false, at once, when ctx is done first.
func sleepUntil(ctx context.Context, at int64) bool {
	t := time.NewTimer(max(time.Duration(at-envelope.Now()), 0))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// final takes the last, partial sample so nothing recorded is left out.
func (s *sampler) final() {
	s.sample(envelope.Now())
	if err := s.ts.Flush(); err != nil {
		s.failed("timeseries.csv", err)
	}
	for _, f := range s.files {
		if err := f.Sync(); err != nil {
			s.failed(filepath.Base(f.Name()), err)
		}
	}
}

// failed records a results file that could not be written: logged once, and
// the run's error at the end.
func (s *sampler) failed(file string, err error) {
	if s.writeErr == nil {
		s.writeErr = fmt.Errorf("%w: %s: %v", ErrOutput, file, err)
		s.r.logf("error: writing %s: %v", file, err)
	}
}

func (s *sampler) phase(elapsed time.Duration) string {
	sc := s.r.sc
	switch {
	case elapsed <= sc.Warmup:
		return "warmup"
	case elapsed <= sc.Duration:
		return "measure"
	}
	return "drain"
}

func (s *sampler) sample(now int64) {
	if now < s.start {
		now = s.start
	}
	from, to := time.Unix(0, s.last), time.Unix(0, now)
	var e2e, put = metrics.NewHistogram(), metrics.NewHistogram()
	destE2E := map[*metrics.Latency]*hdrhistogram.Histogram{}
	for l, w := range s.hlogs {
		iv := l.Rotate()
		if err := w.Write(iv, from, to); err != nil {
			s.failed(s.hlogName[l], err)
		}
		switch l {
		case s.r.m.E2E:
			e2e = iv
		case s.r.m.Put:
			put = iv
		default:
			destE2E[l] = iv
		}
	}
	if s.lagMax == nil {
		n := len(s.r.apps)
		s.lagMax, s.appMeasured, s.appPrev = make([]int64, n), make([]int64, n), make([]int64, n)
	}
	elapsed := time.Duration(now - s.start)
	measuring := s.phase(elapsed) == "measure"
	if measuring {
		s.measureS++
	}
	for i, a := range s.r.apps {
		a.Rotate()
		consumed := a.Consumed.Load()
		if measuring {
			s.appMeasured[i] += consumed - s.appPrev[i]
		}
		s.appPrev[i] = consumed
		s.lagMax[i] = max(s.lagMax[i], s.r.pollers[i].Stats().MillisBehind)
	}
	c := s.snapshot()
	row := results.Row{
		Second:        s.second,
		Phase:         s.phase(elapsed),
		Produced:      c.produced - s.prev.produced,
		Acked:         c.acked - s.prev.acked,
		Throttled:     c.throttled - s.prev.throttled,
		Failed:        c.failed - s.prev.failed,
		Consumed:      c.consumed - s.prev.consumed,
		AckedBytes:    c.ackedBytes - s.prev.ackedBytes,
		ConsumedBytes: c.consumedBytes - s.prev.consumedBytes,
		E2EP50:        ms(e2e.ValueAtQuantile(50), e2e.TotalCount()),
		E2EP99:        ms(e2e.ValueAtQuantile(99), e2e.TotalCount()),
		PutP99:        ms(put.ValueAtQuantile(99), put.TotalCount()),
		MillisBehind:  s.millisBehind(),
		InFlight:      int(s.r.m.InFlight.Load()),
		E2EMax:        ms(e2e.Max(), e2e.TotalCount()),
		PutP50:        ms(put.ValueAtQuantile(50), put.TotalCount()),
		Backlog:       max(c.acked-c.consumed, 0),
		Measured:      c.measured - s.prev.measured,
		OnTime:        c.onTime - s.prev.onTime,
		Shards:        s.r.shards.Len(),
		GetThrottled:  c.getThrottled - s.prev.getThrottled,
		OutOfOrder:    c.outOfOrder - s.prev.outOfOrder,
		Duplicates:    c.duplicates - s.prev.duplicates,
		AckedKinesis:  c.kinesis - s.prev.kinesis,
	}
	if s.rate != nil && elapsed <= s.r.sc.Duration {
		row.TargetRPS = s.rate(time.Duration(s.second)*time.Second + time.Second/2)
	}
	row.Destinations = s.destinationRows(destE2E)
	if err := s.ts.Write(row); err != nil {
		s.failed("timeseries.csv", err)
	}
	s.rows = append(s.rows, row)
	// The gauges are read now, however late the sampler woke: the pulse is
	// taken at the time it reads them, not at the second's tick, so a late
	// sampler does not hide how far behind the producers were.
	s.pulses = append(s.pulses, s.r.pulse(max(envelope.Now(), now), c.acked, c.consumed))
	s.health(c)
	s.getCalls = c.getCalls - s.prev.getCalls
	s.prev = c
	s.last = now
	s.second++
	s.live(elapsed, c)
}

// destinationRows is each destination's second: outputs since the last
// sample, the interval's e2e percentiles (from ivs, the rotated intervals
// by latency) and the expected outputs not seen yet.
func (s *sampler) destinationRows(ivs map[*metrics.Latency]*hdrhistogram.Histogram) []results.DestinationRow {
	if s.r.app == nil {
		return nil
	}
	out := make([]results.DestinationRow, len(s.r.app.dests))
	for i, d := range s.r.app.dests {
		c := d.match.Counts(s.r.m)
		row := results.DestinationRow{Name: d.spec.Name, Outputs: c.Outputs - s.destPrev[i], Missing: c.Missing}
		if iv := ivs[d.match.E2E]; iv != nil {
			row.E2EP50, row.E2EP99 = ms(iv.ValueAtQuantile(50), iv.TotalCount()), ms(iv.ValueAtQuantile(99), iv.TotalCount())
		}
		s.destPrev[i] = c.Outputs
		out[i] = row
		if d.tracker != nil {
			if s.destSeen == nil {
				s.destSeen = make([][]int64, len(s.r.app.dests))
			}
			s.destSeen[i] = append(s.destSeen[i], d.tracker.Seen())
		}
	}
	return out
}

// health gives up on a target that failed every PutRecords call for
// failingLimit seconds in a row (connection refused, 5xx, timeouts): the run
// stops with ErrTarget rather than retrying into a dead endpoint until its
// duration is over. Throttling is not failure: a throttled call is a
// partial success or a retry, and records still get through.
func (s *sampler) health(c counts) {
	calls, fails := c.calls-s.prev.calls, c.callFailures-s.prev.callFailures
	if calls > 0 && fails == calls && c.acked == s.prev.acked {
		s.failing++
	} else {
		s.failing = 0
	}
	if s.failing == failingLimit && s.r.abort != nil {
		s.r.abort(fmt.Errorf("%w: every PutRecords call failed for %d seconds in a row; the last: %s",
			ErrTarget, failingLimit, s.r.m.LastCallFailure()))
	}
}

func ms(ns, count int64) float64 {
	if count == 0 {
		return 0
	}
	return float64(ns) / 1e6
}

func (s *sampler) millisBehind() int64 {
	var worst int64
	for _, p := range s.r.pollers {
		worst = max(worst, p.Stats().MillisBehind)
	}
	s.r.m.MillisBehind.Store(worst)
	return worst
}

// live prints the status line: a redrawn line on a terminal, a log line
// otherwise.
func (s *sampler) live(elapsed time.Duration, c counts) {
	p99 := "-"
	if tot := s.r.m.E2E.Total(); tot.TotalCount() > 0 {
		p99 = fmt.Sprintf("%.1fms", float64(tot.ValueAtQuantile(99))/1e6)
	}
	target := 0.0
	if s.rate != nil && elapsed <= s.r.sc.Duration {
		target = s.rate(elapsed)
	}
	line := fmt.Sprintf("%5.0fs %-7s target %6.0f/s  sent %9d  acked %9d  throttled %7d  failed %5d  consumed %9d  e2e p99 %s",
		elapsed.Seconds(), s.phase(elapsed), target, c.produced, c.acked, c.throttled, c.failed, c.consumed, p99)
	warn := s.warning(elapsed)
	if s.r.o.Live {
		if warn != "" {
			fmt.Fprintf(s.r.log, "\r\033[K%s\n", warn)
		}
		fmt.Fprintf(s.r.log, "\r\033[K%s", line)
		return
	}
	if warn != "" {
		fmt.Fprintln(s.r.log, warn)
	}
	fmt.Fprintln(s.r.log, line)
}

// warning judges the last second's bottleneck while producers run and
// returns a warning line when it names a limit it did not name the second
// before; "" otherwise.
func (s *sampler) warning(elapsed time.Duration) string {
	n := len(s.pulses)
	if n < 2 || elapsed > s.r.sc.Duration+time.Second {
		return ""
	}
	e := s.r.between(s.pulses[n-2], s.pulses[n-1])
	row := s.rows[len(s.rows)-1]
	e.ackedRPS = float64(row.Acked)
	if att := row.Throttled + row.Acked; att > 0 {
		e.throttleRatio = float64(row.Throttled) / float64(att)
	}
	if s.getCalls > 0 {
		e.getThrottled = float64(row.GetThrottled) / float64(s.getCalls)
	}
	kind, reason := e.verdict(runtime.GOMAXPROCS(0))
	prev := s.seen
	s.seen = kind
	if kind != prev || kind == s.warned { // two seconds in a row, once
		return ""
	}
	s.warned = kind
	if kind == results.BottleneckNone {
		return ""
	}
	return fmt.Sprintf("warning: bottleneck %s at %.0fs: %s", kind, elapsed.Seconds(), reason)
}

func (s *sampler) close() {
	if s.r.o.Live {
		fmt.Fprintln(s.r.log)
	}
	for _, f := range s.files {
		_ = f.Close()
	}
}
