// Package generators makes kbench's synthetic data: card payments, IoT
// telemetry and ocean-acoustic audio frames, the partition keys they are
// written under, and the open-model rate profiles (pacers) that say when each
// record is due.
//
// Everything here is deterministic for a seed and free of wall-clock time, so
// it can be tested and benchmarked on its own.
package generators

import "github.com/kbench/kbench/internal/kind"

// Generator produces the payloads of one producer, one record at a time.
// A Generator is not safe for concurrent use; give each producer its own.
type Generator interface {
	// Next appends the payload of the next record to dst and returns the
	// extended slice together with the record's entity: the card token,
	// device id or hydrophone id the record belongs to. at is the record's
	// intended send time in Unix nanoseconds; generators that stamp a
	// timestamp into the payload use it, so output stays deterministic.
	Next(dst []byte, at int64) (payload []byte, entity string)
}

// IncidentSource is implemented by generators whose data holds ground-truth
// incidents an application under test should find: the payments
// generator's fraud bursts. After each Next it says whether that record
// belongs to an incident, and which.
type IncidentSource interface {
	Incident() (Incident, bool)
}

// Incident is one record's part in a ground-truth incident.
type Incident struct {
	// Key is what the incident is about: the payments' card token.
	Key string
	// Start and Last say the record is the incident's first and its last.
	Start, Last bool
}

// KeyStrategy turns a record's entity into the partition key (and, for the
// explicit strategy, the explicit hash key) it is written under.
// A KeyStrategy is not safe for concurrent use.
type KeyStrategy interface {
	// Key returns the partition key and the explicit hash key for a record
	// of the given entity. explicitHashKey is "" unless the strategy sets one.
	Key(entity string) (partitionKey, explicitHashKey string)
}

// FieldError is one problem with a generator's or a rate profile's
// options. Field is the option's YAML name (for example "fraud_rate"), so
// the scenario decoder can point at the file and line it came from.
type FieldError = kind.FieldError

// Options is the settings block of one generator, decoded from a producer's
// `options:` in a scenario file. Each generator has its own struct with yaml
// tags; NewOptions returns one filled with defaults.
type Options interface {
	// Generator returns the generator name these options belong to.
	Generator() string
	// Validate returns every problem with the options, or nil.
	Validate() []*FieldError
	// Build returns the generator the options configure, seeded with
	// seed. The options must have passed Validate; New checks that first,
	// so call New.
	Build(seed int64) Generator
}
