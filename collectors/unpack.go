package collectors

import (
	"github.com/kbench/kbench/envelope"
)

// userRecord is one user record of a Kinesis record: its partition key and
// its data (envelope first).
type userRecord struct {
	key  string
	data []byte
}

// maxKeyCache bounds the partition keys of aggregated records a sink keeps
// as strings, so that a fleet's keys cost no allocation once seen.
const maxKeyCache = 4096

// unpack returns the user records of one Kinesis record with partition key
// pk: itself when it starts with an envelope, else whatever decompressing
// and de-aggregating it yields (package pack). The time that takes is
// counted per user record (Stats.DecodeNs, Stats.Decoded). A record that
// fails to unpack (a bad frame, an MD5 mismatch, a malformed aggregate)
// yields nothing and counts in Stats.Corrupt, and for the primary
// application in Metrics.Corrupt; its user records, if they were this
// run's, then show up as lost. What unpack returns is valid until its next
// call.
func (s *sink) unpack(pk string, data []byte) []userRecord {
	s.users = s.users[:0]
	if len(data) >= 2 && data[0] == 'K' && data[1] == 'B' { // an envelope: the common, plain case
		s.users = append(s.users, userRecord{key: pk, data: data})
		return s.users
	}
	c := s.c
	t0 := envelope.Now()
	u, err := s.unpacker.Unpack(pk, data)
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
	for _, r := range u.Records {
		key := pk
		if u.Aggregated {
			key = s.keyString(r.PartitionKey)
		}
		s.users = append(s.users, userRecord{key: key, data: r.Data})
	}
	if u.Codec != "" || u.Aggregated {
		c.decodeNs.Add(envelope.Now() - t0)
		c.decoded.Add(int64(len(u.Records)))
	}
	return s.users
}

// keyString returns b as a string, from the sink's cache of keys when it is
// there.
func (s *sink) keyString(b []byte) string {
	if k, ok := s.keys[string(b)]; ok {
		return k
	}
	k := string(b)
	if s.keys == nil || len(s.keys) >= maxKeyCache {
		s.keys = make(map[string]string, maxKeyCache)
	}
	s.keys[k] = k
	return k
}
