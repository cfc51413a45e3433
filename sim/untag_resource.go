package sim

// Behavior:
//   - Removes the tags with TagKeys (1..50 keys of 1..128 characters;
//     ValidationException otherwise) from the stream or consumer that
//     ResourceARN names, as TagResource finds it; absent keys are ignored.

import "net/http"

type untagResourceInput struct {
	ResourceARN string   `json:"ResourceARN"`
	TagKeys     []string `json:"TagKeys"`
}

func (s *Server) untagResource(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	var in untagResourceInput
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	if e := checkTagKeys(in.TagKeys); e != nil {
		return e
	}
	tags, mu, e := s.resourceTags(in.ResourceARN)
	if e != nil {
		return e
	}
	mu.Lock()
	for _, k := range in.TagKeys {
		delete(*tags, k)
	}
	mu.Unlock()
	writeJSON(w, struct{}{})
	return nil
}
