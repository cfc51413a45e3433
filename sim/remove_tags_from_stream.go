package sim

// Behavior:
//   - Removes the tags with the given keys (1..50 keys, each 1..128
//     characters; ValidationException otherwise); keys the stream does not
//     have are ignored.

import (
	"net/http"
	"unicode/utf8"
)

type removeTagsInput struct {
	streamRef
	TagKeys []string `json:"TagKeys"`
}

func (s *Server) removeTagsFromStream(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	var in removeTagsInput
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	if e := checkTagKeys(in.TagKeys); e != nil {
		return e
	}
	st, e := s.lookup(in.StreamName, in.StreamARN)
	if e != nil {
		return e
	}
	st.mu.Lock()
	for _, k := range in.TagKeys {
		delete(st.tags, k)
	}
	st.mu.Unlock()
	writeJSON(w, struct{}{})
	return nil
}

// checkTagKeys checks the TagKeys of RemoveTagsFromStream and UntagResource.
func checkTagKeys(keys []string) *apiError {
	if len(keys) < 1 || len(keys) > maxTagsPerStream {
		return errValidate("Value at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to %d and greater than or equal to 1", maxTagsPerStream)
	}
	for i, k := range keys {
		if n := utf8.RuneCountInString(k); n < 1 || n > 128 {
			return errValidate("Value '%s' at 'tagKeys.%d.member' failed to satisfy constraint: Member must have length less than or equal to 128 and greater than or equal to 1", echo(k), i+1)
		}
	}
	return nil
}
