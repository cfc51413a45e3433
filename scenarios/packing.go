package scenarios

import (
	"fmt"
	"time"

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

// Aggregation limits.
const (
	defaultAggRecords = 1000
	defaultAggBytes   = 51200
	defaultAggLinger  = 100 * time.Millisecond
	maxAggRecords     = 100000
	minAggBytes       = 64
	maxAggBytes       = 1<<20 - 256 // a Kinesis record less the longest partition key
)

// checkPacking fills the defaults of a producer's aggregation and
// compression blocks, when present, and checks them.
func (d *decoder) checkPacking(p *Producer, at func(string) string) {
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
		d.checkInt(at("aggregation.max_records"), a.MaxRecords, 1, maxAggRecords)
		d.checkInt(at("aggregation.max_bytes"), a.MaxBytes, minAggBytes, maxAggBytes)
		if a.Linger < 0 || a.Linger > maxLinger {
			d.report(at("aggregation.linger"), fmt.Sprintf("must be between 0s and %s, got %s", maxLinger, a.Linger))
		}
	}
	if c := p.Compression; c != nil {
		codec, ok := pack.Codecs.Lookup(c.Codec)
		want := pack.Codecs.Want() + " (or " + CodecNone + ")"
		switch {
		case !d.has(at("compression.codec")):
			d.report(at("compression.codec"), "is required: "+want)
		case c.Codec == CodecNone:
			if d.has(at("compression.level")) && c.Level != 0 {
				d.report(at("compression.level"), "codec none takes no level")
			}
		case !ok:
			d.report(at("compression.codec"), fmt.Sprintf("unknown codec %q; want %s", c.Codec, want))
		case !d.has(at("compression.level")):
			c.Level = codec.DefaultLevel
		default:
			if msg := codec.CheckLevel(c.Level); msg != "" {
				d.report(at("compression.level"), msg)
			}
		}
	}
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
