package sim

// Behavior:
//   - Lists every tag of the stream or consumer that ResourceARN names, as
//     TagResource finds it, in key order.

import (
	"net/http"
	"sort"
)

type listTagsForResourceInput struct {
	ResourceARN string `json:"ResourceARN"`
}

func (s *Server) listTagsForResource(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	var in listTagsForResourceInput
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	tags, mu, e := s.resourceTags(in.ResourceARN)
	if e != nil {
		return e
	}
	mu.Lock()
	out := make([]tagJS, 0, len(*tags))
	for k, v := range *tags {
		out = append(out, tagJS{k, v})
	}
	mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	writeJSON(w, struct {
		Tags []tagJS `json:"Tags"`
	}{out})
	return nil
}
