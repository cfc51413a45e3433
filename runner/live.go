package runner

import (
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/metrics"
)

// Live is a read-only view of a run in progress, for exporters that
// publish its metrics while it runs (kbench run --metrics-addr). Everything
// it points to may be read at any time from any goroutine: counters are
// atomic, and latency totals are copied under their lock. It adds no work to
// the run: readers take what the producers, collectors and the per-second
// sampler record anyway, so latency totals include what was recorded up to
// the latest whole second.
type Live struct {
	// RunID is the run id, as in summary.json.
	RunID string
	// Scenario is the scenario's name and Cell its matrix cell ("" outside
	// a matrix).
	Scenario, Cell string
	// Worker is this process's worker index in a run split over workers
	// (kbench run --worker I/N), "" in a run that is not split.
	Worker string
	// Started is the wall-clock time the producers' schedule starts at.
	Started time.Time
	// Metrics is the run's counters and latencies.
	Metrics *metrics.Run
	// Producers names, by producer instance id, the scenario producer the
	// instance belongs to.
	Producers []string
	// Apps are the consumer applications, the primary one first.
	Apps []*metrics.App

	shards *liveShards
	ended  atomic.Bool
}

// Shards returns how many shards the stream has open now; 0 for a Live
// not made by a run.
func (l *Live) Shards() int {
	if l.shards == nil {
		return 0
	}
	return l.shards.Len()
}

// ScheduleLag returns how far behind its schedule the furthest-behind
// producer is now.
func (l *Live) ScheduleLag() time.Duration {
	return time.Duration(l.Metrics.ScheduleLag(envelope.Now()))
}

// Ended reports whether the run has ended: producers and consumers are
// stopped and the last sample is taken, so every counter and latency total
// holds its final value, the one summary.json reports.
func (l *Live) Ended() bool { return l.ended.Load() }

// publishLive hands the run's Live view to Options.OnLive, if set.
func (r *run) publishLive(start int64) {
	if r.o.OnLive == nil {
		return
	}
	l := &Live{
		RunID: fmt.Sprintf("%016x", r.runID), Scenario: r.sc.Name, Cell: r.sc.Cell,
		Started: time.Unix(0, start), Metrics: r.m, Apps: r.apps, shards: r.shards,
	}
	if r.o.Worker != nil {
		l.Worker = strconv.Itoa(r.o.Worker.Index)
	}
	for _, spec := range r.specOf {
		l.Producers = append(l.Producers, r.sc.Producers[spec].Name)
	}
	r.live = l
	r.o.OnLive(l)
}

// endLive marks the Live view ended, once the last sample is taken.
func (r *run) endLive() {
	if r.live != nil {
		r.live.ended.Store(true)
	}
}
