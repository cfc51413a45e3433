package sim

// Behavior:
//   - Lists stream names in name order, up to Limit (1..10,000, default
//     100), after ExclusiveStartStreamName or from the NextToken of an
//     earlier page; HasMoreStreams and NextToken tell whether more follow.
//   - StreamSummaries carries each listed stream's ARN, status, mode and
//     creation time.

import (
	"encoding/base64"
	"net/http"
	"sort"
)

type listStreamsInput struct {
	Limit                    *int   `json:"Limit"`
	ExclusiveStartStreamName string `json:"ExclusiveStartStreamName"`
	NextToken                string `json:"NextToken"`
}

type streamSummaryItemJS struct {
	StreamName              string    `json:"StreamName"`
	StreamARN               string    `json:"StreamARN"`
	StreamStatus            string    `json:"StreamStatus"`
	StreamModeDetails       modeJS    `json:"StreamModeDetails"`
	StreamCreationTimestamp epochTime `json:"StreamCreationTimestamp"`
}

type listStreamsOutput struct {
	StreamNames     []string              `json:"StreamNames"`
	HasMoreStreams  bool                  `json:"HasMoreStreams"`
	NextToken       string                `json:"NextToken,omitempty"`
	StreamSummaries []streamSummaryItemJS `json:"StreamSummaries"`
}

func (s *Server) listStreamsOp(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	var in listStreamsInput
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	limit := 100
	if in.Limit != nil {
		if limit = *in.Limit; limit < 1 || limit > 10000 {
			return errValidate("Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000 and greater than or equal to 1", limit)
		}
	}
	after := in.ExclusiveStartStreamName
	if in.NextToken != "" {
		b, err := base64.StdEncoding.DecodeString(in.NextToken)
		if err != nil {
			return errInvalid("Invalid NextToken.")
		}
		after = string(b)
	}
	streams := s.listStreams()
	start := 0
	if after != "" {
		start = sort.Search(len(streams), func(i int) bool { return streams[i].name > after })
	}
	end := min(start+limit, len(streams))
	out := listStreamsOutput{StreamNames: []string{}, StreamSummaries: []streamSummaryItemJS{}, HasMoreStreams: end < len(streams)}
	now := s.now()
	for _, st := range streams[start:end] {
		out.StreamNames = append(out.StreamNames, st.name)
		out.StreamSummaries = append(out.StreamSummaries, streamSummaryItemJS{
			StreamName:              st.name,
			StreamARN:               st.arn,
			StreamStatus:            st.status(now),
			StreamModeDetails:       modeJS{st.modeNow()},
			StreamCreationTimestamp: epochTime(st.created),
		})
	}
	if out.HasMoreStreams {
		out.NextToken = base64.StdEncoding.EncodeToString([]byte(streams[end-1].name))
	}
	writeJSON(w, out)
	return nil
}
