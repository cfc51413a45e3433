// Package collectors holds kbench's consumers: a GetRecords polling collector
// and an enhanced fan-out (SubscribeToShard) collector. Both read every shard
// of a stream, decode each record's envelope, and account for it: distinct or
// duplicate (per consumer application, in a Tracker), end-to-end latency from
// the intended and from the actual send time (in HDR histograms), consumed
// records and bytes per shard, and lag behind the tip (MillisBehindLatest).
package collectors

import (
	"errors"
	"fmt"
	"time"

	"github.com/kbench/kbench/metrics"
)

// Config is what every collector needs. Zero PollInterval and Limit take
// their defaults; everything else that is unset is an error or means "none".
type Config struct {
	// Name is the consumer application's name, used in logs and as the
	// enhanced fan-out consumer's name.
	Name string
	// Stream is the stream's name.
	Stream string
	// RunID is this run's id; records of other runs, and records that are
	// not kbench's, are counted as foreign and skipped.
	RunID uint64
	// PollInterval is the time between GetRecords calls on one shard
	// (polling only). Zero means DefaultPollInterval.
	PollInterval time.Duration
	// Limit is GetRecords' Limit (polling only), 1..10000. Zero means 10000.
	Limit int32
	// StartAt is where reading starts: zero means TRIM_HORIZON (the oldest
	// record kept), otherwise AT_TIMESTAMP (for an existing stream).
	StartAt time.Time
	// WarmupEnd is a process-clock time (envelope.Now, Unix ns): records
	// intended before it are counted but not put in latency histograms.
	WarmupEnd int64
	// MeasureEnd is a process-clock time: records intended at or after it
	// are counted but not measured. Zero means no end.
	MeasureEnd int64
	// Deadline, when positive, counts measured records whose corrected
	// end-to-end latency is at most Deadline in Metrics.OnTime.
	Deadline time.Duration
	// Primary marks the consumer application whose view is the run's: only
	// it writes Consumed, ConsumedBytes, per-shard Consumed, Foreign, the
	// e2e histograms, Measured, OnTime and MillisBehind. Every
	// application writes its Tracker and Duplicates, and a polling one
	// GetRecordsCalls and GetThrottled (its calls share the shard's quota).
	Primary bool
	// Metrics receives the run's counters and histograms.
	Metrics *metrics.Run
	// Tracker is this consumer application's view of what it has seen.
	Tracker *Tracker
	// Log, when not nil, receives one line per notable event (a shard
	// started or finished, an error retried).
	Log func(format string, args ...any)
}

// DefaultPollInterval is the GetRecords interval when Config.PollInterval is
// zero: AWS's advice of about one call per second per shard and application.
const DefaultPollInterval = time.Second

// maxLimit is GetRecords' largest Limit.
const maxLimit = 10000

// withDefaults returns c with zero fields defaulted, or every problem at once.
func (c Config) withDefaults() (Config, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Stream == "" {
		bad("collectors: empty stream name")
	}
	if c.PollInterval < 0 {
		bad("collectors: negative poll interval %v", c.PollInterval)
	}
	if c.Limit < 0 || c.Limit > maxLimit {
		bad("collectors: limit %d: want 1..%d", c.Limit, maxLimit)
	}
	if c.Deadline < 0 {
		bad("collectors: negative deadline %v", c.Deadline)
	}
	if c.MeasureEnd != 0 && c.MeasureEnd < c.WarmupEnd {
		bad("collectors: measure end %d before warmup end %d", c.MeasureEnd, c.WarmupEnd)
	}
	if c.Metrics == nil {
		bad("collectors: nil Metrics")
	}
	if c.Tracker == nil {
		bad("collectors: nil Tracker")
	}
	if err := errors.Join(errs...); err != nil {
		return c, err
	}
	if c.PollInterval == 0 {
		c.PollInterval = DefaultPollInterval
	}
	if c.Limit == 0 {
		c.Limit = maxLimit
	}
	if c.Log == nil {
		c.Log = func(string, ...any) {}
	}
	return c, nil
}
