package reports

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/kbench/kbench/internal/textfmt"
	"github.com/kbench/kbench/results"
)

// destinationOnTime is a destination's on-time share, or "–" without a
// deadline.
func destinationOnTime(d results.DestinationStats) string {
	if d.Deadline == nil || d.Expected == 0 {
		return "–"
	}
	return fmtPct(d.Deadline.OnTimeRatio)
}

// writeDestinations writes the application's destinations as a table.
func writeDestinations(w io.Writer, s *results.Summary) {
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
			d.Name, d.Kind, d.Expect, textfmt.Int(d.Outputs), textfmt.Int(d.Expected), textfmt.Int(d.Missing), textfmt.Int(d.Unexpected),
			textfmt.Int(d.Duplicates), fmtPct(d.Recall), fmtPct(d.Precision), fmtMS(e2e.P50), fmtMS(e2e.P99), destinationOnTime(d))
	}
	_ = tw.Flush()
}

// mdDestinations writes the destinations' table of report.md.
func mdDestinations(b *strings.Builder, s *results.Summary) {
	if len(s.Destinations) == 0 {
		return
	}
	b.WriteString("### Destinations of the application under test\n\n| destination | kind | outputs | expected | missing | unexpected | dupes | recall | precision | e2e p50 ms | e2e p99 ms | application p99 ms | on time |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, d := range s.Destinations {
		fmt.Fprintf(b, "| %s | %s, %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			textfmt.MDEscape(d.Name), d.Kind, d.Expect, textfmt.Int(d.Outputs), textfmt.Int(d.Expected), textfmt.Int(d.Missing),
			textfmt.Int(d.Unexpected), textfmt.Int(d.Duplicates), fmtPct(d.Recall), fmtPct(d.Precision),
			fmtMS(d.Latency["e2e"].P50), fmtMS(d.Latency["e2e"].P99), fmtMS(d.Latency["application"].P99), destinationOnTime(d))
	}
	b.WriteString("\n")
}
