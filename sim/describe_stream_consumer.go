package sim

// Behavior:
//   - Describes a consumer named by ConsumerARN, or by StreamARN and
//     ConsumerName; an unknown one is ResourceNotFoundException.

import "net/http"

func (s *Server) describeStreamConsumer(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	var in consumerRef
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	c, e := s.findConsumer(in)
	if e != nil {
		return e
	}
	writeJSON(w, struct {
		ConsumerDescription consumerJS `json:"ConsumerDescription"`
	}{c.describe(s.now(), true)})
	return nil
}
