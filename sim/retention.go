package sim

// Retention: a shard drops records older than its stream's retention
// period (Config.Retention when created, then as Increase/
// DecreaseStreamRetentionPeriod set it) and, before
// an append, the oldest records needed to keep its record bytes within
// Config.ShardMaxBytes (less under a Config.MaxMemory budget). Trimming runs
// under the shard's lock whenever the shard is written or read, so an idle
// shard holds what it held but never grows; trimmed records are gone for every reader (TRIM_HORIZON starts at
// the oldest kept record).

// trim drops expired records (arrived before now-retention) and then the
// oldest records until incoming more bytes fit in maxBytes. It returns how
// many records it dropped.
func (l *recordLog) trim(now, retention, maxBytes, incoming int64) int64 {
	var dropped int64
	cutoff := now - retention
	for l.first < l.next && l.chunks[0].recs[l.head].arrival < cutoff {
		l.dropOldest()
		dropped++
	}
	for l.first < l.next && l.bytes+incoming > maxBytes {
		l.dropOldest()
		dropped++
	}
	return dropped
}

// trimShard trims sh for an append of incoming bytes. Called with sh.mu held.
func (s *Server) trimShard(sh *shard, now, incoming int64) {
	sh.counters.RecordsTrimmed += sh.trim(now, sh.stream.retention.Load(), s.shardCap(), incoming)
}

// shardCap is the record bytes one shard may keep: ShardMaxBytes, or its
// share of a third of MaxMemory when that is less, but never less than one
// maximal record.
func (s *Server) shardCap() int64 {
	c := s.cfg.ShardMaxBytes
	if s.cfg.MaxMemory > 0 {
		c = min(c, s.cfg.MaxMemory/3/max(s.shards.Load(), 1))
	}
	return max(c, maxRecordBytes)
}
