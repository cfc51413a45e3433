package reports

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

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
	// Evicted is how many inputs kbench forgot (bounded memory) before
	// any output named them; they count in Missing.
	Evicted int64 `json:"evicted,omitempty"`
	// Recall is (Expected − Missing) / Expected; Precision is matched
	// outputs / Outputs. Both are 0 when their denominator is.
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
	// Measured outputs (inputs after the warmup), OnTime of them within
	// the deadline, and OnTimeRatio = OnTime / Expected: an expected
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

// destinationOnTime is a destination's on-time share, or "–" without a
// deadline.
func destinationOnTime(d DestinationStats) string {
	if d.Deadline == nil || d.Expected == 0 {
		return "–"
	}
	return fmtPct(d.Deadline.OnTimeRatio)
}

// writeDestinations writes the application's destinations as a table.
func writeDestinations(w io.Writer, s *Summary) {
	if s.Application != nil && s.Application.Exit != "" {
		fmt.Fprintf(w, "  application %s (ready after %.1fs, %s); output in %s\n",
			strings.Join(s.Application.Command, " "), s.Application.ReadyS, s.Application.Exit, s.Application.Log)
	}
	if len(s.Destinations) == 0 {
		return
	}
	fmt.Fprintln(w, "  destinations (latency from each input's intended send time to its output)")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, d := range s.Destinations {
		e2e := d.Latency["e2e"]
		fmt.Fprintf(tw, "    %s\t%s, %s\toutputs %s\texpected %s\tmissing %s\tunexpected %s\tdupes %s\trecall %s\tprecision %s\te2e p50 %s ms\tp99 %s ms\ton time %s\n",
			d.Name, d.Kind, d.Expect, fmtInt(d.Outputs), fmtInt(d.Expected), fmtInt(d.Missing), fmtInt(d.Unexpected),
			fmtInt(d.Duplicates), fmtPct(d.Recall), fmtPct(d.Precision), fmtMS(e2e.P50), fmtMS(e2e.P99), destinationOnTime(d))
	}
	_ = tw.Flush()
}

// mdDestinations writes the destinations' table of report.md.
func mdDestinations(b *strings.Builder, s *Summary) {
	if len(s.Destinations) == 0 {
		return
	}
	b.WriteString("### Destinations of the application under test\n\n| destination | kind | outputs | expected | missing | unexpected | dupes | recall | precision | e2e p50 ms | e2e p99 ms | application p99 ms | on time |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, d := range s.Destinations {
		fmt.Fprintf(b, "| %s | %s, %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			mdEscape(d.Name), d.Kind, d.Expect, fmtInt(d.Outputs), fmtInt(d.Expected), fmtInt(d.Missing),
			fmtInt(d.Unexpected), fmtInt(d.Duplicates), fmtPct(d.Recall), fmtPct(d.Precision),
			fmtMS(d.Latency["e2e"].P50), fmtMS(d.Latency["e2e"].P99), fmtMS(d.Latency["application"].P99), destinationOnTime(d))
	}
	b.WriteString("\n")
}
