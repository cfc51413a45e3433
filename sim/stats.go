package sim

import "sort"

// Counters are the simulator's counts for a shard, a stream or the server.
type Counters struct {
	// RecordsAccepted, RecordsThrottled and RecordsFailed count PutRecord(s)
	// records stored, rejected by the write quota, and failed by ErrorRate.
	RecordsAccepted  int64 `json:"records_accepted"`
	RecordsThrottled int64 `json:"records_throttled"`
	RecordsFailed    int64 `json:"records_failed"`
	// BytesAccepted counts the data plus partition-key bytes stored.
	BytesAccepted int64 `json:"bytes_accepted"`
	// GetRecordsCalls counts GetRecords calls that were served and
	// GetRecordsThrottled those refused by the read quota.
	GetRecordsCalls     int64 `json:"get_records_calls"`
	GetRecordsThrottled int64 `json:"get_records_throttled"`
	// GetShardIteratorThrottled counts GetShardIterator calls refused by the quota.
	GetShardIteratorThrottled int64 `json:"get_shard_iterator_throttled"`
	// RecordsRead and BytesRead count what GetRecords and SubscribeToShard sent.
	RecordsRead int64 `json:"records_read"`
	BytesRead   int64 `json:"bytes_read"`
	// RetainedRecords and RetainedBytes are what the shards hold now;
	// RecordsTrimmed counts records dropped by retention or the byte cap.
	RetainedRecords int64 `json:"retained_records"`
	RetainedBytes   int64 `json:"retained_bytes"`
	RecordsTrimmed  int64 `json:"records_trimmed"`
	// Subscriptions counts SubscribeToShard calls that began streaming
	// events; SubscriptionsOpen is those streaming now.
	Subscriptions     int64 `json:"subscriptions"`
	SubscriptionsOpen int64 `json:"subscriptions_open"`
	// PushWakeupsIdle counts the times a subscription's push loop was woken
	// by its shard and found nothing to send: wasted work, near zero when
	// subscribers are woken only as records become visible to them.
	PushWakeupsIdle int64 `json:"push_wakeups_idle"`
}

func (c *Counters) add(o Counters) {
	c.RecordsAccepted += o.RecordsAccepted
	c.RecordsThrottled += o.RecordsThrottled
	c.RecordsFailed += o.RecordsFailed
	c.BytesAccepted += o.BytesAccepted
	c.GetRecordsCalls += o.GetRecordsCalls
	c.GetRecordsThrottled += o.GetRecordsThrottled
	c.GetShardIteratorThrottled += o.GetShardIteratorThrottled
	c.RecordsRead += o.RecordsRead
	c.BytesRead += o.BytesRead
	c.RetainedRecords += o.RetainedRecords
	c.RetainedBytes += o.RetainedBytes
	c.RecordsTrimmed += o.RecordsTrimmed
	c.Subscriptions += o.Subscriptions
	c.SubscriptionsOpen += o.SubscriptionsOpen
	c.PushWakeupsIdle += o.PushWakeupsIdle
}

// ShardStats are one shard's counters.
type ShardStats struct {
	ShardID string `json:"shard_id"`
	Open    bool   `json:"open"`
	Counters
}

// StreamStats are one stream's counters, per shard and in total.
type StreamStats struct {
	StreamName string       `json:"stream_name"`
	Shards     []ShardStats `json:"shards"`
	Total      Counters     `json:"total"`
}

// Stats are the server's counters: per stream (sorted by name) and in total.
// Counters of deleted streams are gone with them.
type Stats struct {
	Streams []StreamStats `json:"streams"`
	Total   Counters      `json:"total"`
}

// Stats returns a snapshot of the server's counters. It is safe to call
// while the server is serving.
func (s *Server) Stats() Stats {
	var out Stats
	for _, st := range s.listStreams() {
		ss := StreamStats{StreamName: st.name}
		for _, sh := range st.table.Load().all {
			sh.mu.Lock()
			c := sh.counters
			c.RetainedRecords = int64(sh.count())
			c.RetainedBytes = sh.bytes
			open := !sh.closed
			sh.mu.Unlock()
			ss.Shards = append(ss.Shards, ShardStats{ShardID: sh.id, Open: open, Counters: c})
			ss.Total.add(c)
		}
		out.Total.add(ss.Total)
		out.Streams = append(out.Streams, ss)
	}
	sort.Slice(out.Streams, func(i, j int) bool { return out.Streams[i].StreamName < out.Streams[j].StreamName })
	return out
}
