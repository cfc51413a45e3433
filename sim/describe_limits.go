package sim

// Behavior:
//   - Reports AWS's default account quotas (500 shards, 50 on-demand
//     streams) beside the open shards and on-demand streams that exist.
//     The simulator reports these quotas but does not enforce them; its
//     own limit is 10,000 shards per stream.

import "net/http"

const (
	accountShardLimit    = 500
	onDemandStreamsLimit = 50
)

func (s *Server) describeLimits(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	if e := decodeJSON(body, &struct{}{}); e != nil {
		return e
	}
	open, onDemand := 0, 0
	for _, st := range s.listStreams() {
		open += len(st.table.Load().open)
		if st.modeNow() == modeOnDemand {
			onDemand++
		}
	}
	writeJSON(w, struct {
		ShardLimit               int `json:"ShardLimit"`
		OpenShardCount           int `json:"OpenShardCount"`
		OnDemandStreamCount      int `json:"OnDemandStreamCount"`
		OnDemandStreamCountLimit int `json:"OnDemandStreamCountLimit"`
	}{accountShardLimit, open, onDemand, onDemandStreamsLimit})
	return nil
}
