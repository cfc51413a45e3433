package runner

import (
	"github.com/kbench/kbench/results"
)

// packSummary adds what packing did to s: user records against Kinesis
// records per producer spec and per shard, each shard's use of its two
// write quotas, and the consumers' decode cost. It restates the throttle
// ratios in Kinesis record attempts (summary counts acked user records).
func (r *run) packSummary(s *results.Summary) {
	s.Totals.KinesisRecords = r.m.KinesisRecords.Load()
	s.Totals.Corrupt = r.m.Corrupt.Load()
	// Throttling is counted in Kinesis record attempts, the quota's unit.
	if answered := s.Totals.Throttled + s.Totals.KinesisRecords; answered > 0 {
		s.ThrottleRatio = float64(s.Totals.Throttled) / float64(answered)
	}
	for i, ps := range r.sc.Producers {
		k := packingOf(&ps)
		out := results.ProducerStats{Name: ps.Name, Aggregation: k.Aggregate}
		if k.Codec != nil {
			out.Codec = k.Codec.Name
		}
		var st PackStats
		for id, spec := range r.specOf {
			if spec != i || id >= len(r.prods) {
				continue
			}
			p := r.prods[id].PackStats()
			st.Records += p.Records
			st.RawBytes += p.RawBytes
			st.Kinesis += p.Kinesis
			st.SentBytes += p.SentBytes
			st.EncodeNs += p.EncodeNs
		}
		PackFigures(&out, results.PackSums{Records: st.Records, RawBytes: st.RawBytes, Kinesis: st.Kinesis, SentBytes: st.SentBytes, EncodeNs: st.EncodeNs})
		s.Producers = append(s.Producers, out)
	}
	for i := range s.PerShard {
		sh := &s.PerShard[i]
		sh.KinesisRecords = r.m.Shard(sh.ShardID).KinesisRecords.Load()
		ShardQuotas(sh)
	}
	for i := range s.Consumers {
		if i >= len(r.pollers) {
			break
		}
		st := r.pollers[i].Stats()
		s.Consumers[i].Corrupt = st.Corrupt
		if st.Decoded > 0 {
			s.Consumers[i].DecodeNsPerRecord = float64(st.DecodeNs) / float64(st.Decoded)
		}
	}
}

// PackFigures fills a producer spec's packing figures from its sums.
func PackFigures(out *results.ProducerStats, st results.PackSums) {
	out.Records, out.KinesisRecords = st.Records, st.Kinesis
	if st.Kinesis > 0 {
		out.RecordsPerKinesisRecord = float64(st.Records) / float64(st.Kinesis)
	}
	if st.Records > 0 {
		out.BytesPerRecordRaw = float64(st.RawBytes) / float64(st.Records)
		out.BytesPerRecordSent = float64(st.SentBytes) / float64(st.Records)
		out.EncodeNsPerRecord = float64(st.EncodeNs) / float64(st.Records)
	}
	if st.SentBytes > 0 {
		out.CompressionRatio = float64(st.RawBytes) / float64(st.SentBytes)
	}
}

// ShardQuotas fills a shard's throttle ratio, Kinesis record rate and quota
// use from its counts and rates.
func ShardQuotas(sh *results.ShardStats) {
	if answered := sh.KinesisRecords + sh.Throttled; answered > 0 {
		sh.ThrottleRatio = float64(sh.Throttled) / float64(answered)
	}
	if sh.Records > 0 { // the same time base as RecordsPerS
		sh.KinesisRecordsPerS = sh.RecordsPerS * float64(sh.KinesisRecords) / float64(sh.Records)
	}
	sh.RecordQuotaUse = sh.KinesisRecordsPerS / results.ShardRecordQuota
	sh.ByteQuotaUse = sh.BytesPerS / results.ShardByteQuota
	sh.Binding = "records"
	if sh.ByteQuotaUse > sh.RecordQuotaUse {
		sh.Binding = "bytes"
	}
}
