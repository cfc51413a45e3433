package sim

// Behavior:
//   - Sets the stream's retention period to RetentionPeriodHours, which
//     must be 24..8,760 (InvalidArgumentException; outside 1..8,760 it is
//     ValidationException) and not longer than the current period
//     (InvalidArgumentException). Records older than the new period are
//     dropped the next time their shard is read or written.
//   - ACTIVE streams only (ResourceInUseException). The stream stays
//     ACTIVE.

import "net/http"

func (s *Server) decreaseStreamRetentionPeriod(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	return s.changeRetention(w, body, false)
}
