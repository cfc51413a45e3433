package results

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
	// Generator names the producer's generator, and Format the record
	// format of generators with a `format` option.
	Generator string `json:"generator,omitempty"`
	Format    string `json:"format,omitempty"`
	// RecordBytes is the distribution of the sizes of the user records
	// the producer generated (warmup included), envelope included,
	// partition key not. It comes from the HDR histogram written to
	// record-bytes.hlog, so runs merge exactly.
	RecordBytes SizeStats `json:"record_bytes"`
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
