package sim

// Behavior:
//   - Returns the stream's summary without its shards: status, mode,
//     retention, creation time, OpenShardCount and ConsumerCount.

import "net/http"

type streamSummaryJS struct {
	StreamName              string                `json:"StreamName"`
	StreamARN               string                `json:"StreamARN"`
	StreamStatus            string                `json:"StreamStatus"`
	StreamModeDetails       modeJS                `json:"StreamModeDetails"`
	RetentionPeriodHours    int                   `json:"RetentionPeriodHours"`
	StreamCreationTimestamp epochTime             `json:"StreamCreationTimestamp"`
	EnhancedMonitoring      []map[string][]string `json:"EnhancedMonitoring"`
	EncryptionType          string                `json:"EncryptionType"`
	KeyID                   string                `json:"KeyId,omitempty"`
	OpenShardCount          int                   `json:"OpenShardCount"`
	ConsumerCount           int                   `json:"ConsumerCount"`
}

func (s *Server) describeStreamSummary(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	var in streamRef
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	st, e := s.lookup(in.StreamName, in.StreamARN)
	if e != nil {
		return e
	}
	st.mu.Lock()
	status, consumers := st.statusLocked(s.now()), len(st.consumers)
	mode, enc, keyID, metrics := st.mode, st.encryption, st.keyID, st.metrics
	st.mu.Unlock()
	writeJSON(w, struct {
		StreamDescriptionSummary streamSummaryJS `json:"StreamDescriptionSummary"`
	}{streamSummaryJS{
		StreamName:              st.name,
		StreamARN:               st.arn,
		StreamStatus:            status,
		StreamModeDetails:       modeJS{mode},
		RetentionPeriodHours:    st.retentionHours(),
		StreamCreationTimestamp: epochTime(st.created),
		EnhancedMonitoring:      enhancedMonitoringJS(metrics),
		EncryptionType:          enc,
		KeyID:                   keyID,
		OpenShardCount:          len(st.table.Load().open),
		ConsumerCount:           consumers,
	}})
	return nil
}
