package sim

// Behavior:
//   - Lists the stream's tags in key order, up to Limit (1..50, default 50),
//     after ExclusiveStartTagKey; HasMoreTags tells whether more follow.

import (
	"net/http"
	"sort"
)

type listTagsInput struct {
	streamRef
	ExclusiveStartTagKey string `json:"ExclusiveStartTagKey"`
	Limit                *int   `json:"Limit"`
}

type tagJS struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

func (s *Server) listTagsForStream(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	var in listTagsInput
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	limit := maxTagsPerStream
	if in.Limit != nil {
		if limit = *in.Limit; limit < 1 || limit > maxTagsPerStream {
			return errValidate("Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50 and greater than or equal to 1", limit)
		}
	}
	st, e := s.lookup(in.StreamName, in.StreamARN)
	if e != nil {
		return e
	}
	st.mu.Lock()
	tags := make([]tagJS, 0, len(st.tags))
	for k, v := range st.tags {
		if k > in.ExclusiveStartTagKey {
			tags = append(tags, tagJS{k, v})
		}
	}
	st.mu.Unlock()
	sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
	more := len(tags) > limit
	if more {
		tags = tags[:limit]
	}
	writeJSON(w, struct {
		Tags        []tagJS `json:"Tags"`
		HasMoreTags bool    `json:"HasMoreTags"`
	}{tags, more})
	return nil
}
