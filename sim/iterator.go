package sim

import (
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"time"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Shard iterators are opaque to clients: base64 of a version byte, the
// stream's creation time (so an iterator of a deleted and re-created stream
// is refused), the issue time, the shard index, the counter of the next
// record to read, and the stream name, then a CRC-32C of all that, so a
// damaged or edited iterator is refused instead of silently reading from
// somewhere else. They expire 5 minutes after issue.
const (
	iteratorVersion = 1
	iteratorTTL     = 5 * time.Minute
	iteratorHeader  = 1 + 8 + 8 + 4 + 8
)

// Starting position types of GetShardIterator and SubscribeToShard.
const (
	posTrimHorizon = "TRIM_HORIZON"
	posLatest      = "LATEST"
	posAtSeq       = "AT_SEQUENCE_NUMBER"
	posAfterSeq    = "AFTER_SEQUENCE_NUMBER"
	posAtTimestamp = "AT_TIMESTAMP"
)

type iterator struct {
	created int64 // stream creation, unix nanoseconds
	issued  int64 // unix nanoseconds
	shard   int
	pos     uint64
	stream  string
}

func (it iterator) encode() string {
	b := make([]byte, iteratorHeader, iteratorHeader+len(it.stream))
	b[0] = iteratorVersion
	binary.BigEndian.PutUint64(b[1:], uint64(it.created))
	binary.BigEndian.PutUint64(b[9:], uint64(it.issued))
	binary.BigEndian.PutUint32(b[17:], uint32(it.shard))
	binary.BigEndian.PutUint64(b[21:], it.pos)
	b = append(b, it.stream...)
	b = binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
	return base64.StdEncoding.EncodeToString(b)
}

// decodeIterator parses a shard iterator; any damage is InvalidArgument.
func decodeIterator(s string) (iterator, *apiError) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) <= iteratorHeader+4 || b[0] != iteratorVersion {
		return iterator{}, errInvalid("Invalid ShardIterator.")
	}
	sum := binary.BigEndian.Uint32(b[len(b)-4:])
	if b = b[:len(b)-4]; crc32.Checksum(b, castagnoli) != sum {
		return iterator{}, errInvalid("Invalid ShardIterator.")
	}
	it := iterator{
		created: int64(binary.BigEndian.Uint64(b[1:])),
		issued:  int64(binary.BigEndian.Uint64(b[9:])),
		shard:   int(binary.BigEndian.Uint32(b[17:])),
		pos:     binary.BigEndian.Uint64(b[21:]),
		stream:  string(b[iteratorHeader:]),
	}
	if it.shard > maxShardIdx {
		return iterator{}, errInvalid("Invalid ShardIterator.")
	}
	return it, nil
}

// startingPosition is where a reader starts in a shard.
type startingPosition struct {
	Type           string     `json:"Type"`
	SequenceNumber string     `json:"SequenceNumber"`
	Timestamp      *epochTime `json:"Timestamp"`
}

// position resolves p to the counter of the first record to read in sh.
func (s *Server) position(st *stream, sh *shard, p startingPosition) (uint64, *apiError) {
	switch p.Type {
	case posTrimHorizon:
		return 0, nil
	case posLatest:
		sh.mu.Lock()
		defer sh.mu.Unlock()
		return sh.next, nil
	case posAtSeq, posAfterSeq:
		if p.SequenceNumber == "" {
			return 0, errInvalid("A StartingSequenceNumber is required for %s.", echo(p.Type))
		}
		idx, counter, ok := parseSeq(p.SequenceNumber)
		if !ok || idx != sh.idx {
			return 0, errInvalid("StartingSequenceNumber %s used in GetShardIterator on shard %s in stream %s under account %s is invalid.", echo(p.SequenceNumber), sh.id, st.name, accountID)
		}
		if p.Type == posAfterSeq {
			counter++
		}
		sh.mu.Lock()
		defer sh.mu.Unlock()
		return min(counter, sh.next), nil
	case posAtTimestamp:
		if p.Timestamp == nil {
			return 0, errInvalid("A Timestamp is required for %s.", echo(p.Type))
		}
		ts := time.Time(*p.Timestamp)
		if now := s.now(); ts.After(now) {
			return 0, errInvalid("The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: %d, currentTimestampInMillis: %d",
				ts.UnixMilli(), now.UnixMilli())
		}
		sh.mu.Lock()
		defer sh.mu.Unlock()
		return sh.firstAtOrAfter(ts.UnixNano()), nil
	default:
		return 0, errValidate("Value '%s' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]", echo(p.Type))
	}
}
