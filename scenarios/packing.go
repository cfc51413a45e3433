package scenarios

import (
	"fmt"
	"time"

	"github.com/kbench/kbench/internal/kind"
	"github.com/kbench/kbench/pack"
)

// Aggregation packs a producer's user records into KPL aggregated Kinesis
// records, one aggregate per shard at a time, as the Kinesis Producer
// Library does; consumers de-aggregate them. Left out, every user record is
// a Kinesis record of its own.
type Aggregation struct {
	// MaxRecords is the most user records per aggregate, 1..100000.
	// Default 1000.
	MaxRecords int `yaml:"max_records" json:"max_records"`
	// MaxBytes is the most bytes per aggregate (magic, protobuf and MD5
	// trailer), 64..1048320. Default 51200, the KPL's.
	MaxBytes int `yaml:"max_bytes" json:"max_bytes"`
	// Linger is how long an aggregate waits for more records after its
	// first, 0..10s; it adds to batch.linger. Default 100ms, the KPL's
	// RecordMaxBufferedTime.
	Linger time.Duration `yaml:"linger" json:"linger"`
}

// Compression compresses each Kinesis record's data as a whole (after
// aggregation, envelope included) with one of the codecs of pack.Codecs;
// consumers recognise the codec by the frame's first bytes.
type Compression struct {
	// Codec is gzip, zstd, snappy or lz4, or none (no compression, so a
	// matrix can compare with and without). Required.
	Codec string `yaml:"codec" json:"codec"`
	// Level is the codec's compression level; its range and default are
	// the codec's (see docs/kinds.md).
	Level int `yaml:"level" json:"level"`
}

// CodecNone is the compression codec that leaves records as they are.
const CodecNone = "none"

// codecNames lists the codecs a scenario may name, for messages and the
// schema.
func codecNames() []string { return append(pack.Codecs.Names(), CodecNone) }

// Aggregation defaults and limits; the runner checks its settings against
// the limits too (through SendProblems).
const (
	defaultAggRecords = 1000
	defaultAggBytes   = 51200
	defaultAggLinger  = 100 * time.Millisecond
	// MaxAggRecords is the most user records one aggregate may carry.
	MaxAggRecords = 100000
	// MinAggBytes and MaxAggBytes bound an aggregate's size: at most a
	// Kinesis record (1 MiB) less the longest partition key.
	MinAggBytes = 64
	MaxAggBytes = 1<<20 - 256
)

// fillPacking fills the defaults of a producer's aggregation and
// compression blocks, when present, and reports a compression block
// without a codec; SendProblems checks the values.
func (d *decoder) fillPacking(p *Producer, at func(string) string) {
	if a := p.Aggregation; a != nil {
		if !d.has(at("aggregation.max_records")) {
			a.MaxRecords = defaultAggRecords
		}
		if !d.has(at("aggregation.max_bytes")) {
			a.MaxBytes = defaultAggBytes
		}
		if !d.has(at("aggregation.linger")) {
			a.Linger = defaultAggLinger
		}
	}
	if c := p.Compression; c != nil {
		switch codec, ok := pack.Codecs.Lookup(c.Codec); {
		case !d.has(at("compression.codec")):
			d.report(at("compression.codec"), "is required: "+codecWant())
		case ok && !d.has(at("compression.level")):
			c.Level = codec.DefaultLevel
		}
	}
}

// codecWant lists the codecs for a message.
func codecWant() string { return pack.Codecs.Want() + " (or " + CodecNone + ")" }

// Problems returns every problem with a, each at its yaml field name.
func (a Aggregation) Problems() []*kind.FieldError {
	out := appendRange(nil, "max_records", a.MaxRecords, 1, MaxAggRecords)
	out = appendRange(out, "max_bytes", a.MaxBytes, MinAggBytes, MaxAggBytes)
	if a.Linger < 0 || a.Linger > MaxLinger {
		out = append(out, &kind.FieldError{Field: "linger",
			Problem: fmt.Sprintf("must be between 0s and %s, got %s", MaxLinger, a.Linger)})
	}
	return out
}

// Problems returns every problem with c, each at its yaml field name. An
// empty codec is left to the decoder, which knows whether it was set.
func (c Compression) Problems() []*kind.FieldError {
	codec, ok := pack.Codecs.Lookup(c.Codec)
	switch {
	case c.Codec == "":
		return nil
	case c.Codec == CodecNone:
		if c.Level != 0 {
			return []*kind.FieldError{{Field: "level", Problem: "codec none takes no level"}}
		}
	case !ok:
		return []*kind.FieldError{{Field: "codec", Problem: fmt.Sprintf("unknown codec %q; want %s", c.Codec, codecWant())}}
	default:
		if msg := codec.CheckLevel(c.Level); msg != "" {
			return []*kind.FieldError{{Field: "level", Problem: msg}}
		}
	}
	return nil
}

// packingProblems returns the problems of p's aggregation and compression
// blocks, each at its field name within the producer.
func (p *Producer) packingProblems() []*kind.FieldError {
	var out []*kind.FieldError
	if a := p.Aggregation; a != nil {
		for _, fe := range a.Problems() {
			out = append(out, &kind.FieldError{Field: "aggregation." + fe.Field, Problem: fe.Problem})
		}
	}
	if c := p.Compression; c != nil {
		for _, fe := range c.Problems() {
			out = append(out, &kind.FieldError{Field: "compression." + fe.Field, Problem: fe.Problem})
		}
	}
	if p.Ordering == "per_key_chain" && p.Aggregation != nil && p.Aggregation.MaxRecords > 1 {
		out = append(out, &kind.FieldError{Field: "ordering",
			Problem: "per_key_chain cannot be combined with aggregation (an aggregate carries many keys); use per_key"})
	}
	return out
}

// packingTree tidies a producer's aggregation and compression in its
// resolved tree: absent blocks are left out, and codec none shows no level
// (a matrix over the codec then fills each codec's own default).
func packingTree(pm map[string]any, p Producer) {
	if p.Aggregation == nil {
		delete(pm, "aggregation")
	}
	switch {
	case p.Compression == nil:
		delete(pm, "compression")
	case p.Compression.Codec == CodecNone:
		delete(pm["compression"].(map[string]any), "level")
	}
}
