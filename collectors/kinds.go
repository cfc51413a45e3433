package collectors

import (
	"context"
	"time"

	"github.com/kbench/kbench/internal/kind"
)

// Collector is one running consumer application, as NewKind's constructors
// return it.
type Collector interface {
	// Run reads the stream until ctx is cancelled; it blocks.
	Run(ctx context.Context) error
	// Stats returns a snapshot of the live counters; safe while Run runs.
	Stats() Stats
	// Kind is how the application actually reads: KindPolling or
	// KindFanOut.
	Kind() string
	// Restart stops the application's reading, as a crashed worker would
	// stop, and resumes it after pause from its checkpoints; it does not
	// block.
	Restart(pause time.Duration)
}

// Kind is one consumer kind in the Kinds table.
type Kind struct {
	// Name is the value of a scenario consumer's kind.
	Name string
	// Doc says in one sentence how the kind reads.
	Doc string
	// PollInterval is the kind's default pause between GetRecords calls
	// on a shard; 0 for a kind that does not poll, which takes no
	// poll_interval.
	PollInterval time.Duration
	// FanOut says whether each application registers an enhanced fan-out
	// consumer, of which Kinesis allows at most 20 per stream.
	FanOut bool
	// New returns the collector of cfg reading through push (fan-out) or
	// poll (GetRecords), whichever the kind uses.
	New func(cfg Config, push FanOutReader, poll Reader) (Collector, error)
}

// KindName implements kind.Named.
func (k Kind) KindName() string { return k.Name }

// Kinds is every consumer kind, in the order messages and documentation
// list them.
var Kinds = kind.Table[Kind]{
	pollingKind,
	fanOutKind,
}
