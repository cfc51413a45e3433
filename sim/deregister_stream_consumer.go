package sim

// Behavior:
//   - Removes a consumer named by ConsumerARN, or by StreamARN and
//     ConsumerName, at once (AWS shows DELETING for a while); its open
//     subscriptions end.

import "net/http"

func (s *Server) deregisterStreamConsumer(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	var in consumerRef
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	c, e := s.findConsumer(in)
	if e != nil {
		return e
	}
	st := c.stream
	st.mu.Lock()
	if st.consumers[c.name] == c {
		delete(st.consumers, c.name)
	}
	st.mu.Unlock()
	c.endAll()
	writeJSON(w, struct{}{})
	return nil
}
