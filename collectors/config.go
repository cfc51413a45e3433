// Package collectors holds kbench's consumers: a GetRecords polling collector,
// an enhanced fan-out (SubscribeToShard) collector, and Auto, which reads by
// fan-out and falls back to polling on targets that cannot serve it. Each is
// one consumer application: it reads every shard of a stream, decodes each
// record's envelope, and accounts for it in the application's own metrics
// (metrics.App), and for the primary application also in the run's: distinct
// or duplicate (in a Tracker), end-to-end latency from the intended and from
// the actual send time, the read path from ApproximateArrivalTimestamp (in
// HDR histograms), records on time for their deadline, consumed records and
// bytes per shard, and lag behind the tip (MillisBehindLatest). An
// application can simulate per-record processing time, a limited worker pool
// and periodic checkpoints, so that slow consumers show up as latency, lag
// and records at risk.
package collectors

import (
	"errors"
	"fmt"
	"time"

	"github.com/kbench/kbench/internal/kind"
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
	// Deadline, when positive, is every record's deadline (the time value
	// of its data) unless Deadlines names another for its producer: a
	// measured record whose corrected end-to-end latency is at most its
	// deadline counts in App.OnTime (and Metrics.OnTime for the primary).
	Deadline time.Duration
	// Deadlines holds per-producer deadlines, by the envelope's producer
	// id: when it holds a positive value for a record's producer, that is
	// the record's deadline instead of Deadline.
	Deadlines []time.Duration
	// Primary marks the consumer application whose view is the run's: only
	// it writes Metrics' Consumed, ConsumedBytes, per-shard Consumed,
	// Foreign, the e2e, send-to-arrival and arrival-to-consumed
	// histograms, Measured, OnTime and MillisBehind. Every application
	// writes its own App, its Tracker and Metrics.Duplicates, and a polling
	// one GetRecordsCalls and GetThrottled (its calls share the shard's
	// quota).
	Primary bool
	// Metrics receives the run's counters and histograms.
	Metrics *metrics.Run
	// App receives this consumer application's own counters and
	// histograms, whether it is primary or not. Required.
	App *metrics.App
	// Processing is the simulated time the application spends on each
	// record; the zero value means none.
	Processing Processing
	// Concurrency, when positive, is how many of the application's shards
	// may process a batch at once (a worker pool shared by its shard
	// readers); a reader waiting for a worker holds its batch, and the wait
	// counts in the batch's latency. Zero means one worker per shard. It
	// only matters with Processing.
	Concurrency int
	// CheckpointInterval is how often the application checkpoints each
	// shard's last processed sequence number; zero means after every
	// batch. Records processed since a shard's last checkpoint are at risk
	// (a crash would read them again): App.AtRiskMax keeps the most there
	// were at once, summed over shards. Checkpoints are simulated in memory
	// (no lease table): they cost nothing and are counted in
	// App.Checkpoints.
	CheckpointInterval time.Duration
	// Tracker is this consumer application's view of what it has seen.
	Tracker *Tracker
	// Inputs and InputField, when set, identify records that carry no
	// envelope (a producer's envelope none): the record's InputField value
	// looks up its producer, sequence number and send times in Inputs.
	Inputs     *InputIndex
	InputField string
	// Owns, when not nil, says which shards this application reads: in a
	// run split over workers each shard is read by one worker's copy of the
	// application. nil reads every shard.
	Owns func(shardID string) bool
	// Split, when not nil, holds by producer id how many workers of a
	// distributed run split that producer's records record by record
	// (record n goes to worker n mod Split[p]); 0 or 1 means not split.
	// Per-key order is then tracked within each worker's share: the
	// workers send a key's records independently, so their interleaving
	// says nothing about order.
	Split []int
	// KeepConsumer leaves an enhanced fan-out consumer this application
	// registered in place when it stops: in a run split over workers the
	// others may still read through it, and deleting the stream removes it.
	KeepConsumer bool
	// Log, when not nil, receives one line per notable event (a shard
	// started or finished, an error retried).
	Log func(format string, args ...any)
}

// DefaultPollInterval is the GetRecords interval of the polling kind, and
// when Config.PollInterval is zero: four calls a second per shard, inside
// Kinesis's five per shard for one application, so polling adds at most a
// quarter of a second to the end-to-end latency.
const DefaultPollInterval = 250 * time.Millisecond

// MaxLimit is GetRecords' largest Limit.
const MaxLimit = 10000

// MaxConsumers is how many consumers Kinesis registers on one stream at
// most, and so the most copies of one consumer application a run starts.
const MaxConsumers = 20

// Problems returns every problem with the settings a scenario gives a
// consumer application (PollInterval, Limit, Processing, Concurrency,
// CheckpointInterval), each at its yaml field name. It checks them as they
// are: a zero PollInterval or Limit is a problem here, though withDefaults
// fills those in before it asks.
func (c Config) Problems() []*FieldError {
	var out []*FieldError
	bad := func(field, format string, args ...any) {
		out = append(out, &FieldError{Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	if c.PollInterval <= 0 {
		bad("poll_interval", "must be positive, got %s", c.PollInterval)
	}
	if c.Limit < 1 || c.Limit > MaxLimit {
		bad("limit", "must be between 1 and %d, got %d", MaxLimit, c.Limit)
	}
	for _, fe := range c.Processing.Problems() {
		bad("processing."+fe.Field, "%s", fe.Problem)
	}
	if c.Concurrency < 0 {
		bad("concurrency", "must not be negative (0 means no limit), got %d", c.Concurrency)
	}
	if c.CheckpointInterval < 0 {
		bad("checkpoint_interval", "must not be negative (0 means after every batch), got %s", c.CheckpointInterval)
	}
	return out
}

// withDefaults returns c with zero fields defaulted, or every problem at once.
func (c Config) withDefaults() (Config, error) {
	if c.PollInterval == 0 {
		c.PollInterval = DefaultPollInterval
	}
	if c.Limit == 0 {
		c.Limit = MaxLimit
	}
	errs := []error{kind.Join("collectors: ", c.Problems())}
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Stream == "" {
		bad("collectors: empty stream name")
	}
	if c.Deadline < 0 {
		bad("collectors: negative deadline %v", c.Deadline)
	}
	for i, d := range c.Deadlines {
		if d < 0 {
			bad("collectors: negative deadline %v for producer %d", d, i)
		}
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
	if c.App == nil {
		bad("collectors: nil App")
	}
	if err := errors.Join(errs...); err != nil {
		return c, err
	}
	if c.Log == nil {
		c.Log = func(string, ...any) {}
	}
	return c, nil
}

// orderShare is the share of its producer a record's order is tracked in:
// 0, or for a producer split among workers the worker that sent it.
func (c *Config) orderShare(producer uint32, seq uint64) uint32 {
	if int(producer) < len(c.Split) {
		if k := c.Split[producer]; k > 1 {
			return uint32(seq % uint64(k))
		}
	}
	return 0
}
