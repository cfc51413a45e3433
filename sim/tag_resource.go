package sim

// Behavior:
//   - Adds or overwrites Tags on the stream or enhanced fan-out consumer
//     that ResourceARN names (InvalidArgumentException for another ARN,
//     ResourceNotFoundException for one that does not exist), with
//     AddTagsToStream's limits: at most 10 tags per call and 50 per
//     resource, keys 1..128 and values 0..256 characters.
//   - A stream's tags are the same ones AddTagsToStream and
//     ListTagsForStream see.

import (
	"net/http"
	"strings"
	"sync"
)

type tagResourceInput struct {
	ResourceARN string            `json:"ResourceARN"`
	Tags        map[string]string `json:"Tags"`
}

func (s *Server) tagResource(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	var in tagResourceInput
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	if len(in.Tags) == 0 {
		return errValidate("Value null at 'tags' failed to satisfy constraint: Member must not be null")
	}
	if len(in.Tags) > maxTagsPerCall {
		return errInvalid("Failed to add tags: at most %d tags can be added in one call.", maxTagsPerCall)
	}
	tags, mu, e := s.resourceTags(in.ResourceARN)
	if e != nil {
		return e
	}
	mu.Lock()
	defer mu.Unlock()
	added := 0
	for k := range in.Tags {
		if _, ok := (*tags)[k]; !ok {
			added++
		}
	}
	if e := checkTags(in.Tags, len(*tags)+added-len(in.Tags)); e != nil {
		return e
	}
	if *tags == nil {
		*tags = make(map[string]string, len(in.Tags))
	}
	for k, v := range in.Tags {
		(*tags)[k] = v
	}
	writeJSON(w, struct{}{})
	return nil
}

// resourceTags finds the tag map of the stream or consumer arn names, and
// the lock that guards it.
func (s *Server) resourceTags(arn string) (*map[string]string, *sync.Mutex, *apiError) {
	if arn == "" {
		return nil, nil, errValidate("Value null at 'resourceARN' failed to satisfy constraint: Member must not be null")
	}
	if strings.Contains(arn, "/consumer/") {
		c, e := s.findConsumer(consumerRef{ConsumerARN: arn})
		if e != nil {
			return nil, nil, e
		}
		return &c.tags, &c.mu, nil
	}
	if _, ok := streamNameFromARN(arn); !ok {
		return nil, nil, errInvalid("ResourceARN %s is not the ARN of a stream or consumer of this endpoint.", echo(arn))
	}
	st, e := s.lookup("", arn)
	if e != nil {
		return nil, nil, e
	}
	return &st.tags, &st.mu, nil
}
