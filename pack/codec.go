package pack

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/kbench/kbench/internal/kind"
)

// MaxDecoded is the most bytes a compressed Kinesis record may expand to.
// A Kinesis record holds at most 1 MiB, and a producer compresses at most
// that much; the bound keeps a hostile record from exhausting memory.
const MaxDecoded = 4 << 20

// ErrTooLarge is returned when a record expands past MaxDecoded.
var ErrTooLarge = fmt.Errorf("pack: decompressed record larger than %d bytes", MaxDecoded)

// Encoder compresses whole Kinesis records. One encoder belongs to one
// goroutine.
type Encoder interface {
	// Encode appends src, compressed into one self-describing frame, to
	// dst and returns the extended slice.
	Encode(dst, src []byte) ([]byte, error)
}

// Decoder decompresses what an Encoder of the same codec wrote. One decoder
// belongs to one goroutine.
type Decoder interface {
	// Decode appends the decompressed frame src to dst and returns the
	// extended slice; it fails past MaxDecoded bytes.
	Decode(dst, src []byte) ([]byte, error)
}

// Codec is one compression codec in the Codecs table. Every codec writes
// its format's standard frame, whose first bytes (Magic) tell it apart from
// the others, from an envelope and from an aggregated record; collectors
// detect the codec by them, and the format's own tools read the data.
type Codec struct {
	// Name is the value of a producer's compression.codec.
	Name string
	// Doc says in one sentence what the codec is.
	Doc string
	// Magic is how the codec's frames start.
	Magic []byte
	// MinLevel and MaxLevel bound compression.level; DefaultLevel is used
	// when a scenario leaves it out. What a level means is the codec's.
	MinLevel, MaxLevel, DefaultLevel int
	// NewEncoder returns an encoder at level (MinLevel..MaxLevel).
	NewEncoder func(level int) (Encoder, error)
	// NewDecoder returns a decoder.
	NewDecoder func() (Decoder, error)
}

// KindName implements kind.Named.
func (c Codec) KindName() string { return c.Name }

// Codecs is every compression codec, in the order messages and
// documentation list them.
var Codecs = kind.Table[Codec]{
	gzipCodec,
	zstdCodec,
	snappyCodec,
	lz4Codec,
}

// CheckLevel returns a problem with level for codec c, or "".
func (c Codec) CheckLevel(level int) string {
	if level < c.MinLevel || level > c.MaxLevel {
		return fmt.Sprintf("must be between %d and %d for %s, got %d", c.MinLevel, c.MaxLevel, c.Name, level)
	}
	return ""
}

// sliceWriter is an io.Writer appending to a byte slice.
type sliceWriter struct{ b []byte }

func (w *sliceWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// streamWriter is a compressing writer that can be pointed at a new output,
// as the gzip, snappy and lz4 writers can.
type streamWriter interface {
	io.WriteCloser
	Reset(io.Writer)
}

// streamEncoder encodes each record as one whole stream of its writer,
// appended to the caller's slice.
type streamEncoder struct {
	w   streamWriter
	out sliceWriter
}

func (e *streamEncoder) Encode(dst, src []byte) ([]byte, error) {
	e.out.b = dst
	e.w.Reset(&e.out)
	if _, err := e.w.Write(src); err != nil {
		return dst, err
	}
	if err := e.w.Close(); err != nil {
		return dst, err
	}
	out := e.out.b
	e.out.b = nil
	return out, nil
}

// streamReader is a decompressing reader that can be pointed at a new input,
// as the snappy and lz4 readers can.
type streamReader interface {
	io.Reader
	Reset(io.Reader)
}

// streamDecoder decodes each record as one whole stream of its reader.
type streamDecoder struct {
	r   streamReader
	src bytes.Reader
}

func (d *streamDecoder) Decode(dst, src []byte) ([]byte, error) {
	d.src.Reset(src)
	d.r.Reset(&d.src)
	return readAll(dst, d.r)
}

// readAll appends what r yields to dst, failing past MaxDecoded bytes.
func readAll(dst []byte, r io.Reader) ([]byte, error) {
	start := len(dst)
	for {
		if len(dst) == cap(dst) {
			dst = append(dst, 0)[:len(dst)]
		}
		n, err := r.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if len(dst)-start > MaxDecoded {
			return dst[:start], ErrTooLarge
		}
		if errors.Is(err, io.EOF) {
			return dst, nil
		}
		if err != nil {
			return dst[:start], err
		}
	}
}

// Unpacker turns Kinesis records back into user records: it decompresses a
// record whose first bytes are a codec's magic, de-aggregates one that is
// an aggregated record, and passes anything else through as one user
// record. It belongs to one goroutine; what Unpack returns is valid until
// its next call.
type Unpacker struct {
	decoders map[string]Decoder
	buf      []byte
	agg      deaggregator
	pk       []byte
	one      [1]Record
}

// Unpacked is what Unpack found in one Kinesis record.
type Unpacked struct {
	// Records are the user records.
	Records []Record
	// Codec is the codec the record was compressed with, "" for none.
	Codec string
	// Aggregated says whether the record was an aggregate.
	Aggregated bool
}

// Unpack returns the user records of one Kinesis record with partition key
// pk. A record that fails to decompress or to de-aggregate (bad frame, MD5
// mismatch, malformed protobuf) yields an error and no records.
func (u *Unpacker) Unpack(pk string, data []byte) (Unpacked, error) {
	var out Unpacked
	if c, ok := detect(data); ok {
		d, err := u.decoder(c)
		if err != nil {
			return out, err
		}
		if u.buf, err = d.Decode(u.buf[:0], data); err != nil {
			return out, fmt.Errorf("pack: %s: %w", c.Name, err)
		}
		data, out.Codec = u.buf, c.Name
	}
	if bytes.HasPrefix(data, Magic) {
		recs, err := u.agg.decode(data)
		if err != nil {
			return out, err
		}
		out.Records, out.Aggregated = recs, true
		return out, nil
	}
	u.pk = append(u.pk[:0], pk...)
	u.one[0] = Record{PartitionKey: u.pk, Data: data}
	out.Records = u.one[:]
	return out, nil
}

func (u *Unpacker) decoder(c Codec) (Decoder, error) {
	if d := u.decoders[c.Name]; d != nil {
		return d, nil
	}
	d, err := c.NewDecoder()
	if err != nil {
		return nil, fmt.Errorf("pack: %s decoder: %w", c.Name, err)
	}
	if u.decoders == nil {
		u.decoders = map[string]Decoder{}
	}
	u.decoders[c.Name] = d
	return d, nil
}

// detect returns the codec whose magic data starts with.
func detect(data []byte) (Codec, bool) {
	for _, c := range Codecs {
		if bytes.HasPrefix(data, c.Magic) {
			return c, true
		}
	}
	return Codec{}, false
}
