package sim

// Behavior:
//   - Adds or overwrites up to 10 tags per call; a stream holds at most 50
//     (LimitExceededException beyond). Keys are 1..128 characters, values
//     0..256 (InvalidArgumentException otherwise).

import (
	"net/http"
	"unicode/utf8"
)

const (
	maxTagsPerCall   = 10
	maxTagsPerStream = 50
)

type addTagsInput struct {
	streamRef
	Tags map[string]string `json:"Tags"`
}

func (s *Server) addTagsToStream(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	var in addTagsInput
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	if len(in.Tags) == 0 {
		return errValidate("Value null at 'tags' failed to satisfy constraint: Member must not be null")
	}
	if len(in.Tags) > maxTagsPerCall {
		return errInvalid("Failed to add tags to stream: at most %d tags can be added in one call.", maxTagsPerCall)
	}
	st, e := s.lookup(in.StreamName, in.StreamARN)
	if e != nil {
		return e
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	added := 0
	for k := range in.Tags {
		if _, ok := st.tags[k]; !ok {
			added++
		}
	}
	if e := checkTags(in.Tags, len(st.tags)+added-len(in.Tags)); e != nil {
		return e
	}
	for k, v := range in.Tags {
		st.tags[k] = v
	}
	writeJSON(w, struct{}{})
	return nil
}

// checkTags checks tag keys and values, and that others more tags plus
// tags fit the per-stream limit.
func checkTags(tags map[string]string, others int) *apiError {
	for k, v := range tags {
		if n := utf8.RuneCountInString(k); n < 1 || n > 128 {
			return errInvalid("Tag key %q must be 1 to 128 characters.", echo(k))
		}
		if utf8.RuneCountInString(v) > 256 {
			return errInvalid("Tag value for key %q must be at most 256 characters.", echo(k))
		}
	}
	if others+len(tags) > maxTagsPerStream {
		return newError(errLimitExceeded, "A stream can have at most %d tags.", maxTagsPerStream)
	}
	return nil
}
