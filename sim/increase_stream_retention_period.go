package sim

// Behavior:
//   - Sets the stream's retention period to RetentionPeriodHours, which
//     must be 24..8,760 (InvalidArgumentException; outside 1..8,760 it is
//     ValidationException) and not shorter than the current period
//     (InvalidArgumentException: that is DecreaseStreamRetentionPeriod's
//     job). Records are kept for the new period from then on.
//   - ACTIVE streams only (ResourceInUseException). The stream stays
//     ACTIVE.

import (
	"net/http"
	"time"
)

const (
	minRetentionHours = 24
	maxRetentionHours = 8760
)

type retentionInput struct {
	streamRef
	RetentionPeriodHours *int `json:"RetentionPeriodHours"`
}

func (s *Server) increaseStreamRetentionPeriod(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	return s.changeRetention(w, body, true)
}

// changeRetention is Increase- (longer true) and DecreaseStreamRetentionPeriod.
func (s *Server) changeRetention(w http.ResponseWriter, body []byte, longer bool) *apiError {
	var in retentionInput
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	if in.RetentionPeriodHours == nil {
		return errValidate("Value null at 'retentionPeriodHours' failed to satisfy constraint: Member must not be null")
	}
	h := *in.RetentionPeriodHours
	if h < 1 || h > maxRetentionHours {
		return errValidate("Value '%d' at 'retentionPeriodHours' failed to satisfy constraint: Member must have value less than or equal to %d and greater than or equal to 1", h, maxRetentionHours)
	}
	if h < minRetentionHours {
		return errInvalid("Minimum allowed retention period is %d hours. Requested retention period (%d hours) is too short.", minRetentionHours, h)
	}
	st, e := s.lookup(in.StreamName, in.StreamARN)
	if e != nil {
		return e
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if e := st.activeLocked(s.now()); e != nil {
		return e
	}
	cur := st.retentionHours()
	switch {
	case longer && h < cur:
		return errInvalid("Requested retention period (%d hours) for stream %s can not be shorter than existing retention period (%d hours). Use DecreaseRetentionPeriod API.", h, st.name, cur)
	case !longer && h > cur:
		return errInvalid("Requested retention period (%d hours) for stream %s can not be longer than existing retention period (%d hours). Use IncreaseRetentionPeriod API.", h, st.name, cur)
	}
	st.retention.Store(int64(time.Duration(h) * time.Hour))
	writeJSON(w, struct{}{})
	return nil
}
