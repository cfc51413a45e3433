package collectors

import (
	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/pack"
)

// unpack returns the user records of one Kinesis record: itself when it
// starts with an envelope, else whatever decompressing and de-aggregating
// it yields (package pack). The time that takes is counted per user record
// (Stats.DecodeNs, Stats.Decoded). A record that fails to unpack (a bad
// frame, an MD5 mismatch, a malformed aggregate) yields nothing and counts
// in Stats.Corrupt, and for the primary application in Metrics.Corrupt;
// its user records, if they were this run's, then show up as lost.
func (s *sink) unpack(pk string, data []byte) []pack.Record {
	if len(data) >= 2 && data[0] == 'K' && data[1] == 'B' { // an envelope: the common, plain case
		s.plain[0] = pack.Record{Data: data, PartitionKey: s.keyOf(pk)}
		return s.plain[:]
	}
	c := s.c
	t0 := envelope.Now()
	u, err := s.unpacker.Unpack(pk, data)
	dt := envelope.Now() - t0
	if err != nil {
		first := c.corrupt.Add(1) == 1
		if s.run != nil {
			c.cfg.Metrics.Corrupt.Add(1)
		}
		if first {
			c.cfg.Log("consumer %s: a record failed to unpack (counted in corrupt; later ones are not logged): %v", c.cfg.Name, err)
		}
		return nil
	}
	if u.Codec != "" || u.Aggregated {
		c.decodeNs.Add(dt)
		c.decoded.Add(int64(len(u.Records)))
	}
	return u.Records
}

// keyOf returns a scratch byte slice as long as the partition key: record
// accounting only needs the key's length.
func (s *sink) keyOf(pk string) []byte {
	if cap(s.key) < len(pk) {
		s.key = make([]byte, len(pk))
	}
	return s.key[:len(pk)]
}
