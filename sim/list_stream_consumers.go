package sim

// Behavior:
//   - Lists the consumers of the stream named by StreamARN in name order,
//     up to MaxResults (1..10,000, default 100), continuing from NextToken
//     (present while more follow).

import (
	"encoding/base64"
	"net/http"
	"sort"
)

type listConsumersInput struct {
	StreamARN  string `json:"StreamARN"`
	NextToken  string `json:"NextToken"`
	MaxResults *int   `json:"MaxResults"`
}

func (s *Server) listStreamConsumers(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	var in listConsumersInput
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	if in.StreamARN == "" {
		return errValidate("Value null at 'streamARN' failed to satisfy constraint: Member must not be null")
	}
	limit := 100
	if in.MaxResults != nil {
		if limit = *in.MaxResults; limit < 1 || limit > 10000 {
			return errValidate("Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10000 and greater than or equal to 1", limit)
		}
	}
	var after string
	if in.NextToken != "" {
		b, err := base64.StdEncoding.DecodeString(in.NextToken)
		if err != nil {
			return errInvalid("Invalid NextToken.")
		}
		after = string(b)
	}
	st, e := s.lookup("", in.StreamARN)
	if e != nil {
		return e
	}
	st.mu.Lock()
	list := make([]*consumer, 0, len(st.consumers))
	for _, c := range st.consumers {
		if c.name > after {
			list = append(list, c)
		}
	}
	st.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i].name < list[j].name })
	out := struct {
		Consumers []consumerJS `json:"Consumers"`
		NextToken string       `json:"NextToken,omitempty"`
	}{Consumers: []consumerJS{}}
	now := s.now()
	for i, c := range list {
		if i == limit {
			out.NextToken = base64.StdEncoding.EncodeToString([]byte(list[i-1].name))
			break
		}
		out.Consumers = append(out.Consumers, c.describe(now, false))
	}
	writeJSON(w, out)
	return nil
}
