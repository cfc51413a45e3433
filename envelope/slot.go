package envelope

import (
	"encoding/base64"
	"encoding/binary"
)

// B64Size is the length of an envelope in standard base64 (with padding),
// as text formats carry it.
const B64Size = (Size + 2) / 3 * 4

// Slot is where a record carries its envelope: Offset bytes from the start,
// as Size raw bytes or, with Base64, as B64Size characters of standard
// base64. The zero Slot is the prefix: raw, at the start of the record.
// A record format puts its envelope in a field (a JSON string, an Avro or
// protobuf bytes field, a CSV column) at a fixed place, so the producer
// can write it and restamp its send time in place.
type Slot struct {
	// Offset is where the envelope starts in the record.
	Offset int
	// Base64 says the envelope is base64 text instead of raw bytes.
	Base64 bool
}

// Len returns how many bytes the envelope takes in the record.
func (s Slot) Len() int {
	if s.Base64 {
		return B64Size
	}
	return Size
}

// Put writes e into its place in record, which must hold the slot.
func (s Slot) Put(record []byte, e *Envelope) {
	if !s.Base64 {
		e.Put(record[s.Offset:])
		return
	}
	var raw [Size]byte
	e.put(raw[:])
	base64.StdEncoding.Encode(record[s.Offset:s.Offset+B64Size], raw[:])
}

// StampSent overwrites the actual send time of the envelope in record in
// place; the record must hold a valid envelope in the slot.
func (s Slot) StampSent(record []byte, sent int64) {
	if !s.Base64 {
		StampSent(record[s.Offset:], sent)
		return
	}
	// The send time is the last 8 of the 40 bytes: 40 = 13×3 + 1, so it is
	// spread over the last four base64 groups (bytes 30 to 39).
	var raw [12]byte
	enc := record[s.Offset+40 : s.Offset+B64Size] // groups 10..13: bytes 30..39
	if _, err := base64.StdEncoding.Decode(raw[:], enc); err != nil {
		return
	}
	binary.BigEndian.PutUint64(raw[offSent-30:], uint64(sent))
	base64.StdEncoding.Encode(enc, raw[:Size-30])
}

// Decode reads the envelope from its place in record.
func (s Slot) Decode(record []byte) (Envelope, error) {
	if len(record) < s.Offset+s.Len() {
		return Envelope{}, ErrShort
	}
	if !s.Base64 {
		return Decode(record[s.Offset:])
	}
	var raw [Size + 2]byte // Decode may write up to a whole last group
	n, err := base64.StdEncoding.Decode(raw[:], record[s.Offset:s.Offset+B64Size])
	if err != nil || n != Size {
		return Envelope{}, ErrMagic
	}
	return Decode(raw[:Size])
}
