package reports

import (
	"cmp"
	"fmt"
	"github.com/kbench/kbench/internal/textfmt"
	"github.com/kbench/kbench/results"
	"io"
	"slices"
	"strconv"
	"strings"
)

// packed reports whether any producer aggregated or compressed.
func packed(s *results.Summary) bool {
	for _, p := range s.Producers {
		if p.Aggregation || p.Codec != "" {
			return true
		}
	}
	return false
}

// packingText says in a few words how a producer packed its records.
func packingText(p results.ProducerStats) string {
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
func quotaShards(s *results.Summary, n int) []int {
	idx := make([]int, len(s.PerShard))
	for i := range idx {
		idx[i] = i
	}
	use := func(sh results.ShardStats) float64 { return max(sh.RecordQuotaUse, sh.ByteQuotaUse) }
	slices.SortStableFunc(idx, func(x, y int) int { return cmp.Compare(use(s.PerShard[y]), use(s.PerShard[x])) })
	return idx[:min(n, len(idx))]
}

// quotaLine says how near a shard came to its two write quotas.
func quotaLine(sh results.ShardStats) string {
	kin := ""
	if sh.KinesisRecords != sh.Records {
		kin = fmt.Sprintf(" in %s Kinesis records/s", fmtRate(sh.KinesisRecordsPerS))
	}
	return fmt.Sprintf("%s records/s%s (%s of %s/s), %s (%s of 1 MiB/s): %s bind", fmtRate(sh.RecordsPerS), kin,
		fmtPct(sh.RecordQuotaUse), textfmt.Int(results.ShardRecordQuota), fmtBytesPerS(sh.BytesPerS), fmtPct(sh.ByteQuotaUse), sh.Binding)
}

// writePacking writes the shards' use of their write quotas and, when a
// producer packed its records, what packing did.
func writePacking(w io.Writer, s *results.Summary) {
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
			p.Name, packingText(p), textfmt.Int(p.Records), textfmt.Int(p.KinesisRecords), p.BytesPerRecordRaw, p.BytesPerRecordSent,
			p.CompressionRatio, fmtNs(p.EncodeNsPerRecord))
	}
	for _, c := range s.Consumers {
		if c.DecodeNsPerRecord > 0 || c.Corrupt > 0 {
			fmt.Fprintf(w, "    consumer %s: decode %s per record, %s corrupt Kinesis records\n", c.Name, fmtNs(c.DecodeNsPerRecord), textfmt.Int(c.Corrupt))
		}
	}
	if c := s.Cost; c != nil && c.PutUnitsPerHour > 0 {
		fmt.Fprintf(w, "    cost: %.3g PUT payload units per user record (%s M an hour)\n", c.PutUnitsPerRecord, strconv.FormatFloat(c.PutUnitsPerHour/1e6, 'f', 3, 64))
	}
}

// mdPacking is writePacking for report.md.
func mdPacking(b *strings.Builder, s *results.Summary) {
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
		fmt.Fprintf(b, "| %s | %s | %s | %s | %.0f | %.0f | %.2f | %s |\n", textfmt.MDEscape(p.Name), packingText(p), textfmt.Int(p.Records),
			textfmt.Int(p.KinesisRecords), p.BytesPerRecordRaw, p.BytesPerRecordSent, p.CompressionRatio, fmtNs(p.EncodeNsPerRecord))
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
	results.ProducerStats
	Text string
}

// packingRows returns the packing table's rows, none when nothing packed.
func packingRows(s *results.Summary) []packingRow {
	if !packed(s) {
		return nil
	}
	var out []packingRow
	for _, p := range s.Producers {
		out = append(out, packingRow{ProducerStats: p, Text: packingText(p)})
	}
	return out
}
