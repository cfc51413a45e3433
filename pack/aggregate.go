// Package pack turns user records into Kinesis records and back: KPL
// aggregation (many user records in one Kinesis record, in the format the
// Kinesis Producer Library writes and the Kinesis Client Library reads) and
// compression codecs applied to a Kinesis record's data as a whole. The
// runner's producers pack; the collectors unpack with an Unpacker, which
// recognises every form by its first bytes, so consumers need no
// configuration.
package pack

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// Magic is the four bytes an aggregated Kinesis record starts with.
var Magic = []byte{0xF3, 0x89, 0x9A, 0xC2}

// digestLen is the length of the MD5 trailer of an aggregated record.
const digestLen = md5.Size

// Protobuf field numbers of the KPL's AggregatedRecord and Record messages.
const (
	fieldKeyTable     protowire.Number = 1 // AggregatedRecord.partition_key_table
	fieldHashKeyTable protowire.Number = 2 // AggregatedRecord.explicit_hash_key_table
	fieldRecords      protowire.Number = 3 // AggregatedRecord.records
	fieldKeyIndex     protowire.Number = 1 // Record.partition_key_index
	fieldHashKeyIndex protowire.Number = 2 // Record.explicit_hash_key_index
	fieldData         protowire.Number = 3 // Record.data
)

// Overhead is what an aggregate adds around its protobuf message: the magic
// and the MD5 trailer.
const Overhead = 4 + digestLen

// Aggregate builds one aggregated Kinesis record from user records. The
// zero value is an empty aggregate; it is not safe for concurrent use.
// Add copies what it is given, so the caller may reuse its buffers.
type Aggregate struct {
	keys, hashKeys []string
	keyIndex       map[string]uint64
	hashIndex      map[string]uint64
	records        []byte // the encoded records field entries, back to back
	n              int
	size           int // protobuf bytes: both tables and records
}

// Len returns the number of user records added since the last Reset.
func (a *Aggregate) Len() int { return a.n }

// Size returns the aggregate's encoded size: magic, protobuf and MD5.
func (a *Aggregate) Size() int { return Overhead + a.size }

// SizeWith returns what Size would be after adding a record with these keys
// and dataLen bytes of data.
func (a *Aggregate) SizeWith(pk, ehk string, dataLen int) int {
	s := a.size
	ki, known := a.keyIndex[pk]
	if !known {
		ki = uint64(len(a.keys))
		s += tableEntrySize(pk)
	}
	rec := protowire.SizeTag(fieldKeyIndex) + protowire.SizeVarint(ki) +
		protowire.SizeTag(fieldData) + protowire.SizeBytes(dataLen)
	if ehk != "" {
		hi, known := a.hashIndex[ehk]
		if !known {
			hi = uint64(len(a.hashKeys))
			s += tableEntrySize(ehk)
		}
		rec += protowire.SizeTag(fieldHashKeyIndex) + protowire.SizeVarint(hi)
	}
	return Overhead + s + protowire.SizeTag(fieldRecords) + protowire.SizeBytes(rec)
}

func tableEntrySize(s string) int {
	return protowire.SizeTag(fieldKeyTable) + protowire.SizeBytes(len(s))
}

// Add appends a user record with partition key pk, explicit hash key ehk
// ("" for none) and data.
func (a *Aggregate) Add(pk, ehk string, data []byte) {
	if a.keyIndex == nil {
		a.keyIndex, a.hashIndex = map[string]uint64{}, map[string]uint64{}
	}
	ki, known := a.keyIndex[pk]
	if !known {
		ki = uint64(len(a.keys))
		a.keyIndex[pk] = ki
		a.keys = append(a.keys, pk)
		a.size += tableEntrySize(pk)
	}
	rec := protowire.SizeTag(fieldKeyIndex) + protowire.SizeVarint(ki) +
		protowire.SizeTag(fieldData) + protowire.SizeBytes(len(data))
	var hi uint64
	if ehk != "" {
		var known bool
		if hi, known = a.hashIndex[ehk]; !known {
			hi = uint64(len(a.hashKeys))
			a.hashIndex[ehk] = hi
			a.hashKeys = append(a.hashKeys, ehk)
			a.size += tableEntrySize(ehk)
		}
		rec += protowire.SizeTag(fieldHashKeyIndex) + protowire.SizeVarint(hi)
	}
	start := len(a.records)
	b := protowire.AppendTag(a.records, fieldRecords, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(rec))
	b = protowire.AppendTag(b, fieldKeyIndex, protowire.VarintType)
	b = protowire.AppendVarint(b, ki)
	if ehk != "" {
		b = protowire.AppendTag(b, fieldHashKeyIndex, protowire.VarintType)
		b = protowire.AppendVarint(b, hi)
	}
	b = protowire.AppendTag(b, fieldData, protowire.BytesType)
	b = protowire.AppendBytes(b, data)
	a.records = b
	a.size += len(b) - start
	a.n++
}

// PartitionKey returns the partition key of the first record: the
// aggregated record's own key, as the KPL chooses it. Every record of an
// aggregate should route to the same shard, so the aggregate lands where
// each of its records would have.
func (a *Aggregate) PartitionKey() string {
	if len(a.keys) == 0 {
		return ""
	}
	return a.keys[0]
}

// AppendTo appends the aggregated record (magic, protobuf, MD5 of the
// protobuf) to dst and returns the extended slice.
func (a *Aggregate) AppendTo(dst []byte) []byte {
	dst = append(dst, Magic...)
	start := len(dst)
	for _, k := range a.keys {
		dst = protowire.AppendTag(dst, fieldKeyTable, protowire.BytesType)
		dst = protowire.AppendString(dst, k)
	}
	for _, k := range a.hashKeys {
		dst = protowire.AppendTag(dst, fieldHashKeyTable, protowire.BytesType)
		dst = protowire.AppendString(dst, k)
	}
	dst = append(dst, a.records...)
	sum := md5.Sum(dst[start:])
	return append(dst, sum[:]...)
}

// Reset empties the aggregate, keeping its memory.
func (a *Aggregate) Reset() {
	clear(a.keys)
	a.keys = a.keys[:0]
	clear(a.hashKeys)
	a.hashKeys = a.hashKeys[:0]
	clear(a.keyIndex)
	clear(a.hashIndex)
	a.records = a.records[:0]
	a.n, a.size = 0, 0
}

// IsAggregated reports whether data has the form of an aggregated record:
// the magic and room for the MD5 trailer.
func IsAggregated(data []byte) bool {
	return len(data) >= Overhead && bytes.HasPrefix(data, Magic)
}

// Record is one user record of an aggregate. Its slices point into the
// aggregated record's data.
type Record struct {
	PartitionKey    []byte
	ExplicitHashKey []byte // nil when the record has none
	Data            []byte
}

// ErrDigest is returned for an aggregated record whose MD5 trailer does not
// match its contents.
var ErrDigest = errors.New("pack: aggregated record: MD5 mismatch")

// deaggregator decodes aggregated records into reused scratch space.
type deaggregator struct {
	keys, hashKeys [][]byte
	pending        []rawRecord
	recs           []Record
}

// decode checks data's MD5 and parses it whole. It returns the user
// records, valid until the next call, or an error and no records: a
// corrupt aggregate yields nothing rather than part of itself.
func (d *deaggregator) decode(data []byte) ([]Record, error) {
	if !IsAggregated(data) {
		return nil, errors.New("pack: not an aggregated record")
	}
	body := data[len(Magic) : len(data)-digestLen]
	if sum := md5.Sum(body); !bytes.Equal(sum[:], data[len(data)-digestLen:]) {
		return nil, ErrDigest
	}
	d.keys, d.hashKeys, d.recs = d.keys[:0], d.hashKeys[:0], d.recs[:0]
	// Records may precede the tables in the message; resolve indexes after.
	pending := d.pending[:0]
	defer func() { d.pending = pending[:0] }()
	for len(body) > 0 {
		num, typ, n := protowire.ConsumeTag(body)
		if n < 0 {
			return nil, fmt.Errorf("pack: aggregated record: %w", protowire.ParseError(n))
		}
		body = body[n:]
		if typ != protowire.BytesType || num < fieldKeyTable || num > fieldRecords {
			if n = protowire.ConsumeFieldValue(num, typ, body); n < 0 {
				return nil, fmt.Errorf("pack: aggregated record: field %d: %w", num, protowire.ParseError(n))
			}
			body = body[n:]
			continue
		}
		v, n := protowire.ConsumeBytes(body)
		if n < 0 {
			return nil, fmt.Errorf("pack: aggregated record: field %d: %w", num, protowire.ParseError(n))
		}
		body = body[n:]
		switch num {
		case fieldKeyTable:
			d.keys = append(d.keys, v)
		case fieldHashKeyTable:
			d.hashKeys = append(d.hashKeys, v)
		case fieldRecords:
			r, err := parseRecord(v)
			if err != nil {
				return nil, fmt.Errorf("pack: aggregated record: record %d: %w", len(pending), err)
			}
			pending = append(pending, r)
		}
	}
	for i, r := range pending {
		if r.ki >= uint64(len(d.keys)) {
			return nil, fmt.Errorf("pack: aggregated record: record %d: partition key index %d of %d keys", i, r.ki, len(d.keys))
		}
		rec := Record{PartitionKey: d.keys[r.ki], Data: r.data}
		if r.hasHash {
			if r.hi >= uint64(len(d.hashKeys)) {
				return nil, fmt.Errorf("pack: aggregated record: record %d: explicit hash key index %d of %d keys", i, r.hi, len(d.hashKeys))
			}
			rec.ExplicitHashKey = d.hashKeys[r.hi]
		}
		d.recs = append(d.recs, rec)
	}
	return d.recs, nil
}

// rawRecord is a Record message before its key indexes are resolved.
type rawRecord struct {
	ki, hi  uint64
	hasHash bool
	data    []byte
}

// parseRecord parses one Record message. partition_key_index and data are
// required; tags (field 4) and unknown fields are skipped.
func parseRecord(b []byte) (rawRecord, error) {
	var r rawRecord
	var hasKey, hasData bool
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return r, protowire.ParseError(n)
		}
		b = b[n:]
		switch {
		case num == fieldKeyIndex && typ == protowire.VarintType:
			r.ki, n = protowire.ConsumeVarint(b)
			hasKey = true
		case num == fieldHashKeyIndex && typ == protowire.VarintType:
			r.hi, n = protowire.ConsumeVarint(b)
			r.hasHash = true
		case num == fieldData && typ == protowire.BytesType:
			r.data, n = protowire.ConsumeBytes(b)
			hasData = true
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return r, fmt.Errorf("field %d: %w", num, protowire.ParseError(n))
		}
		b = b[n:]
	}
	switch {
	case !hasKey:
		return r, errors.New("no partition key index")
	case !hasData:
		return r, errors.New("no data")
	}
	return r, nil
}
