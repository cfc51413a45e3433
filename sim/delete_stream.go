package sim

// Behavior:
//   - Deletes the stream at once (AWS shows DELETING for a while; here the
//     stream is gone when the call returns) with its records, iterators and
//     consumers; open subscriptions end.
//   - A stream still CREATING is ResourceInUseException, as on AWS: a
//     caller that created it waits for ACTIVE before deleting it.
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
	if st.status(s.now()) == statusCreating {
		return errInUse("Stream %s under account %s is CREATING; it can be deleted once it is ACTIVE.", st.name, accountID)
	}
	st.mu.Lock()
	consumers := make([]*consumer, 0, len(st.consumers))
	for _, c := range st.consumers {
		consumers = append(consumers, c)
	}
	st.mu.Unlock()
	if len(consumers) > 0 && !in.EnforceConsumerDeletion {
		return errInUse("Stream %s under account %s has registered consumers; set EnforceConsumerDeletion to delete it.", st.name, accountID)
	}
	s.mu.Lock()
	if s.streams[st.name] == st {
		delete(s.streams, st.name)
		s.shards.Add(-int64(len(st.table.Load().all)))
	}
	s.mu.Unlock()
	st.deleted.Store(true)
	for _, c := range consumers {
		c.endAll()
	}
	for _, sh := range st.table.Load().all {
		sh.mu.Lock()
		sh.wake()
		sh.mu.Unlock()
	}
	writeJSON(w, struct{}{})
	return nil
}
