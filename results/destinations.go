package results

// DestinationStats is one destination of the application under test: what
// the application wrote there and how long it took, from the inputs'
// intended send times (summary.json destinations[]).
type DestinationStats struct {
	Name string `json:"name"`
	Kind string `json:"kind"` // kinesis | http | stdout
	// Expect is one, some or many outputs per input.
	Expect string `json:"expect"`
	// Correlation is how outputs were matched to inputs: "envelope" or
	// "field:<input>=<output>".
	Correlation string `json:"correlation"`
	// Outputs counts every output received; Expected is how many should
	// have come (inputs for one and many, ground-truth incidents for
	// some); Missing is how many of those had none by the end of the
	// drain; Unexpected outputs matched nothing; Duplicates are further
	// outputs of an input (incident) that already had one.
	Outputs    int64 `json:"outputs"`
	Expected   int64 `json:"expected"`
	Missing    int64 `json:"missing"`
	Unexpected int64 `json:"unexpected"`
	Duplicates int64 `json:"duplicates"`
	// Unmeasured (some) is how many outputs first answered an incident
	// that is not expected: one of the warmup, or one the end of the run
	// cut short. They are correct outputs for inputs that are not
	// measured: matched (precision counts them), neither expected nor
	// unexpected, so that Outputs = (Expected − Missing) + Unmeasured +
	// Duplicates + Unexpected.
	Unmeasured int64 `json:"unmeasured"`
	// Evicted is how many inputs kbench forgot (bounded memory) before
	// any output named them; they count in Missing.
	Evicted int64 `json:"evicted,omitempty"`
	// Recall is (Expected − Missing) / Expected; Precision is matched
	// outputs / Outputs. Both are 0 when their denominator is, and then
	// "no data" (NoData) to thresholds, gates and reports.
	Recall    float64 `json:"recall"`
	Precision float64 `json:"precision"`
	// OutputsRPS is Outputs over the time between the first and the last.
	OutputsRPS float64 `json:"outputs_rps"`
	// Latency holds e2e (intended send time → output arrival),
	// e2e_uncorrected (actual send time → output arrival) and application
	// (the input's send → output arrival: the application's own time plus
	// the write into the source stream).
	Latency  map[string]LatencyStats `json:"latency"`
	Deadline *DestinationDeadline    `json:"deadline,omitempty"`
}

// DestinationDeadline is a destination's time value of data.
type DestinationDeadline struct {
	DeadlineMS float64 `json:"deadline_ms"`
	// Scheduled is how many outputs were due: the destination's Expected,
	// the denominator of OnTimeRatio. When it is 0 the ratio is "no data"
	// (NoData).
	Scheduled int64 `json:"scheduled"`
	// Measured outputs (inputs after the warmup), OnTime of them within
	// the deadline, and OnTimeRatio = OnTime / Scheduled: an expected
	// output that never came is not on time.
	Measured    int64   `json:"measured"`
	OnTime      int64   `json:"on_time"`
	OnTimeRatio float64 `json:"on_time_ratio"`
}

// ApplicationInfo is the application under test as it ran (summary.json
// application).
type ApplicationInfo struct {
	Command  []string `json:"command,omitempty"`
	External bool     `json:"external,omitempty"`
	// Log is the file, in the results directory, holding its standard
	// output and error.
	Log string `json:"log,omitempty"`
	// ReadyS is how long it took to become ready.
	ReadyS float64 `json:"ready_s,omitempty"`
	// Exit is how it ended: "stopped" (by kbench), "exited early: …" or
	// "killed after the grace period".
	Exit string `json:"exit,omitempty"`
}
