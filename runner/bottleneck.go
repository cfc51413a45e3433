package runner

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"time"

	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/targets"
)

// Limits of the bottleneck verdict (see verdict).
const (
	// cpuLimit: kbench using more than this share of its cores is saturated.
	cpuLimit = 0.9
	// inFlightLimit: the producers' in-flight slots busy this share of the
	// time are at their limit.
	inFlightLimit = 0.9
	// lagLimit: producers this far behind their schedule are falling behind.
	lagLimit = time.Second
	// waitLimit: producers that spent this share of their time behind
	// schedule waiting for their senders were held back by the senders
	// (the target, or with ordering per_key a shard's one call in flight),
	// not by generating.
	waitLimit = 0.5
	// throttleLimit: a write throttle ratio at least this means the target
	// is refusing the load.
	throttleLimit = 0.01
	// getThrottleLimit: reads throttled less than this share of calls are
	// not what holds the consumers back.
	getThrottleLimit = 0.05
	// putRiseFactor and putRiseMin: put latency (p99) at the end of the
	// window this many times that at its start, and this much higher, is
	// rising.
	putRiseFactor = 2
	putRiseMin    = 100 // ms
)

// evidence is what the bottleneck verdict weighs, over one window.
type evidence struct {
	cpuRatio      float64 // kbench's CPU time / (wall time × its cores)
	inFlightRatio float64 // busy in-flight slots / slots, averaged
	lag           time.Duration
	// inFlightBehind is inFlightRatio over the seconds in which the
	// producers were more than lagLimit behind: whether they were behind
	// for want of free slots (the target) or with slots to spare (kbench).
	inFlightBehind float64
	// waitRatio is the share of the time the producers' schedules were
	// blocked on their senders (metrics.Run.Waiting), waitBehind the same
	// over the seconds in which they were more than lagLimit behind.
	waitRatio, waitBehind float64
	// perKey: a producer keeps ordering per_key, one call in flight per
	// shard.
	perKey        bool
	backlogGrowth float64 // records/s by which acked-but-unread records grew
	// noReaders: kbench reads nothing itself (consumers: [], the
	// application under test the only reader), so the backlog says nothing
	// of whether the stream's readers keep up.
	noReaders     bool
	ackedRPS      float64
	throttleRatio float64 // throttled / (throttled + acked) write attempts
	getThrottled  float64 // throttled / all GetRecords calls
	putFrom       float64 // put p99 (ms) at the window's start and end; 0 unknown
	putTo         float64
}

// verdict names the first limit that holds, in the order generator, target,
// consumer, and says why in a sentence; none when no limit holds.
func (e evidence) verdict(cores int) (kind, reason string) {
	pct := func(v float64) string { return fmt.Sprintf("%.0f%%", 100*v) }
	switch {
	case e.cpuRatio > cpuLimit:
		return results.BottleneckGenerator, fmt.Sprintf("kbench used %s of its %d cores: the results describe kbench's limits, not the target's",
			pct(e.cpuRatio), cores)
	case e.lag > lagLimit && e.inFlightBehind < inFlightLimit && e.waitBehind < waitLimit:
		return results.BottleneckGenerator, fmt.Sprintf("the producers fell %v behind their schedule while only %s of their in-flight slots were busy: "+
			"kbench could not generate the records as fast as the scenario asks", e.lag.Round(time.Millisecond), pct(e.inFlightBehind))
	}
	var why []string
	lanes := e.perKey && (e.waitRatio >= inFlightLimit || e.lag > lagLimit && e.waitBehind >= waitLimit)
	switch {
	case lanes:
		behind := ""
		if e.lag > lagLimit {
			behind = fmt.Sprintf(" (%s while over %v behind their schedule, %v behind at worst)",
				pct(e.waitBehind), lagLimit, e.lag.Round(time.Millisecond))
		}
		why = append(why, fmt.Sprintf("ordering per_key keeps one PutRecords call in flight per shard, and the producers waited %s of the time%s "+
			"for a shard's call to settle before it could take their next batch", pct(e.waitRatio), behind))
	case e.inFlightRatio >= inFlightLimit:
		why = append(why, fmt.Sprintf("the producers' in-flight slots were busy %s of the time", pct(e.inFlightRatio)))
	case e.lag > lagLimit:
		why = append(why, fmt.Sprintf("the producers fell %v behind their schedule with %s of their in-flight slots busy meanwhile",
			e.lag.Round(time.Millisecond), pct(e.inFlightBehind)))
	}
	if e.throttleRatio >= throttleLimit {
		why = append(why, fmt.Sprintf("%s of write attempts were throttled", pct(e.throttleRatio)))
	}
	if e.putFrom > 0 && e.putTo > putRiseFactor*e.putFrom && e.putTo-e.putFrom >= putRiseMin {
		why = append(why, fmt.Sprintf("put latency p99 rose from %.1f to %.1f ms", e.putFrom, e.putTo))
	}
	if lanes {
		return results.BottleneckTarget, "the per-shard ordering rule is the limit: " + strings.Join(why, "; ")
	}
	if len(why) > 0 {
		return results.BottleneckTarget, "the target is the limit: " + strings.Join(why, "; ")
	}
	if e.noReaders {
		return results.BottleneckNone, "no limit was reached: kbench and the target kept up with the schedule (kbench read nothing itself, so it cannot say whether the stream's readers kept up)"
	}
	if why := ConsumerBottleneck(e.backlogGrowth, e.ackedRPS, e.getThrottled); why != "" {
		return results.BottleneckConsumer, why
	}
	return results.BottleneckNone, "no limit was reached: kbench, the target and the consumers kept up with the schedule"
}

// ConsumerBottleneck says why the consumers are the limit when
// acknowledged records piled up unread by backlogGrowth records/s (more than
// 5% of ackedRPS) while under 5% of the read calls were throttled
// (getThrottled, a share); "" when they are not.
func ConsumerBottleneck(backlogGrowth, ackedRPS, getThrottled float64) string {
	if backlogGrowth > max(1, 0.05*ackedRPS) && getThrottled < getThrottleLimit {
		return fmt.Sprintf("acknowledged records piled up unread by %.0f/s while reads were not throttled: "+
			"the consumers could not keep up", backlogGrowth)
	}
	return ""
}

// pulse is one sampler reading of the cumulative gauges the verdict uses.
type pulse struct {
	at, cpu, busy int64 // process-clock ns; CPU ns; busy slot·ns
	waiting       int64 // producer·ns blocked on their senders
	backlog       int64 // acked - consumed
	lag           time.Duration
	cpuOK         bool
}

func (r *run) pulse(now int64, acked, consumed int64) pulse {
	cpu, ok := processCPU()
	backlog := acked - consumed
	if !r.o.Worker.share().Whole() {
		// A worker reads other workers' records and they read its: its own
		// backlog means nothing; the merge judges the consumers.
		backlog = 0
	}
	return pulse{at: now, cpu: cpu, cpuOK: ok, busy: r.m.Busy.Area(now), waiting: r.m.Waiting.Area(now), backlog: backlog,
		lag: time.Duration(r.m.ScheduleLag(now))}
}

// between is the evidence of the window from a to b (a before b).
func (r *run) between(a, b pulse) evidence {
	var e evidence
	wall := float64(b.at - a.at)
	if wall <= 0 {
		return e
	}
	if a.cpuOK && b.cpuOK {
		e.cpuRatio = float64(b.cpu-a.cpu) / (wall * float64(runtime.GOMAXPROCS(0)))
	}
	if r.slots > 0 {
		e.inFlightRatio = float64(b.busy-a.busy) / (wall * float64(r.slots))
	}
	if r.scheduling > 0 {
		e.waitRatio = float64(b.waiting-a.waiting) / (wall * float64(r.scheduling))
	}
	for _, p := range r.sc.Producers {
		e.perKey = e.perKey || p.Ordering == OrderingPerKey
	}
	e.backlogGrowth = float64(b.backlog-a.backlog) / (wall / 1e9)
	e.noReaders = len(r.apps) == 0
	e.lag = b.lag
	e.inFlightBehind = e.inFlightRatio
	e.waitBehind = e.waitRatio
	return e
}

// bottleneck is the run's verdict over its measured window (the whole run
// when nothing was measured).
func (r *run) bottleneck(smp *sampler, s *results.Summary) *results.Bottleneck {
	first, last := -1, -1
	for i, row := range smp.rows {
		if row.Phase == "measure" {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		first, last = 0, len(smp.rows)-1
	}
	if last < 0 || len(smp.pulses) < last+2 {
		return nil
	}
	e := r.between(smp.pulses[first], smp.pulses[last+1])
	var behind, waited, behindS float64
	for i := first; i <= last; i++ { // the furthest behind at any sample
		p := smp.pulses[i+1]
		e.lag = max(e.lag, p.lag)
		if p.lag > lagLimit {
			second := r.between(smp.pulses[i], p)
			behind += second.inFlightRatio
			waited += second.waitRatio
			behindS++
		}
	}
	if behindS > 0 {
		e.inFlightBehind = behind / behindS
		e.waitBehind = waited / behindS
	}
	e.ackedRPS = s.Throughput.AckedRPS
	e.throttleRatio = s.ThrottleRatio
	if t := s.Totals; t.GetRecordsCalls > 0 {
		e.getThrottled = float64(t.GetThrottled) / float64(t.GetRecordsCalls)
	}
	e.putFrom, e.putTo = putTrend(smp.rows[first : last+1])
	cores := runtime.GOMAXPROCS(0)
	b := &results.Bottleneck{
		CPURatio: round3(e.cpuRatio), InFlightRatio: round3(e.inFlightRatio), SendWaitRatio: round3(e.waitRatio),
		ScheduleLagMS: float64(e.lag.Milliseconds()), BacklogGrowthRPS: round3(e.backlogGrowth),
		Cores: cores, InProcessTarget: r.o.Target.Kind == targets.KindSim,
	}
	b.Kind, b.Reason = e.verdict(cores)
	if b.InProcessTarget && (b.Kind == results.BottleneckGenerator || b.Kind == results.BottleneckTarget && e.cpuRatio > 0.5) {
		b.Reason += ". The simulator ran inside kbench, so its CPU is kbench's too: run `kbench sim` on its own and point --endpoint at it to tell them apart"
	}
	return b
}

// putTrend returns the mean put p99 (ms) of the first and last third of
// rows that had calls; zeros when there are fewer than three such rows.
func putTrend(rows []results.Row) (from, to float64) {
	var v []float64
	for _, row := range rows {
		if row.PutP99 > 0 {
			v = append(v, row.PutP99)
		}
	}
	n := len(v) / 3
	if n == 0 {
		return 0, 0
	}
	mean := func(xs []float64) float64 {
		var s float64
		for _, x := range xs {
			s += x
		}
		return s / float64(len(xs))
	}
	return mean(v[:n]), mean(v[len(v)-n:])
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }
