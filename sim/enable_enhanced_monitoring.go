package sim

// Behavior:
//   - Adds ShardLevelMetrics (1..7 of IncomingBytes, IncomingRecords,
//     OutgoingBytes, OutgoingRecords, WriteProvisionedThroughputExceeded,
//     ReadProvisionedThroughputExceeded, IteratorAgeMilliseconds, or ALL
//     for every one; ValidationException otherwise) to the stream's
//     enabled metrics, and answers with the metrics enabled before
//     (CurrentShardLevelMetrics) and after (DesiredShardLevelMetrics). The
//     metrics are recorded, not published: the simulator has no CloudWatch.
//     DescribeStream's EnhancedMonitoring lists them.
//   - ACTIVE streams only (ResourceInUseException). The stream stays
//     ACTIVE.

import (
	"net/http"
	"slices"
)

// shardLevelMetrics are the metrics enhanced monitoring can enable, in
// AWS's order.
var shardLevelMetrics = []string{
	"IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
	"WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds",
}

type monitoringInput struct {
	streamRef
	ShardLevelMetrics []string `json:"ShardLevelMetrics"`
}

type monitoringOutput struct {
	StreamName               string   `json:"StreamName"`
	StreamARN                string   `json:"StreamARN"`
	CurrentShardLevelMetrics []string `json:"CurrentShardLevelMetrics"`
	DesiredShardLevelMetrics []string `json:"DesiredShardLevelMetrics"`
}

func (s *Server) enableEnhancedMonitoring(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	return s.changeMonitoring(w, body, true)
}

// changeMonitoring is Enable- (enable true) and DisableEnhancedMonitoring.
func (s *Server) changeMonitoring(w http.ResponseWriter, body []byte, enable bool) *apiError {
	var in monitoringInput
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	if len(in.ShardLevelMetrics) < 1 || len(in.ShardLevelMetrics) > len(shardLevelMetrics) {
		return errValidate("Value at 'shardLevelMetrics' failed to satisfy constraint: Member must have length less than or equal to %d and greater than or equal to 1", len(shardLevelMetrics))
	}
	change := map[string]bool{}
	for i, m := range in.ShardLevelMetrics {
		switch {
		case m == "ALL":
			for _, x := range shardLevelMetrics {
				change[x] = true
			}
		case slices.Contains(shardLevelMetrics, m):
			change[m] = true
		default:
			return errValidate("Value '%s' at 'shardLevelMetrics.%d.member' failed to satisfy constraint: Member must satisfy enum value set: [IncomingBytes, IncomingRecords, OutgoingBytes, OutgoingRecords, WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded, IteratorAgeMilliseconds, ALL]", echo(m), i+1)
		}
	}
	st, e := s.lookup(in.StreamName, in.StreamARN)
	if e != nil {
		return e
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if e := st.activeLocked(s.now()); e != nil {
		return e
	}
	out := monitoringOutput{StreamName: st.name, StreamARN: st.arn, CurrentShardLevelMetrics: append([]string{}, st.metrics...)}
	var next []string
	for _, m := range shardLevelMetrics {
		on := slices.Contains(st.metrics, m)
		if change[m] {
			on = enable
		}
		if on {
			next = append(next, m)
		}
	}
	st.metrics = next
	out.DesiredShardLevelMetrics = append([]string{}, next...)
	writeJSON(w, out)
	return nil
}
