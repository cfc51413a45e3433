package sim

// Behavior:
//   - Creates a PROVISIONED stream with ShardCount shards (1..10,000), or an
//     ON_DEMAND stream with 4 shards, or more when Config.OnDemandPeakRecords
//     or OnDemandPeakBytes make it warm (ShardCount ignored), splitting the hash
//     key space evenly. The stream is CREATING for Config.CreateDelay, then
//     ACTIVE; data-plane calls on a CREATING stream get
//     ResourceNotFoundException.
//   - An existing name (a DELETING stream's included) is
//     ResourceInUseException; a name outside
//     [a-zA-Z0-9_.-]{1,128} is ValidationException.
//   - Tags are stored as by AddTagsToStream.

import (
	"net/http"
	"time"
)

const maxShardsPerStream = 10000

type createStreamInput struct {
	StreamName        string            `json:"StreamName"`
	ShardCount        *int              `json:"ShardCount"`
	StreamModeDetails *modeJS           `json:"StreamModeDetails"`
	Tags              map[string]string `json:"Tags"`
}

func (s *Server) createStream(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	var in createStreamInput
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	if e := checkStreamName(in.StreamName); e != nil {
		return e
	}
	mode := modeProvisioned
	if in.StreamModeDetails != nil {
		mode = in.StreamModeDetails.StreamMode
	}
	var n int
	switch mode {
	case modeProvisioned:
		if in.ShardCount == nil {
			return errInvalid("ShardCount is required for a PROVISIONED stream.")
		}
		if n = *in.ShardCount; n < 1 {
			return errValidate("Value '%d' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1", n)
		}
		if n > maxShardsPerStream {
			return newError(errLimitExceeded, "This request would exceed the shard limit of %d shards per stream.", maxShardsPerStream)
		}
	case modeOnDemand:
		n, _, _ = s.cfg.OnDemandStart()
	default:
		return errValidate("Value '%s' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]", mode)
	}
	if e := checkTags(in.Tags, 0); e != nil {
		return e
	}

	now := s.now()
	st := &stream{
		name:       in.StreamName,
		arn:        streamARN(in.StreamName),
		created:    now,
		mode:       mode,
		readyAt:    now.Add(s.cfg.CreateDelay),
		encryption: encryptionNone,
		tags:       make(map[string]string, len(in.Tags)),
		consumers:  make(map[string]*consumer),
	}
	st.retention.Store(int64(s.cfg.Retention))
	for k, v := range in.Tags {
		st.tags[k] = v
	}
	if mode == modeOnDemand {
		_, recs, bytes := s.cfg.OnDemandStart()
		st.capacity.Store(newWriteCapacity(now.UnixNano(), recs, bytes))
	}
	ranges := splitHashSpace(n)
	tbl := &shardTable{}
	for _, rng := range ranges {
		sh := st.newShard(rng, now, n)
		tbl.all = append(tbl.all, sh)
		tbl.open = append(tbl.open, sh)
	}
	st.table.Store(tbl)

	s.mu.RLock()
	old := s.streams[st.name]
	s.mu.RUnlock()
	if old != nil {
		s.reap(old, now)
	}
	s.mu.Lock()
	_, exists := s.streams[st.name]
	if !exists {
		s.streams[st.name] = st
	}
	s.mu.Unlock()
	if exists {
		return errInUse("Stream %s under account %s already exists.", st.name, accountID)
	}
	s.shards.Add(int64(len(tbl.all)))
	writeJSON(w, struct{}{})
	return nil
}

// newShard makes the stream's next shard, one of n open shards. Called by
// the creator or with st.mu held.
func (st *stream) newShard(rng hashRange, now time.Time, n int) *shard {
	recs, bytes := shardWriteRates(st, n)
	sh := newShard(st, st.nextIdx, rng, now.UnixNano(), recs, bytes)
	st.nextIdx++
	return sh
}

// checkStreamName applies Kinesis's stream name pattern.
func checkStreamName(name string) *apiError {
	ok := len(name) >= 1 && len(name) <= 128
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			ok = false
		}
	}
	if !ok {
		return errValidate("Value '%s' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 1 and 128", echo(name))
	}
	return nil
}
