package collectors

import (
	"context"
	"io"
	"time"

	"github.com/kbench/kbench/internal/kind"
)

// Destination is a running collector of one destination of the application
// under test: where the application writes what it produces.
type Destination interface {
	// Run reads outputs until ctx is cancelled (the stdout kind: until
	// its input ends), handing each output to emit with its arrival time
	// (process clock, Unix ns). It blocks; emit may be called from
	// several goroutines.
	Run(ctx context.Context, emit func(data []byte, arrival int64)) error
	// Address is where the application writes: the stream name, the URL
	// or "stdout". It is known once New returned.
	Address() string
}

// DestinationConfig is what a destination kind's constructor gets.
type DestinationConfig struct {
	// Name is the destination's name.
	Name string
	// Stream is the output stream (kinesis only).
	Stream string
	// Reader reads the output stream (kinesis only).
	Reader Reader
	// Owns, when not nil, says which of the output stream's shards to read
	// (kinesis only): a worker of a distributed run reads its share, as
	// its consumers do (Config.Owns).
	Owns func(shardID string) bool
	// PollInterval is the pause between GetRecords calls on an output
	// shard (kinesis only); zero means DefaultPollInterval.
	PollInterval time.Duration
	// Stdout is the application's standard output (stdout only).
	Stdout io.Reader
	// Log, when not nil, receives notable events.
	Log func(format string, args ...any)
}

// DestinationKind is one destination kind in the DestinationKinds table.
type DestinationKind struct {
	// Name is the value of a scenario destination's kind.
	Name string
	// Doc says in one sentence where the application writes.
	Doc string
	// Stream says the destination is a Kinesis stream kbench creates.
	Stream bool
	// Stdout says the destination reads the started application's
	// standard output.
	Stdout bool
	// New returns the destination's collector, ready for the application
	// to write to (an HTTP destination listens already).
	New func(cfg DestinationConfig) (Destination, error)
}

// KindName implements kind.Named.
func (k DestinationKind) KindName() string { return k.Name }

// DestinationKinds is every destination kind, in the order messages and
// documentation list them.
var DestinationKinds = kind.Table[DestinationKind]{
	kinesisDestination,
	httpDestination,
	stdoutDestination,
}
