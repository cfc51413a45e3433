package reports

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// ProducerStats is one producer spec's packing, summed over its instances:
// how many user records went into how many Kinesis records, and their size
// before and after aggregation and compression.
type ProducerStats struct {
	Name string `json:"name"`
	// Aggregation says whether the producer aggregated; Codec names its
	// compression codec ("" for none).
	Aggregation bool   `json:"aggregation"`
	Codec       string `json:"codec,omitempty"`
	// Records counts the user records generated and KinesisRecords the
	// Kinesis records made from them; RecordsPerKinesisRecord is their
	// ratio.
	Records                 int64   `json:"records"`
	KinesisRecords          int64   `json:"kinesis_records"`
	RecordsPerKinesisRecord float64 `json:"records_per_kinesis_record"`
	// BytesPerRecordRaw is a user record's data (envelope included) and
	// partition key; BytesPerRecordSent is the Kinesis records' data and
	// partition keys per user record; CompressionRatio is raw over sent.
	BytesPerRecordRaw  float64 `json:"bytes_per_record_raw"`
	BytesPerRecordSent float64 `json:"bytes_per_record_sent"`
	CompressionRatio   float64 `json:"compression_ratio"`
	// EncodeNsPerRecord is the time spent aggregating and compressing per
	// user record (0 without packing).
	EncodeNsPerRecord float64 `json:"encode_ns_per_record"`
}

// Per-shard write quotas of Kinesis Data Streams.
const (
	ShardRecordQuota = 1000    // Kinesis records per second
	ShardByteQuota   = 1 << 20 // bytes per second
)

// KinesisAcked returns the acknowledged Kinesis records: KinesisRecords,
// or Acked for a summary written before kinesis_records existed (one user
// record per Kinesis record then).
func (t Totals) KinesisAcked() int64 {
	if t.KinesisRecords == 0 {
		return t.Acked
	}
	return t.KinesisRecords
}

// packed reports whether any producer aggregated or compressed.
func packed(s *Summary) bool {
	for _, p := range s.Producers {
		if p.Aggregation || p.Codec != "" {
			return true
		}
	}
	return false
}

// packingText says in a few words how a producer packed its records.
func packingText(p ProducerStats) string {
	var parts []string
	if p.Aggregation {
		parts = append(parts, fmt.Sprintf("aggregated, %.1f records per Kinesis record", p.RecordsPerKinesisRecord))
	}
	if p.Codec != "" {
		parts = append(parts, p.Codec)
	}
	if len(parts) == 0 {
		return "one record per Kinesis record"
	}
	return strings.Join(parts, ", ")
}

// quotaShards returns the indexes of up to n shards, the nearest to a
// write quota first.
func quotaShards(s *Summary, n int) []int {
	idx := make([]int, len(s.PerShard))
	for i := range idx {
		idx[i] = i
	}
	use := func(sh ShardStats) float64 { return max(sh.RecordQuotaUse, sh.ByteQuotaUse) }
	slices.SortStableFunc(idx, func(x, y int) int { return cmp.Compare(use(s.PerShard[y]), use(s.PerShard[x])) })
	return idx[:min(n, len(idx))]
}

// quotaLine says how near a shard came to its two write quotas.
func quotaLine(sh ShardStats) string {
	kin := ""
	if sh.KinesisRecords != sh.Records {
		kin = fmt.Sprintf(" in %s Kinesis records/s", fmtRate(sh.KinesisRecordsPerS))
	}
	return fmt.Sprintf("%s records/s%s (%s of %s/s), %s (%s of 1 MiB/s): %s bind", fmtRate(sh.RecordsPerS), kin,
		fmtPct(sh.RecordQuotaUse), fmtInt(ShardRecordQuota), fmtBytesPerS(sh.BytesPerS), fmtPct(sh.ByteQuotaUse), sh.Binding)
}

// writePacking writes the shards' use of their write quotas and, when a
// producer packed its records, what packing did.
func writePacking(w io.Writer, s *Summary) {
	if len(s.PerShard) > 0 && s.PerShard[0].Binding != "" {
		fmt.Fprintln(w, "  write quotas (per shard: 1,000 Kinesis records/s, 1 MiB/s)")
		for _, i := range quotaShards(s, 4) {
			sh := s.PerShard[i]
			fmt.Fprintf(w, "    %s  %s\n", sh.ShardID, quotaLine(sh))
		}
	}
	if !packed(s) {
		return
	}
	fmt.Fprintln(w, "  packing")
	for _, p := range s.Producers {
		fmt.Fprintf(w, "    %s: %s; %s user records in %s Kinesis records; %.0f → %.0f bytes per record (ratio %.2f), encode %s per record\n",
			p.Name, packingText(p), fmtInt(p.Records), fmtInt(p.KinesisRecords), p.BytesPerRecordRaw, p.BytesPerRecordSent,
			p.CompressionRatio, fmtNs(p.EncodeNsPerRecord))
	}
	for _, c := range s.Consumers {
		if c.DecodeNsPerRecord > 0 || c.Corrupt > 0 {
			fmt.Fprintf(w, "    consumer %s: decode %s per record, %s corrupt Kinesis records\n", c.Name, fmtNs(c.DecodeNsPerRecord), fmtInt(c.Corrupt))
		}
	}
	if c := s.Cost; c != nil && c.PutUnitsPerHour > 0 {
		fmt.Fprintf(w, "    cost: %.3g PUT payload units per user record (%s M an hour)\n", c.PutUnitsPerRecord, strconv.FormatFloat(c.PutUnitsPerHour/1e6, 'f', 3, 64))
	}
}

// mdPacking is writePacking for report.md.
func mdPacking(b *strings.Builder, s *Summary) {
	if len(s.PerShard) > 0 && s.PerShard[0].Binding != "" {
		b.WriteString("### Write quotas\n\n| shard | records/s | Kinesis records/s | of 1,000/s | bytes/s | of 1 MiB/s | binds |\n|---|---:|---:|---:|---:|---:|---|\n")
		for _, i := range quotaShards(s, mdTopShards) {
			sh := s.PerShard[i]
			fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s | %s | %s |\n", sh.ShardID, fmtRate(sh.RecordsPerS), fmtRate(sh.KinesisRecordsPerS),
				fmtPct(sh.RecordQuotaUse), fmtBytesPerS(sh.BytesPerS), fmtPct(sh.ByteQuotaUse), sh.Binding)
		}
		b.WriteString("\n")
	}
	if !packed(s) {
		return
	}
	b.WriteString("### Packing\n\n| producer | packing | user records | Kinesis records | bytes/record raw | sent | ratio | encode per record |\n|---|---|---:|---:|---:|---:|---:|---:|\n")
	for _, p := range s.Producers {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %.0f | %.0f | %.2f | %s |\n", mdEscape(p.Name), packingText(p), fmtInt(p.Records),
			fmtInt(p.KinesisRecords), p.BytesPerRecordRaw, p.BytesPerRecordSent, p.CompressionRatio, fmtNs(p.EncodeNsPerRecord))
	}
	b.WriteString("\n")
}

// fmtNs formats a per-record time in nanoseconds or microseconds.
func fmtNs(ns float64) string {
	if ns >= 1000 {
		return strconv.FormatFloat(ns/1000, 'f', 2, 64) + " µs"
	}
	return strconv.FormatFloat(ns, 'f', 0, 64) + " ns"
}

// packingRow is one producer in the HTML page's packing table.
type packingRow struct {
	ProducerStats
	Text string
}

// packingRows returns the packing table's rows, none when nothing packed.
func packingRows(s *Summary) []packingRow {
	if !packed(s) {
		return nil
	}
	var out []packingRow
	for _, p := range s.Producers {
		out = append(out, packingRow{ProducerStats: p, Text: packingText(p)})
	}
	return out
}
