package metrics

import (
	"encoding/binary"
	"errors"
	"math/bits"
	"sync"
	"sync/atomic"
)

const (
	chunkBits  = 1 << 16 // sequence numbers per chunk
	chunkWords = chunkBits / 64
)

type chunk [chunkWords]atomic.Uint64

// SeqSet is a set of one producer's sequence numbers, one bit each, safe for
// concurrent use. Producers mark what was acknowledged; collectors mark what
// they consumed, and the difference is what was lost.
type SeqSet struct {
	mu     sync.Mutex
	chunks atomic.Pointer[[]*chunk]
}

func (s *SeqSet) chunkFor(i int, grow bool) *chunk {
	if p := s.chunks.Load(); p != nil && i < len(*p) && (*p)[i] != nil {
		return (*p)[i]
	}
	if !grow {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var cur []*chunk
	if p := s.chunks.Load(); p != nil {
		cur = *p
	}
	if i < len(cur) && cur[i] != nil {
		return cur[i]
	}
	next := make([]*chunk, max(len(cur), i+1))
	copy(next, cur)
	next[i] = new(chunk)
	s.chunks.Store(&next)
	return next[i]
}

// Add marks seq and reports whether it was not marked before.
func (s *SeqSet) Add(seq uint64) bool {
	c := s.chunkFor(int(seq/chunkBits), true)
	w := &c[(seq%chunkBits)/64]
	bit := uint64(1) << (seq % 64)
	return w.Or(bit)&bit == 0
}

// Has reports whether seq is marked.
func (s *SeqSet) Has(seq uint64) bool {
	c := s.chunkFor(int(seq/chunkBits), false)
	if c == nil {
		return false
	}
	return c[(seq%chunkBits)/64].Load()&(uint64(1)<<(seq%64)) != 0
}

// Len returns how many sequence numbers are marked.
func (s *SeqSet) Len() int64 {
	var n int64
	s.each(func(c *chunk) {
		for i := range c {
			n += int64(bits.OnesCount64(c[i].Load()))
		}
	})
	return n
}

// Missing returns how many sequence numbers are marked in s but not in
// other: for acked.Missing(consumed), the records that were lost.
func (s *SeqSet) Missing(other *SeqSet) int64 {
	var n int64
	p := s.chunks.Load()
	if p == nil {
		return 0
	}
	for ci, c := range *p {
		if c == nil {
			continue
		}
		o := other.chunkFor(ci, false)
		for i := range c {
			w := c[i].Load()
			if o != nil {
				w &^= o[i].Load()
			}
			n += int64(bits.OnesCount64(w))
		}
	}
	return n
}

func (s *SeqSet) each(f func(*chunk)) {
	if p := s.chunks.Load(); p != nil {
		for _, c := range *p {
			if c != nil {
				f(c)
			}
		}
	}
}

// AppendBinary appends s in a compact form UnmarshalBinary reads: the number
// of chunks that hold any sequence number, then each one's index and its
// 1,024 words of bits (little-endian). A producer's acknowledged set is a
// run of full chunks; compress the whole for storage.
func (s *SeqSet) AppendBinary(b []byte) []byte {
	var n uint64
	s.each(func(*chunk) { n++ })
	b = binary.AppendUvarint(b, n)
	p := s.chunks.Load()
	if p == nil {
		return b
	}
	for ci, c := range *p {
		if c == nil {
			continue
		}
		b = binary.AppendUvarint(b, uint64(ci))
		for i := range c {
			b = binary.LittleEndian.AppendUint64(b, c[i].Load())
		}
	}
	return b
}

// maxChunks bounds the chunk index UnmarshalBinary accepts: as the
// collectors' largest sequence number (2^36) does.
const maxChunks = 1 << 20

// UnmarshalBinary adds to s the sequence numbers of a set AppendBinary
// wrote at the start of b, and returns the rest of b.
func (s *SeqSet) UnmarshalBinary(b []byte) ([]byte, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > maxChunks {
		return nil, errors.New("metrics: sequence set: bad chunk count")
	}
	b = b[k:]
	for range n {
		ci, k := binary.Uvarint(b)
		if k <= 0 || ci >= maxChunks || len(b)-k < chunkWords*8 {
			return nil, errors.New("metrics: sequence set: truncated or bad chunk")
		}
		b = b[k:]
		c := s.chunkFor(int(ci), true)
		for i := range c {
			c[i].Or(binary.LittleEndian.Uint64(b[i*8:]))
		}
		b = b[chunkWords*8:]
	}
	return b, nil
}

// Or adds every sequence number of other to s.
func (s *SeqSet) Or(other *SeqSet) {
	p := other.chunks.Load()
	if p == nil {
		return
	}
	for ci, oc := range *p {
		if oc == nil {
			continue
		}
		c := s.chunkFor(ci, true)
		for i := range oc {
			c[i].Or(oc[i].Load())
		}
	}
}

// Common returns how many sequence numbers are marked in both s and other.
func (s *SeqSet) Common(other *SeqSet) int64 {
	return s.Len() - s.Missing(other)
}

// FirstMissing returns the lowest sequence number at or above from that is
// not marked.
func (s *SeqSet) FirstMissing(from uint64) uint64 {
	for seq := from; ; {
		c := s.chunkFor(int(seq/chunkBits), false)
		if c == nil {
			return seq
		}
		w := c[(seq%chunkBits)/64].Load() >> (seq % 64) // bits from seq on
		if w != ^uint64(0)>>(seq%64) {
			return seq + uint64(bits.TrailingZeros64(^w))
		}
		seq += 64 - seq%64
	}
}
