package sim

// Behavior:
//   - Returns the stream's description with up to Limit shards (1..10,000,
//     default 100) after ExclusiveStartShardId, in shard-index order, open
//     and closed alike; HasMoreShards tells whether more follow.
//   - Closed shards carry EndingSequenceNumber; children carry ParentShardId
//     (and AdjacentParentShardId for merges).

import "net/http"

type describeStreamInput struct {
	streamRef
	Limit                 *int   `json:"Limit"`
	ExclusiveStartShardID string `json:"ExclusiveStartShardId"`
}

type streamDescriptionJS struct {
	StreamName              string                `json:"StreamName"`
	StreamARN               string                `json:"StreamARN"`
	StreamStatus            string                `json:"StreamStatus"`
	StreamModeDetails       modeJS                `json:"StreamModeDetails"`
	Shards                  []shardJS             `json:"Shards"`
	HasMoreShards           bool                  `json:"HasMoreShards"`
	RetentionPeriodHours    int                   `json:"RetentionPeriodHours"`
	StreamCreationTimestamp epochTime             `json:"StreamCreationTimestamp"`
	EnhancedMonitoring      []map[string][]string `json:"EnhancedMonitoring"`
	EncryptionType          string                `json:"EncryptionType"`
	KeyID                   string                `json:"KeyId,omitempty"`
}

func (s *Server) describeStream(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	var in describeStreamInput
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	limit := 100
	if in.Limit != nil {
		if limit = *in.Limit; limit < 1 || limit > maxShardsPerStream {
			return errValidate("Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000 and greater than or equal to 1", limit)
		}
	}
	st, e := s.lookup(in.StreamName, in.StreamARN)
	if e != nil {
		return e
	}
	st.mu.Lock()
	mode, enc, keyID, metrics := st.mode, st.encryption, st.keyID, st.metrics
	st.mu.Unlock()
	shards, more := pageShardsAfter(st.table.Load().all, in.ExclusiveStartShardID, limit)
	out := streamDescriptionJS{
		StreamName:              st.name,
		StreamARN:               st.arn,
		StreamStatus:            st.status(s.now()),
		StreamModeDetails:       modeJS{mode},
		Shards:                  make([]shardJS, 0, len(shards)),
		HasMoreShards:           more,
		RetentionPeriodHours:    st.retentionHours(),
		StreamCreationTimestamp: epochTime(st.created),
		EnhancedMonitoring:      enhancedMonitoringJS(metrics),
		EncryptionType:          enc,
		KeyID:                   keyID,
	}
	for _, sh := range shards {
		out.Shards = append(out.Shards, sh.describe())
	}
	writeJSON(w, struct {
		StreamDescription streamDescriptionJS `json:"StreamDescription"`
	}{out})
	return nil
}
