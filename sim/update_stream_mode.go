package sim

// Behavior:
//   - StreamARN and StreamModeDetails are required (ValidationException);
//     the mode is PROVISIONED or ON_DEMAND (ValidationException), and not
//     the stream's current one (InvalidArgumentException). At most two
//     switches per stream per rolling 24 hours (LimitExceededException).
//   - ACTIVE streams only (ResourceInUseException); the stream is UPDATING
//     for Config.UpdateDelay, then ACTIVE. The shards stay as they are:
//     switched to ON_DEMAND, their write quota is the on-demand capacity
//     (4 MiB/s and 4,000 records/s, or Config.OnDemandStart's when warm, then
//     adapting to twice the peak) shared
//     among them; switched to PROVISIONED, each shard has 1 MiB/s and 1,000
//     records/s again.

import (
	"net/http"
	"time"
)

const maxModeChangesPerDay = 2

type updateStreamModeInput struct {
	StreamARN         string  `json:"StreamARN"`
	StreamModeDetails *modeJS `json:"StreamModeDetails"`
}

func (s *Server) updateStreamMode(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	var in updateStreamModeInput
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	if in.StreamARN == "" {
		return errValidate("Value null at 'streamARN' failed to satisfy constraint: Member must not be null")
	}
	if in.StreamModeDetails == nil {
		return errValidate("Value null at 'streamModeDetails' failed to satisfy constraint: Member must not be null")
	}
	mode := in.StreamModeDetails.StreamMode
	if mode != modeProvisioned && mode != modeOnDemand {
		return errValidate("Value '%s' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]", echo(mode))
	}
	st, e := s.lookup("", in.StreamARN)
	if e != nil {
		return e
	}
	now := s.now()
	st.mu.Lock()
	defer st.mu.Unlock()
	if e := st.activeLocked(now); e != nil {
		return e
	}
	if st.mode == mode {
		return errInvalid("Stream %s under account %s is already in %s mode.", st.name, accountID, mode)
	}
	recent := st.modeChanges[:0]
	for _, t := range st.modeChanges {
		if now.Sub(t) < 24*time.Hour {
			recent = append(recent, t)
		}
	}
	st.modeChanges = recent
	if len(recent) >= maxModeChangesPerDay {
		return newError(errLimitExceeded, "Stream %s has switched capacity mode %d times in the last 24 hours.", st.name, maxModeChangesPerDay)
	}
	st.modeChanges = append(st.modeChanges, now)
	st.mode = mode
	if mode == modeOnDemand {
		_, recs, bytes := s.cfg.OnDemandStart()
		st.capacity.Store(newWriteCapacity(now.UnixNano(), recs, bytes))
	} else {
		st.capacity.Store(nil)
	}
	open := st.table.Load().open
	recs, bytes := shardWriteRates(st, len(open))
	for _, sh := range open {
		sh.mu.Lock()
		sh.wRecs.setRate(recs)
		sh.wBytes.setRate(bytes)
		sh.mu.Unlock()
	}
	s.beginUpdate(st, now)
	writeJSON(w, struct{}{})
	return nil
}
