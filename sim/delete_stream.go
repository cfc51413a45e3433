package sim

// Behavior:
//   - The stream is DELETING for Config.DeleteDelay, then gone
//     (ResourceNotFoundException, and its name free for CreateStream).
//     While DELETING it is still listed and described, reads and writes
//     still work (as AWS allows), and control-plane changes get
//     ResourceInUseException. Its consumers are deregistered at once and
//     their subscriptions end; a DeleteStream of a DELETING stream
//     succeeds without changing anything.
//   - A stream with registered consumers is ResourceInUseException unless
//     EnforceConsumerDeletion is true.

import "net/http"

type deleteStreamInput struct {
	streamRef
	EnforceConsumerDeletion bool `json:"EnforceConsumerDeletion"`
}

func (s *Server) deleteStream(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	var in deleteStreamInput
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	st, e := s.lookup(in.StreamName, in.StreamARN)
	if e != nil {
		return e
	}
	now := s.now()
	st.mu.Lock()
	if st.deleting {
		st.mu.Unlock()
		writeJSON(w, struct{}{})
		return nil
	}
	if len(st.consumers) > 0 && !in.EnforceConsumerDeletion {
		st.mu.Unlock()
		return errInUse("Stream %s under account %s has registered consumers; set EnforceConsumerDeletion to delete it.", st.name, accountID)
	}
	consumers := make([]*consumer, 0, len(st.consumers))
	for _, c := range st.consumers {
		consumers = append(consumers, c)
	}
	clear(st.consumers)
	st.deleting, st.goneAt = true, now.Add(s.cfg.DeleteDelay)
	st.mu.Unlock()
	for _, c := range consumers {
		c.endAll()
	}
	if s.cfg.DeleteDelay == 0 {
		s.remove(st)
	}
	writeJSON(w, struct{}{})
	return nil
}
