package generators

import (
	"fmt"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/internal/kind"
)

// FormatKind is one record format in the Formats table: how the payments
// and IoT generators encode a record, where the record carries kbench's
// envelope, and how a collector finds it again.
type FormatKind struct {
	// Name is the value of a generator's `format:` option.
	Name string
	// Doc says in one sentence what the records look like.
	Doc string
	// Slot is where the envelope sits in the records this format writes.
	Slot envelope.Slot
	// Inside says the generator writes the envelope's place itself, as a
	// field of the format, for the producer to fill in; when false the
	// producer puts the envelope before the record.
	Inside bool
	// Find returns where the envelope sits in a record of this format
	// written by kbench or re-encoded by another writer, or false when
	// the record is not one; nil for the prefix, which envelope.Decode
	// reads directly.
	Find func(record []byte) (envelope.Slot, bool)

	payment func(dst []byte, p *payment, ts *tsCache) []byte
	reading func(dst []byte, r *reading, ts *tsCache) []byte
}

// KindName implements kind.Named.
func (k FormatKind) KindName() string { return k.Name }

// Formats is every record format of the payments and IoT generators; the
// first is the default.
var Formats = kind.Table[FormatKind]{
	prefixedFormat,
	jsonFormat,
	avroFormat,
	protobufFormat,
	csvFormat,
}

// Slotted is implemented by generators whose records may carry the envelope
// in a field of their format. EnvelopeSlot returns where, and inside true;
// inside false (and any generator that does not implement Slotted) means
// the producer appends the envelope before calling Next, as a prefix.
// When inside, Next leaves slot.Len() bytes at slot.Offset for the producer
// to fill with slot.Put.
type Slotted interface {
	EnvelopeSlot() (slot envelope.Slot, inside bool)
}

// SlotOf returns where g's records carry the envelope (see Slotted).
func SlotOf(g Generator) (envelope.Slot, bool) {
	if s, ok := g.(Slotted); ok {
		return s.EnvelopeSlot()
	}
	return envelope.Slot{}, false
}

// Envelope finds and decodes kbench's envelope in a record of any format
// of Formats: the prefix first, which costs what envelope.Decode costs,
// then each format's Find. A record that is none of them fails as
// envelope.Decode fails (envelope.ErrShort or envelope.ErrMagic).
func Envelope(record []byte) (envelope.Envelope, error) {
	env, err := envelope.Decode(record)
	if err == nil {
		return env, nil
	}
	if env, ferr := FindEnvelope(record); ferr == nil {
		return env, nil
	}
	return envelope.Envelope{}, err
}

// FindEnvelope is Envelope past the prefix: it decodes the envelope where
// a format's Find places it, or fails with envelope.ErrMagic. Collectors
// call envelope.Decode first, so a prefixed record costs what it did
// before formats, and this only when that fails.
func FindEnvelope(record []byte) (envelope.Envelope, error) {
	for i := range Formats {
		if f := Formats[i].Find; f != nil {
			if s, ok := f(record); ok {
				return s.Decode(record)
			}
		}
	}
	return envelope.Envelope{}, envelope.ErrMagic
}

// formatOf returns the named format, or the default for "" and for a name
// that is not one (Validate reports those).
func formatOf(name string) FormatKind {
	if k, ok := Formats.Lookup(name); ok {
		return k
	}
	return Formats[0]
}

// formatProblem checks a `format:` option; "" means the default.
func formatProblem(name string) *FieldError {
	if _, ok := Formats.Lookup(name); ok || name == "" {
		return nil
	}
	return &FieldError{Field: "format", Problem: fmt.Sprintf("unknown format %q; want %s", name, Formats.Want())}
}

// appendSlot appends room for the envelope (zeros, or base64 "A"s, which
// the producer overwrites).
func appendSlot(dst []byte, s envelope.Slot) []byte {
	fill := byte(0)
	if s.Base64 {
		fill = 'A'
	}
	for range s.Len() {
		dst = append(dst, fill)
	}
	return dst
}

var prefixedFormat = FormatKind{
	Name: "prefixed",
	Doc:  "kbench's 40-byte binary envelope, then compact JSON: the fastest; a reader skips the first 40 bytes.",
	payment: func(dst []byte, p *payment, ts *tsCache) []byte {
		return appendPaymentJSON(append(dst, '{'), p, ts)
	},
	reading: func(dst []byte, r *reading, ts *tsCache) []byte {
		return appendReadingJSON(append(dst, '{'), r, ts)
	},
}

// RecordFormat returns the format of the generator opts configure, or ""
// for generators without a `format` option.
func RecordFormat(opts Options) string {
	if f, ok := opts.(interface{ RecordFormat() string }); ok {
		return formatOf(f.RecordFormat()).Name
	}
	return ""
}

// RecordFormat is the payments records' format.
func (o *PaymentsOptions) RecordFormat() string { return o.Format }

// RecordFormat is the IoT records' format.
func (o *IoTOptions) RecordFormat() string { return o.Format }
