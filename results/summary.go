// Package results is a kbench results directory: the summary.json schema
// (the machine-readable contract CI gates read), the writers the runner uses
// while a run goes (summary.json, timeseries.csv, HdrHistogram interval logs)
// and the readers of what they wrote — one run (LoadRun), the repeats of one
// cell (LoadRunSet), the cells of a matrix (CellDirs) — plus the dotted
// metric lookup thresholds and gates use. It only encodes and decodes:
// judging is package gate's, rendering package reports'.
package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// SchemaVersion is the version of summary.json's layout. It changes when a
// key is renamed or removed or changes its meaning. Version 3: totals.lost
// no longer holds records still unread at the end (now totals.unread).
const SchemaVersion = 3

// File names inside a results directory.
const (
	SummaryFile    = "summary.json"
	TimeseriesFile = "timeseries.csv"
	HlogExt        = ".hlog"
	// RecordBytesFile holds record-size histograms (bytes, not latency),
	// one per producer, tagged with its name.
	RecordBytesFile = "record-bytes.hlog"
)

// Verdicts.
const (
	VerdictPass = "pass"
	VerdictFail = "fail"
)

// Summary is the content of summary.json: everything a run measured, the
// settings it ran under and the verdict. Its JSON key names are an interface
// (CI gates and comparisons read them); keep them stable.
type Summary struct {
	SchemaVersion int            `json:"schema_version"`
	RunID         string         `json:"run_id"`
	Scenario      map[string]any `json:"scenario"`
	Target        TargetInfo     `json:"target"`
	Config        RunInfo        `json:"config"`
	Totals        Totals         `json:"totals"`
	// Bottleneck says what limited the run: kbench itself, the target, the
	// consumers, or nothing. nil in summaries from before it existed.
	Bottleneck *Bottleneck             `json:"bottleneck,omitempty"`
	Latency    map[string]LatencyStats `json:"latency"`
	Throughput Throughput              `json:"throughput"`
	// ThrottleRatio is throttled record-attempts over all record-attempts
	// that got an answer (throttled + acked).
	ThrottleRatio float64         `json:"throttle_ratio"`
	Deadline      *DeadlineStats  `json:"deadline,omitempty"`
	PerShard      []ShardStats    `json:"per_shard"`
	Consumers     []ConsumerStats `json:"consumers,omitempty"`
	// Producers is each producer spec's packing: user records against
	// Kinesis records, bytes before and after aggregation and compression.
	Producers    []ProducerStats    `json:"producers,omitempty"`
	Application  *ApplicationInfo   `json:"application,omitempty"`
	Destinations []DestinationStats `json:"destinations,omitempty"`
	Events       []EventResult      `json:"events,omitempty"`
	Cost         *CostStats         `json:"cost,omitempty"`
	// Worker is set in the summary of one worker of a distributed run
	// (kbench run --worker I/N), Workers in the summary kbench merge wrote
	// from their results.
	Worker     *WorkerInfo       `json:"worker,omitempty"`
	Workers    *MergeInfo        `json:"workers,omitempty"`
	Thresholds []ThresholdResult `json:"thresholds"`
	Verdict    string            `json:"verdict"`
	Errors     []string          `json:"errors,omitempty"`
}

// Bottleneck kinds, in the order they are tested: the first that holds is
// the verdict.
const (
	// BottleneckGenerator: kbench itself could not keep up (its CPU over 90%
	// of its cores, or the schedule falling behind while calls in flight
	// stayed below the limit); the results describe kbench, not the target.
	BottleneckGenerator = "generator"
	// BottleneckTarget: the target is the limit (in-flight calls at the
	// limit, put latency rising, or writes throttled).
	BottleneckTarget = "target"
	// BottleneckConsumer: acknowledged records piled up unread while reads
	// were not throttled.
	BottleneckConsumer = "consumer"
	// BottleneckNone: nothing held the run back.
	BottleneckNone = "none"
)

// Bottleneck is the verdict on what limited a run, over its measured window,
// with the evidence a threshold can use.
type Bottleneck struct {
	// Kind is generator, target, consumer or none.
	Kind string `json:"kind"`
	// Reason says why, in a sentence.
	Reason string `json:"reason"`
	// CPURatio is kbench's CPU time over wall time × Cores.
	CPURatio float64 `json:"cpu_ratio"`
	// Cores is how many cores kbench could use (GOMAXPROCS).
	Cores int `json:"cores"`
	// InFlightRatio is the share of the producers' in-flight slots holding
	// a batch (a call in flight or a resend waiting), averaged over time.
	// A producer has in_flight slots, or with ordering per_key one per
	// shard.
	InFlightRatio float64 `json:"in_flight_ratio"`
	// SendWaitRatio is the share of the time the producers' schedules
	// were blocked on their senders: every sender busy and the queue full,
	// or with ordering per_key a shard's one call in flight. 0 in summaries
	// from before it existed.
	SendWaitRatio float64 `json:"send_wait_ratio"`
	// ScheduleLagMS is how far behind its schedule the furthest-behind
	// producer was, at worst.
	ScheduleLagMS float64 `json:"schedule_lag_ms"`
	// BacklogGrowthRPS is how fast acknowledged-but-unread records piled up
	// (negative: the consumers caught up).
	BacklogGrowthRPS float64 `json:"backlog_growth_rps"`
	// InProcessTarget says the target (the simulator) ran inside kbench, so
	// its CPU counts in CPURatio.
	InProcessTarget bool `json:"in_process_target"`
}

// TargetInfo says where the records went.
type TargetInfo struct {
	Kind     string `json:"kind"` // sim | kinesis-mock | localstack | aws
	Endpoint string `json:"endpoint,omitempty"`
	Region   string `json:"region,omitempty"`
	// MemoryBudget is the in-process simulator's memory budget in bytes
	// (target.sim.max_memory, by default a quarter of physical memory).
	MemoryBudget int64 `json:"memory_budget,omitempty"`
	// LatencyProfile is the latency profile a simulated target applied
	// (see docs/latency.md); absent for real endpoints.
	LatencyProfile *LatencyProfileInfo `json:"latency_profile,omitempty"`
	// Model is set when the numbers were predicted by the model target
	// rather than measured: reports show it as a banner.
	Model *ModelInfo `json:"model,omitempty"`
}

// ModelInfo describes a model run (target kind model).
type ModelInfo struct {
	// StepMS is the simulated time step in milliseconds.
	StepMS float64 `json:"step_ms"`
	// Note says in a sentence that the numbers are a model's.
	Note string `json:"note"`
	// ElapsedS is how long the model took to compute, wall time.
	ElapsedS float64 `json:"elapsed_s"`
}

// LatencyProfileInfo describes a latency profile: its name, where it came
// from, each distribution in words, and every figure it assumes.
type LatencyProfileInfo struct {
	Name        string   `json:"name"`
	Source      string   `json:"source,omitempty"`
	Put         string   `json:"put"`
	Propagation string   `json:"propagation"`
	FanOut      string   `json:"fan_out"`
	Assumptions []string `json:"assumptions,omitempty"`
}

// RunInfo is the resolved configuration of one run (one matrix cell).
type RunInfo struct {
	Name          string    `json:"name"`
	Cell          string    `json:"cell,omitempty"` // matrix cell, e.g. "stream.shards=4"
	Shards        int       `json:"shards"`
	Stream        string    `json:"stream"`
	Producers     int       `json:"producers"`
	Consumers     int       `json:"consumers"`
	DurationS     float64   `json:"duration_s"`
	WarmupS       float64   `json:"warmup_s"`
	DrainS        float64   `json:"drain_s"`
	DeadlineMS    float64   `json:"deadline_ms"`
	StartedAt     time.Time `json:"started_at"`
	EndedAt       time.Time `json:"ended_at"`
	Host          string    `json:"host"`
	GoVersion     string    `json:"go_version"`
	KbenchVersion string    `json:"kbench_version"`
	Notes         []string  `json:"notes,omitempty"`
}

// Totals are the run's record accounting. Every scheduled record is in
// exactly one of acked, failed or unsent: Scheduled = Acked + Failed + Unsent,
// and Produced = Scheduled - UnsentByCause["not_generated"].
type Totals struct {
	// Scheduled is every record the schedule made due within duration and
	// the producers generated, or would have had they not been stopped at
	// duration + max_overrun (an interrupted run's schedule ends at the
	// interrupt).
	Scheduled      int64            `json:"scheduled"`
	Produced       int64            `json:"produced"`
	Acked          int64            `json:"acked"`
	Failed         int64            `json:"failed"`
	FailedByReason map[string]int64 `json:"failed_by_reason"`
	// Unsent is every record due but never sent (or never settled), split
	// by cause in UnsentByCause: run_stopped, overrun, not_generated.
	Unsent        int64            `json:"unsent"`
	UnsentByCause map[string]int64 `json:"unsent_by_cause"`
	Late          int64            `json:"late"`      // sent more than a pacer tick after their intended time, or never sent by the cutoff
	Throttled     int64            `json:"throttled"` // record-attempts, so retries count again
	Retried       int64            `json:"retried"`
	Calls         int64            `json:"calls"`
	CallErrors    int64            `json:"call_errors"`
	Consumed      int64            `json:"consumed"`
	// Lost is acknowledged records the consumer never saw although it read
	// past them (it was at the tip of every shard more than a second after
	// the last acknowledgement, and no longer making progress when the drain
	// ended). Schema 2's lost also held Unread.
	Lost int64 `json:"lost"`
	// Unread is acknowledged records not yet seen when the run was
	// interrupted, or when the drain ended while the consumer was still
	// making progress or had not caught up with the tip since.
	Unread int64 `json:"unread"`
	// FailedDelivered is records counted failed (or unsent: a call cut off)
	// that the consumer read all the same: ambiguous writes, such as a
	// PutRecords call that timed out after the target stored its records.
	// consumed = acked - lost - unread + failed_delivered.
	FailedDelivered int64 `json:"failed_delivered"`
	Duplicates      int64 `json:"duplicates"`
	Foreign         int64 `json:"foreign"`
	// KinesisRecords counts the acknowledged Kinesis records; Acked and
	// the other record counts are user records, which are more when
	// producers aggregate.
	KinesisRecords int64 `json:"kinesis_records"`
	// Corrupt counts Kinesis records the primary consumer could not
	// decompress or de-aggregate.
	Corrupt         int64 `json:"corrupt"`
	GetRecordsCalls int64 `json:"get_records_calls"`
	GetThrottled    int64 `json:"get_throttled"`
	// Order is the first consumer application's out-of-order accounting.
	Order
}

// Order counts records consumed out of their production order: records of
// one producer and partition key consumed after a record of theirs with a
// higher sequence number (duplicates excluded). See docs/ordering.md.
type Order struct {
	OutOfOrder int64 `json:"out_of_order"`
	// OutOfOrderKeys counts the (producer, partition key) pairs with at
	// least one late record.
	OutOfOrderKeys int64 `json:"out_of_order_keys"`
	// OutOfOrderMaxDisplacement is the most records of its key a late record
	// came behind, exact however large (of the tracked keys' records).
	OutOfOrderMaxDisplacement int64 `json:"out_of_order_max_displacement"`
	// OutOfOrderExact is true when every key was tracked; false when the
	// per-key table filled and sampled keys, and the counts cover only the
	// sampled keys' records (OutOfOrderKeyShare of the keys at the end).
	OutOfOrderExact    bool    `json:"out_of_order_exact"`
	OutOfOrderKeyShare float64 `json:"out_of_order_key_share"`
}

// LatencyStats summarises one latency histogram, in milliseconds rounded to
// three decimals (1 µs, the histograms' resolution).
type LatencyStats struct {
	Count int64   `json:"count"`
	P50   float64 `json:"p50_ms"`
	P90   float64 `json:"p90_ms"`
	P99   float64 `json:"p99_ms"`
	P999  float64 `json:"p999_ms"`
	Max   float64 `json:"max_ms"`
	Mean  float64 `json:"mean_ms"`
	// ClockErrorMS is, in a merged summary, the worst-case clock error of a
	// latency measured across two workers' clocks (MergeInfo.ClockErrorMS).
	ClockErrorMS float64 `json:"clock_error_ms,omitempty"`
}

// Throughput is measured over the measured window (after warmup, before
// drain).
type Throughput struct {
	TargetRPS         float64 `json:"target_rps"`
	ProducedRPS       float64 `json:"produced_rps"`
	AckedRPS          float64 `json:"acked_rps"`
	ConsumedRPS       float64 `json:"consumed_rps"`
	ProducedBytesPerS float64 `json:"produced_bytes_per_s"`
	ConsumedBytesPerS float64 `json:"consumed_bytes_per_s"`
}

// DeadlineStats is the time value of data: how many measured records were
// consumed within their deadline, and how stale records were when consumed.
type DeadlineStats struct {
	// DeadlineMS is the scenario's deadline; producers may have their own
	// (see ByProducer).
	DeadlineMS float64 `json:"deadline_ms"`
	// Scheduled counts the records due in the measured window: the
	// denominator. A record that failed, was lost or is still unread at the
	// end is not on time.
	Scheduled int64 `json:"scheduled"`
	// Measured counts those of them consumed (their latency recorded).
	Measured    int64   `json:"measured"`
	OnTime      int64   `json:"on_time"`
	OnTimeRatio float64 `json:"on_time_ratio"` // OnTime / Scheduled
	// Staleness is the distribution of the age of records when consumed
	// (intended send time to consumed), as the share of scheduled records
	// consumed no older than each multiple of the deadline.
	Staleness []StalenessPoint `json:"staleness,omitempty"`
	// ByProducer splits the counts by producer spec, each against its own
	// deadline.
	ByProducer []ProducerDeadline `json:"by_producer,omitempty"`
}

// StalenessPoint is one point of the staleness distribution: the share of
// scheduled records consumed no later than AgeMS after their intended send
// time.
type StalenessPoint struct {
	AgeMS float64 `json:"age_ms"`
	Ratio float64 `json:"ratio"`
}

// ProducerDeadline is one producer spec's time value of data.
type ProducerDeadline struct {
	Producer    string  `json:"producer"`
	DeadlineMS  float64 `json:"deadline_ms"`
	Scheduled   int64   `json:"scheduled"`
	Measured    int64   `json:"measured"`
	OnTime      int64   `json:"on_time"`
	OnTimeRatio float64 `json:"on_time_ratio"`
}

// CostStats is what the measured load would cost per hour on real Kinesis
// in us-east-1 (prices in package targets): capacity plus data in, at the
// measured acknowledged rate and record size. Reads and fan-out are not
// included.
type CostStats struct {
	USDPerHour         float64 `json:"usd_per_hour"`
	CapacityUSDPerHour float64 `json:"capacity_usd_per_hour"`
	DataUSDPerHour     float64 `json:"data_usd_per_hour"`
	// USDPerMillionRecords is USDPerHour over the records acknowledged in an
	// hour at the measured rate (0 when nothing was acknowledged).
	USDPerMillionRecords float64 `json:"usd_per_million_records"`
	// PutUnitsPerHour is the PUT payload units (one per 25 KB of each
	// Kinesis record, at least one per record) an hour at the measured
	// rate, and PutUnitsPerRecord the same per user record: aggregation
	// lowers it below 1 (provisioned streams only).
	PutUnitsPerHour   float64 `json:"put_units_per_hour"`
	PutUnitsPerRecord float64 `json:"put_units_per_record"`
}

// EventResult is one scheduled scenario event as it happened.
type EventResult struct {
	AtS    float64 `json:"at_s"`   // seconds after the run started
	Action string  `json:"action"` // update_shard_count | rate | restart | resume
	Detail string  `json:"detail"` // what changed, e.g. "2 -> 4 shards"
	OK     bool    `json:"ok"`
	Error  string  `json:"error,omitempty"`
}

// ShardStats are one shard's counters over the run.
type ShardStats struct {
	ShardID   string `json:"shard_id"`
	Records   int64  `json:"records"`
	Bytes     int64  `json:"bytes"`
	Throttled int64  `json:"throttled"`
	Consumed  int64  `json:"consumed"`
	// KinesisRecords counts the Kinesis records that carried Records (user
	// records): the unit of the 1,000 records/s quota.
	KinesisRecords     int64   `json:"kinesis_records"`
	KinesisRecordsPerS float64 `json:"kinesis_records_per_s"`
	// RecordQuotaUse and ByteQuotaUse are the shard's write rate as a share
	// of its two quotas (1,000 Kinesis records/s and 1 MiB/s); Binding names
	// the one nearer its limit: "records" or "bytes".
	RecordQuotaUse float64 `json:"record_quota_use"`
	ByteQuotaUse   float64 `json:"byte_quota_use"`
	Binding        string  `json:"binding"`
	// RecordsPerS and BytesPerS are over the time the shard was written to
	// (first to last acknowledged write), not the whole run.
	RecordsPerS float64 `json:"records_per_s"`
	BytesPerS   float64 `json:"bytes_per_s"`
	// ThrottleRatio is throttled / (records + throttled) on this shard.
	ThrottleRatio float64 `json:"throttle_ratio"`
	// E2E is the primary consumer's end-to-end latency of this shard's
	// records; a hot shard shows here as well as in Throttled.
	E2E LatencyStats `json:"e2e"`
	// Closed marks a parent shard closed by resharding during the run.
	Closed bool `json:"closed,omitempty"`
	// The primary consumer's late records read from this shard; a key
	// counts on the shard its first late record was read from.
	OutOfOrder                int64 `json:"out_of_order"`
	OutOfOrderKeys            int64 `json:"out_of_order_keys"`
	OutOfOrderMaxDisplacement int64 `json:"out_of_order_max_displacement"`
}

// ConsumerStats is one consumer application's own accounting. The primary
// (first) application's numbers are also the totals and latencies.
type ConsumerStats struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"` // polling | fanout: how it actually read
	Primary bool   `json:"primary"`
	// Fallback says why the application read differently from what the
	// scenario asked (a fan-out consumer the target cannot serve polls).
	Fallback string `json:"fallback,omitempty"`
	Consumed int64  `json:"consumed"` // distinct records of this run seen
	Lost     int64  `json:"lost"`     // as totals.lost, for this application
	Unread   int64  `json:"unread"`   // as totals.unread
	// FailedDelivered is as totals.failed_delivered, for this application.
	FailedDelivered int64 `json:"failed_delivered"`
	Duplicates      int64 `json:"duplicates"`
	Calls           int64 `json:"calls"`     // GetRecords calls, or SubscribeToShard calls for fan-out
	Throttled       int64 `json:"throttled"` // throttled calls
	// ConsumedRPS is records consumed per second over the measured window.
	ConsumedRPS float64 `json:"consumed_rps"`
	// MillisBehindMax is the largest MillisBehindLatest seen.
	MillisBehindMax int64 `json:"millis_behind_max"`
	// Checkpoints is how many checkpoints the application took, and AtRiskMax
	// the most records processed but not yet checkpointed at any moment:
	// what a crash would have made it read again.
	Checkpoints int64 `json:"checkpoints"`
	AtRiskMax   int64 `json:"at_risk_max"`
	// Restarts counts the restart events that stopped the application, and
	// Rewound the records it had processed but not checkpointed when
	// stopped: it read them again after resuming from its checkpoints.
	Restarts int64 `json:"restarts,omitempty"`
	Rewound  int64 `json:"rewound,omitempty"`
	// Order is the application's out-of-order accounting.
	Order
	// ProcessingS is the simulated per-record processing time the
	// application spent, in seconds, summed over its shards.
	ProcessingS float64 `json:"processing_s,omitempty"`
	// DecodeNsPerRecord is the time spent decompressing and de-aggregating,
	// per user record of the packed Kinesis records (0 when none were
	// packed); Corrupt counts Kinesis records that failed to unpack.
	DecodeNsPerRecord float64 `json:"decode_ns_per_record"`
	Corrupt           int64   `json:"corrupt"`
	// Latency holds the application's own e2e, e2e_uncorrected and
	// arrival_to_consumed histograms.
	Latency  map[string]LatencyStats `json:"latency"`
	Deadline *DeadlineStats          `json:"deadline,omitempty"`
}

// ThresholdResult is one evaluated threshold expression.
type ThresholdResult struct {
	Expr  string  `json:"expr"`
	Value float64 `json:"value"`
	OK    bool    `json:"ok"`
	Error string  `json:"error,omitempty"`
	// NoData marks a threshold on a statistic of nothing (see NoData), such
	// as a latency percentile when nothing was consumed: it fails, and Error
	// says which count was zero.
	NoData bool `json:"no_data,omitempty"`
}

// nsToMS converts nanoseconds to milliseconds rounded to three decimals.
func nsToMS(ns float64) float64 {
	return math.Round(ns/1e3) / 1e3
}

// LatencyFrom summarises a histogram of nanosecond values. A nil or empty
// histogram gives zero stats.
func LatencyFrom(h *hdrhistogram.Histogram) LatencyStats {
	if h == nil || h.TotalCount() == 0 {
		return LatencyStats{}
	}
	return LatencyStats{
		Count: h.TotalCount(),
		P50:   nsToMS(float64(h.ValueAtQuantile(50))),
		P90:   nsToMS(float64(h.ValueAtQuantile(90))),
		P99:   nsToMS(float64(h.ValueAtQuantile(99))),
		P999:  nsToMS(float64(h.ValueAtQuantile(99.9))),
		Max:   nsToMS(float64(h.Max())),
		Mean:  nsToMS(h.Mean()),
	}
}

// normalized returns a shallow copy of s whose slices and maps encode as []
// and {} rather than null, so readers of summary.json can rely on the types.
func (s *Summary) normalized() *Summary {
	c := *s
	if c.Scenario == nil {
		c.Scenario = map[string]any{}
	}
	if c.Latency == nil {
		c.Latency = map[string]LatencyStats{}
	}
	if c.Totals.FailedByReason == nil {
		c.Totals.FailedByReason = map[string]int64{}
	}
	if c.Totals.UnsentByCause == nil {
		c.Totals.UnsentByCause = map[string]int64{}
	}
	if c.PerShard == nil {
		c.PerShard = []ShardStats{}
	}
	if c.Thresholds == nil {
		c.Thresholds = []ThresholdResult{}
	}
	return &c
}

// WriteSummary writes s as dir/summary.json, indented, atomically: readers
// see either the old file or the whole new one.
func WriteSummary(dir string, s *Summary) error {
	if s == nil {
		return errors.New("results: nil summary")
	}
	b, err := json.MarshalIndent(s.normalized(), "", "  ")
	if err != nil {
		return fmt.Errorf("results: encode summary: %w", err)
	}
	return WriteFileAtomic(filepath.Join(dir, SummaryFile), append(b, '\n'))
}

// MaxSummaryBytes is the largest summary.json ReadSummary reads (64 MiB,
// hundreds of times a real one), so a stray or hostile file cannot take the
// memory of a compare or report.
const MaxSummaryBytes = 64 << 20

// ReadSummary reads dir/summary.json. It rejects a file over
// MaxSummaryBytes (reading no further) and a schema version newer than this
// package knows.
func ReadSummary(dir string) (*Summary, error) {
	path := filepath.Join(dir, SummaryFile)
	b, err := readLimited(path, MaxSummaryBytes)
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("results: decode %s: %w", filepath.Join(dir, SummaryFile), err)
	}
	if s.SchemaVersion > SchemaVersion {
		return nil, fmt.Errorf("results: %s has schema_version %d; this kbench reads up to %d",
			filepath.Join(dir, SummaryFile), s.SchemaVersion, SchemaVersion)
	}
	return &s, nil
}

// WriteFileAtomic writes data to a temporary file in path's directory and
// renames it over path.
func WriteFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	tmp := f.Name()
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("results: write %s: %w", path, err)
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("results: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("results: %w", err)
	}
	return nil
}

// SizeStats summarises a record-size histogram, in bytes.
type SizeStats struct {
	Count int64   `json:"count"`
	Min   int64   `json:"min"`
	P50   int64   `json:"p50"`
	P99   int64   `json:"p99"`
	Max   int64   `json:"max"`
	Mean  float64 `json:"mean"`
}

// SizeFrom summarises a size histogram (metrics.NewSizeHistogram). Values
// are the histogram's, exact to its three significant digits.
func SizeFrom(h *hdrhistogram.Histogram) SizeStats {
	if h == nil || h.TotalCount() == 0 {
		return SizeStats{}
	}
	return SizeStats{
		Count: h.TotalCount(),
		Min:   h.Min(),
		P50:   h.ValueAtQuantile(50),
		P99:   h.ValueAtQuantile(99),
		Max:   h.Max(),
		Mean:  math.Round(h.Mean()*10) / 10,
	}
}
