package results

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// PlanSchemaVersion is plan.json's schema version. Adding a key keeps it;
// changing a key's meaning bumps it.
const PlanSchemaVersion = 1

// PlanFile is the file name of a plan's data.
const PlanFile = "plan.json"

// HoursPerMonth is the hours in a billing month, as AWS's pricing pages
// count them (8,760 hours a year over 12 months).
const HoursPerMonth = 730

// Plan is what kbench plan predicts for a workload: every candidate stream
// layout the model ran, and the one it recommends. It is plan.json.
type Plan struct {
	SchemaVersion int `json:"schema_version"`
	// Scenario is the planned scenario's name, and Source its file (or
	// "flags" for a workload given on the command line).
	Scenario string `json:"scenario"`
	Source   string `json:"source"`
	// Cell is the matrix cell this plan is for, by its workload axes'
	// values (as in "producers[0].rate.rps=800"); "" without a matrix.
	Cell string `json:"cell,omitempty"`
	// Workload is what the stream must take.
	Workload PlanWorkload `json:"workload"`
	// Window is the simulated stretch each layout ran for.
	Window PlanWindow `json:"window"`
	// Headroom is the share of its write quota the hottest shard of a
	// recommended provisioned layout keeps free (0.1: offered at most 90%).
	Headroom float64 `json:"headroom"`
	// LatencyProfile names the latency profile the layouts ran with; ""
	// for the scenario's target.sim delays.
	LatencyProfile string `json:"latency_profile,omitempty"`
	// Thresholds are the scenario's thresholds, judged on every layout.
	Thresholds []string `json:"thresholds"`
	// Layouts are the candidates, provisioned ones by shard count first.
	Layouts []PlanLayout `json:"layouts"`
	// Recommended is the index in Layouts of the recommended layout, -1
	// when no layout meets the workload's needs.
	Recommended int `json:"recommended"`
	// Recommendation says what to do in one line, and Reason why.
	Recommendation string `json:"recommendation"`
	Reason         string `json:"reason"`
	// Verify is a kbench run command that runs the recommended layout on
	// the model for the scenario's whole duration ("" when there is no
	// recommendation, or no file to run).
	Verify string `json:"verify,omitempty"`
	PlanAbout
}

// PlanAbout is what a plan.json says of itself after its figures, a Plan
// and a PlanMatrix alike.
type PlanAbout struct {
	// Notes are what the plan assumed or changed, in sentences.
	Notes []string `json:"notes"`
	// Model is the model's own note: the numbers are predictions.
	Model string `json:"model"`
	// GeneratedAt is when the plan was made and ElapsedS how long it took
	// (wall time).
	GeneratedAt time.Time `json:"generated_at"`
	ElapsedS    float64   `json:"elapsed_s"`
	// KbenchVersion is the kbench that made the plan.
	KbenchVersion string `json:"kbench_version"`
}

// PlanMatrix is plan.json for a scenario whose matrix varies the
// workload: a plan per workload cell, each also written whole into the
// cell's own directory, and a summary across the cells. (A matrix that
// varies only what the plan chooses itself, the stream and the consumers'
// kinds, has one workload: its plan.json is a Plan.) It shares
// PlanSchemaVersion; the key "cells" tells it from a Plan.
type PlanMatrix struct {
	SchemaVersion int    `json:"schema_version"`
	Scenario      string `json:"scenario"`
	Source        string `json:"source"`
	// Axes are the matrix paths whose values make the cells' workloads.
	Axes []string `json:"axes"`
	// Cells are the workloads' plans, in the matrix's order.
	Cells []PlanCell `json:"cells"`
	// MostShards is the index in Cells of the cell whose recommended
	// layout has the most shards (the costliest of those on a tie), and
	// Cheapest that of the cell whose recommended layout costs least; -1
	// when no cell has a recommended provisioned layout, or none at all.
	MostShards int `json:"most_shards"`
	Cheapest   int `json:"cheapest"`
	// Recommendation sums the cells' recommendations up in one line, and
	// Reason says per cell what it needs.
	Recommendation string `json:"recommendation"`
	Reason         string `json:"reason"`
	// PlanAbout's notes are what the plan assumed or changed across the
	// cells (each cell's plan has its own).
	PlanAbout
}

// PlanCell is one workload cell of a PlanMatrix.
type PlanCell struct {
	// Cell labels the workload by its axes' values, as Plan.Cell, and
	// Values are those values alone, in the order of PlanMatrix.Axes.
	Cell   string   `json:"cell"`
	Values []string `json:"values"`
	// Dir is the cell's directory, relative to plan.json: its plan.json,
	// plan.md, plan.html and plan.png.
	Dir string `json:"dir"`
	// Plan is the cell's plan, the same as Dir/plan.json.
	Plan *Plan `json:"plan"`
}

// PlanWorkload describes the load a plan sizes the stream for.
type PlanWorkload struct {
	// PeakRPS is the producers' peak rates added up, records/s.
	PeakRPS float64 `json:"peak_rps"`
	// MeanRecordBytes is the mean record size, data and partition key.
	MeanRecordBytes float64 `json:"mean_record_bytes"`
	// PeakBytesPerS is PeakRPS times MeanRecordBytes.
	PeakBytesPerS float64 `json:"peak_bytes_per_s"`
	// PeakKinesisRPS and PeakSentBytesPerS are the peak as the write
	// quotas count it: Kinesis records/s (fewer than PeakRPS when the
	// producers aggregate) and bytes/s as sent (aggregated, compressed);
	// without packing they equal PeakRPS and PeakBytesPerS.
	PeakKinesisRPS    float64 `json:"peak_kinesis_rps"`
	PeakSentBytesPerS float64 `json:"peak_sent_bytes_per_s"`
	// Keys describes the producers' partition keys, such as
	// "zipf(1.1) over 1,000 keys".
	Keys string `json:"keys"`
	// Producers describes the producers' fleet (instances, calls in
	// flight) as the plan ran it.
	Producers []string `json:"producers"`
	// Consumers are the consumer applications, as the scenario has them.
	Consumers []PlanConsumer `json:"consumers"`
	// DeadlineMS is the scenario's deadline (0: none).
	DeadlineMS float64 `json:"deadline_ms"`
	// MinShardsRecords and MinShardsBytes are the fewest shards whose
	// write quotas (1,000 Kinesis records/s, 1 MiB/s each) add up to the
	// peak (PeakKinesisRPS, PeakSentBytesPerS);
	// MinShards is the larger: the minimum on average.
	MinShardsRecords int `json:"min_shards_records"`
	MinShardsBytes   int `json:"min_shards_bytes"`
	MinShards        int `json:"min_shards"`
	// HotMinShards is the fewest shards whose hottest shard is offered at
	// most its quota, given the key distribution; 0 when no shard count up
	// to the plan's limit gets there (a single key hotter than one shard).
	HotMinShards int `json:"hot_min_shards"`
	// RoomMinShards is the fewest shards whose hottest shard is offered at
	// most 1 - Plan.Headroom of its quota; 0 when none is.
	RoomMinShards int `json:"room_min_shards"`
	// HotUseAtMin is the hottest shard's offered load over its quota at
	// MinShards shards (1.12 is 112%).
	HotUseAtMin float64 `json:"hot_use_at_min"`
}

// PlanConsumer is one consumer application spec.
type PlanConsumer struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	Count int    `json:"count"`
}

// PlanWindow is the simulated stretch a plan runs each layout for.
type PlanWindow struct {
	WarmupS   float64 `json:"warmup_s"`
	DurationS float64 `json:"duration_s"`
	DrainS    float64 `json:"drain_s"`
}

// PlanLayout is one candidate layout and what the model predicts for it.
type PlanLayout struct {
	// Name is the layout in a few words, such as "8 shards, fan-out".
	Name string `json:"name"`
	// Mode is provisioned or on-demand; Shards the provisioned shard count
	// (0 on-demand).
	Mode   string `json:"mode"`
	Shards int    `json:"shards"`
	// Consumers is how the applications read: polling, fan-out, each
	// application's way, or the scenario's own mix ("as scenario").
	Consumers string `json:"consumers"`
	// Sets are the --set overrides that turn the planned scenario into
	// this layout (the plan's window left out).
	Sets []string `json:"sets"`
	// HotUse is the hottest shard's offered load over its write quota
	// (records or bytes, whichever is higher) at the peak rate, and
	// MeanUse the average shard's; 0 on-demand.
	HotUse  float64 `json:"hot_use"`
	MeanUse float64 `json:"mean_use"`
	// HotShard is the predicted busiest shard (nil when the model did not
	// run the layout).
	HotShard *PlanShard `json:"hot_shard,omitempty"`
	// TargetRPS is the rate asked for and AckedRPS the predicted
	// acknowledged rate (records acknowledged over the window).
	TargetRPS float64 `json:"target_rps"`
	AckedRPS  float64 `json:"acked_rps"`
	// ThrottleRatio is throttled record-attempts over all answered ones.
	ThrottleRatio float64 `json:"throttle_ratio"`
	// E2EP50MS and E2EP99MS are the slowest application's end-to-end
	// latency percentiles; Measured is false when no record was measured.
	E2EP50MS float64 `json:"e2e_p50_ms"`
	E2EP99MS float64 `json:"e2e_p99_ms"`
	Measured bool    `json:"measured"`
	// OnTimeRatio is the worst application's share of records consumed
	// within the deadline (1 without a deadline).
	OnTimeRatio float64 `json:"on_time_ratio"`
	// Verdict is the scenario's thresholds judged on the prediction, and
	// Failed the expressions that failed.
	Verdict string   `json:"verdict"`
	Failed  []string `json:"failed,omitempty"`
	// USDPerHour and USDPerMonth are the estimated cost at the average
	// rate, and Cost its lines (per hour).
	USDPerHour  float64        `json:"usd_per_hour"`
	USDPerMonth float64        `json:"usd_per_month"`
	Cost        []PlanCostItem `json:"cost"`
	// Meets says whether the layout meets the workload's needs, and Miss
	// why not.
	Meets bool   `json:"meets"`
	Miss  string `json:"miss,omitempty"`
	// Error is set when the model could not run the layout.
	Error string `json:"error,omitempty"`
}

// PlanShard is one shard's predicted write load: the user records it
// took per second, the Kinesis records carrying them (fewer when the
// producers aggregate) and their bytes as sent, and which of its two write
// quotas binds ("records" or "bytes": the nearer its limit).
type PlanShard struct {
	ShardID            string  `json:"shard_id"`
	RecordsPerS        float64 `json:"records_per_s"`
	KinesisRecordsPerS float64 `json:"kinesis_records_per_s"`
	BytesPerS          float64 `json:"bytes_per_s"`
	RecordQuotaUse     float64 `json:"record_quota_use"`
	ByteQuotaUse       float64 `json:"byte_quota_use"`
	Binding            string  `json:"binding"`
}

// PlanCostItem is one line of a layout's hourly cost.
type PlanCostItem struct {
	What     string  `json:"what"`
	Quantity float64 `json:"quantity"`
	PriceUSD float64 `json:"price_usd"`
	USD      float64 `json:"usd"`
}

// WritePlan writes p as path, indented.
func WritePlan(path string, p *Plan) error { return writePlanJSON(path, p) }

// WritePlanMatrix writes m as path, indented.
func WritePlanMatrix(path string, m *PlanMatrix) error { return writePlanJSON(path, m) }

func writePlanJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("results: plan: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("results: plan: %w", err)
	}
	return nil
}

// ReadPlan reads a plan.json.
func ReadPlan(path string) (*Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("results: plan: %w", err)
	}
	var p Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("results: plan %s: %w", path, err)
	}
	return &p, nil
}
