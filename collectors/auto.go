package collectors

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// Kinds of reading, as Auto.Kind reports them.
const (
	KindFanOut  = "fanout"
	KindPolling = "polling"
)

var fanOutKind = Kind{
	Name:   KindFanOut,
	Doc:    "Enhanced fan-out (SubscribeToShard), falling back to polling where the target cannot serve it.",
	FanOut: true,
	New: func(cfg Config, push FanOutReader, poll Reader) (Collector, error) {
		return NewFanOutOrPolling(cfg, push, poll)
	},
}

// Auto is an enhanced fan-out collector that falls back to GetRecords
// polling when the target cannot serve fan-out (kinesis-mock, for one), so
// that a scenario asking for fan-out still reads the stream and says how it
// really read it.
type Auto struct {
	fan  *FanOut
	poll *Polling
	// polling is set once Run fell back to polling.
	polling atomic.Bool
}

// NewFanOutOrPolling returns a collector that reads cfg.Stream through
// enhanced fan-out with push and, if the target cannot serve fan-out, by
// polling through poll with the same Config (same Tracker and App, so
// nothing is counted twice). cfg must suit both collectors: a Name is
// needed, and PollInterval and Limit apply to the fallback.
func NewFanOutOrPolling(cfg Config, push FanOutReader, poll Reader) (*Auto, error) {
	f, err := NewFanOut(cfg, push)
	if poll == nil {
		err = errors.Join(err, errors.New("collectors: nil Reader"))
	}
	if err != nil {
		return nil, err
	}
	p, err := NewPolling(cfg, poll)
	if err != nil {
		return nil, err
	}
	return &Auto{fan: f, poll: p}, nil
}

// Run reads the stream through fan-out until ctx is cancelled and returns
// nil then. When fan-out fails with ErrFanOutUnsupported (having read
// nothing, and having deregistered the consumer it registered), Run logs one
// line saying so, records the fallback with App.SetFallback and reads the
// stream by polling instead, until ctx is cancelled. Other errors end Run as
// they end FanOut.Run and Polling.Run. It blocks. Call it once.
func (a *Auto) Run(ctx context.Context) error {
	err := a.fan.Run(ctx)
	var u *unsupportedError
	if !errors.As(err, &u) || ctx.Err() != nil {
		return err
	}
	cfg := &a.fan.cfg
	cfg.Log("consumer %s: target cannot serve enhanced fan-out (%s); falling back to polling", cfg.Name, u.reason())
	cfg.App.SetFallback("polling: " + u.reason())
	a.polling.Store(true)
	return a.poll.Run(ctx)
}

// Kind returns how the collector reads: KindFanOut, or KindPolling once Run
// fell back. It is safe to call while Run runs.
func (a *Auto) Kind() string {
	if a.polling.Load() {
		return KindPolling
	}
	return KindFanOut
}

// Stats returns a snapshot of the live counters: the sums of both ways of
// reading (Calls counts SubscribeToShard and GetRecords calls), and the
// shards and lag of the one reading now. It is safe to call while Run runs.
func (a *Auto) Stats() Stats {
	fs, ps := a.fan.Stats(), a.poll.Stats()
	st := Stats{
		Seen:       fs.Seen + ps.Seen,
		Duplicates: fs.Duplicates + ps.Duplicates,
		Foreign:    fs.Foreign + ps.Foreign,
		Calls:      fs.Calls + ps.Calls,
		Throttled:  fs.Throttled + ps.Throttled,
	}
	now := fs
	if a.polling.Load() {
		now = ps
	}
	st.Shards, st.MillisBehind = now.Shards, now.MillisBehind
	return st
}

// Restart restarts the way of reading in use now; see Polling.Restart.
func (a *Auto) Restart(pause time.Duration) {
	if a.polling.Load() {
		a.poll.Restart(pause)
		return
	}
	a.fan.Restart(pause)
}
