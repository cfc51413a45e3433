// Package envelope is the small binary header kbench puts at the front of
// every record it writes, so that a collector can compute end-to-end latency
// and detect loss, duplicates and reordering without a side channel.
//
// Layout (Size bytes, big-endian):
//
//	offset size field
//	 0      2   magic "KB"
//	 2      1   version (1)
//	 3      1   flags (reserved, 0)
//	 4      8   run id
//	12      4   producer id
//	16      8   sequence number within the producer, from 0
//	24      8   intended send time, Unix nanoseconds
//	32      8   actual send time, Unix nanoseconds (restamped on every attempt)
//
// The payload follows the envelope; its bytes count toward the record size.
package envelope

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Size is the length of an encoded envelope in bytes.
const Size = 40

// Version is the envelope format version this package writes.
const Version = 1

const (
	magic0 = 'K'
	magic1 = 'B'

	offRun      = 4
	offProducer = 12
	offSeq      = 16
	offIntended = 24
	offSent     = 32
)

// Errors returned by Decode. A record that is not kbench's (another writer on
// the same stream) fails with ErrShort or ErrMagic.
var (
	ErrShort   = errors.New("envelope: record shorter than the envelope")
	ErrMagic   = errors.New("envelope: bad magic: not a kbench record")
	ErrVersion = errors.New("envelope: unsupported version")
)

// Envelope is the decoded header of one record.
type Envelope struct {
	RunID      uint64
	ProducerID uint32
	Seq        uint64
	// Intended is when the pacer scheduled the record (Unix ns).
	Intended int64
	// Sent is when the record last left the producer in a PutRecords call (Unix ns).
	Sent int64
}

// Append appends the encoded envelope to dst and returns the extended slice.
func (e *Envelope) Append(dst []byte) []byte {
	var b [Size]byte
	e.put(b[:])
	return append(dst, b[:]...)
}

// Put writes the encoded envelope into the first Size bytes of b, which must
// be at least Size long.
func (e *Envelope) Put(b []byte) {
	_ = b[Size-1]
	e.put(b)
}

func (e *Envelope) put(b []byte) {
	b[0], b[1], b[2], b[3] = magic0, magic1, Version, 0
	binary.BigEndian.PutUint64(b[offRun:], e.RunID)
	binary.BigEndian.PutUint32(b[offProducer:], e.ProducerID)
	binary.BigEndian.PutUint64(b[offSeq:], e.Seq)
	binary.BigEndian.PutUint64(b[offIntended:], uint64(e.Intended))
	binary.BigEndian.PutUint64(b[offSent:], uint64(e.Sent))
}

// StampSent overwrites the actual send time of an encoded record in place.
// The record must start with an envelope.
func StampSent(record []byte, sent int64) {
	binary.BigEndian.PutUint64(record[offSent:offSent+8], uint64(sent))
}

// Decode reads the envelope at the start of record.
func Decode(record []byte) (Envelope, error) {
	if len(record) < Size {
		return Envelope{}, ErrShort
	}
	if record[0] != magic0 || record[1] != magic1 {
		return Envelope{}, ErrMagic
	}
	if record[2] != Version {
		return Envelope{}, fmt.Errorf("%w %d", ErrVersion, record[2])
	}
	return Envelope{
		RunID:      binary.BigEndian.Uint64(record[offRun:]),
		ProducerID: binary.BigEndian.Uint32(record[offProducer:]),
		Seq:        binary.BigEndian.Uint64(record[offSeq:]),
		Intended:   int64(binary.BigEndian.Uint64(record[offIntended:])),
		Sent:       int64(binary.BigEndian.Uint64(record[offSent:])),
	}, nil
}
