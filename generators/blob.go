package generators

import (
	"encoding/binary"
	"fmt"
)

// MaxBlobBytes is the largest payload the blob generator makes: a Kinesis
// record holds at most 1 MiB of data and partition key together.
const MaxBlobBytes = 1 << 20

var blobKind = GeneratorKind{
	Name:    "blob",
	Doc:     "Opaque records of a fixed payload size (options.bytes), for workloads known only by rate and record size; the entity is one of options.entities ids.",
	Options: func() Options { o := DefaultBlobOptions(); return &o },
}

// BlobOptions configures the blob generator: pseudo-random payloads of one
// size, each belonging to an entity drawn uniformly from a fixed set.
type BlobOptions struct {
	// Bytes is each record's payload size, without kbench's envelope.
	Bytes int `yaml:"bytes" json:"bytes"`
	// Entities is how many distinct entity ids ("e-0000000", …) records
	// are drawn from; the entity key strategy writes each under its own
	// partition key.
	Entities int `yaml:"entities" json:"entities"`
}

// DefaultBlobOptions returns the blob generator's defaults.
func DefaultBlobOptions() BlobOptions { return BlobOptions{Bytes: 1000, Entities: 100000} }

// Generator implements Options.
func (o *BlobOptions) Generator() string { return "blob" }

// Validate implements Options.
func (o *BlobOptions) Validate() []*FieldError {
	var errs []*FieldError
	if o.Bytes < 0 || o.Bytes > MaxBlobBytes {
		errs = append(errs, &FieldError{Field: "bytes", Problem: fmt.Sprintf("must be between 0 and %d, got %d", MaxBlobBytes, o.Bytes)})
	}
	if o.Entities < 1 || o.Entities > 10_000_000 {
		errs = append(errs, &FieldError{Field: "entities", Problem: fmt.Sprintf("must be between 1 and 10000000, got %d", o.Entities)})
	}
	return errs
}

// Build implements Options.
func (o *BlobOptions) Build(seed int64) Generator {
	return &blob{o: *o, rng: newRNG(seed, saltBlob)}
}

type blob struct {
	o   BlobOptions
	rng rng
	ent []byte
}

// Next implements Generator: o.Bytes pseudo-random bytes and a uniformly
// drawn entity.
func (b *blob) Next(dst []byte, _ int64) ([]byte, string) {
	b.ent = appendPadded(append(b.ent[:0], "e-"...), b.rng.IntN(b.o.Entities), 7)
	var w [8]byte
	for n := b.o.Bytes; n > 0; n -= 8 {
		binary.LittleEndian.PutUint64(w[:], b.rng.Uint64())
		dst = append(dst, w[:min(n, 8)]...)
	}
	return dst, string(b.ent)
}
