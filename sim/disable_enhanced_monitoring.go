package sim

// Behavior:
//   - Removes ShardLevelMetrics (as EnableEnhancedMonitoring names them,
//     ALL for every one) from the stream's enabled metrics and answers with
//     the metrics enabled before and after.
//   - ACTIVE streams only (ResourceInUseException). The stream stays
//     ACTIVE.

import "net/http"

func (s *Server) disableEnhancedMonitoring(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	return s.changeMonitoring(w, body, false)
}
