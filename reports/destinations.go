package reports

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/kbench/kbench/internal/textfmt"
	"github.com/kbench/kbench/results"
)

// destinationCells is a destination's figures as the tables show them: a
// ratio whose denominator is 0 (results.NoData: recall with nothing
// expected, precision with no output, the on-time share with nothing due)
// and the percentiles of an empty histogram read "no data"; the on-time
// share reads "–" without a deadline.
type destinationCells struct {
	Recall, Precision, OnTime string
	E2EP50, E2EP99, AppP99    string
}

// cellsOf formats d, whose metrics are in m (Summary.Metrics).
func cellsOf(m map[string]float64, d results.DestinationStats) destinationCells {
	ratio := func(field string, v float64) string {
		if _, empty := results.NoData(m, "destinations."+d.Name+"."+field); empty {
			return "no data"
		}
		return fmtPct(v)
	}
	lat := func(l results.LatencyStats, v float64) string {
		if l.Count == 0 {
			return "no data"
		}
		return fmtMS(v)
	}
	e2e, app := d.Latency["e2e"], d.Latency["application"]
	c := destinationCells{Recall: ratio("recall", d.Recall), Precision: ratio("precision", d.Precision), OnTime: "–",
		E2EP50: lat(e2e, e2e.P50), E2EP99: lat(e2e, e2e.P99), AppP99: lat(app, app.P99)}
	if d.Deadline != nil {
		c.OnTime = ratio("deadline.on_time_ratio", d.Deadline.OnTimeRatio)
	}
	return c
}

// inMS adds the unit to a formatted latency, not to "no data".
func inMS(cell string) string {
	if cell == "no data" {
		return cell
	}
	return cell + " ms"
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
	m := s.Metrics()
	for _, d := range s.Destinations {
		c := cellsOf(m, d)
		fmt.Fprintf(tw, "    %s\t%s, %s\toutputs %s\texpected %s\tmissing %s\tunexpected %s\tdupes %s\trecall %s\tprecision %s\te2e p50 %s\tp99 %s\ton time %s\n",
			d.Name, d.Kind, d.Expect, textfmt.Int(d.Outputs), textfmt.Int(d.Expected), textfmt.Int(d.Missing), textfmt.Int(d.Unexpected),
			textfmt.Int(d.Duplicates), c.Recall, c.Precision, inMS(c.E2EP50), inMS(c.E2EP99), c.OnTime)
	}
	_ = tw.Flush()
	for _, d := range s.Destinations {
		if note := unmeasuredNote(d); note != "" {
			fmt.Fprintf(w, "    %s: %s\n", d.Name, note)
		}
	}
}

// unmeasuredNote says how many of d's outputs answered incidents that are
// not expected, or "" when none did.
func unmeasuredNote(d results.DestinationStats) string {
	if d.Unmeasured == 0 {
		return ""
	}
	return fmt.Sprintf("%s outputs answered incidents outside the measured part (the warmup, or cut short by the end): "+
		"matched, neither expected nor unexpected", textfmt.Int(d.Unmeasured))
}

// mdDestinations writes the destinations' table of report.md, and under
// it each destination's course over the run from the time series rows.
func mdDestinations(b *strings.Builder, s *results.Summary, rows []results.Row) {
	if len(s.Destinations) == 0 {
		return
	}
	b.WriteString("### Destinations of the application under test\n\n| destination | kind | outputs | expected | missing | unexpected | dupes | recall | precision | e2e p50 ms | e2e p99 ms | application p99 ms | on time |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	m := s.Metrics()
	for _, d := range s.Destinations {
		c := cellsOf(m, d)
		fmt.Fprintf(b, "| %s | %s, %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			textfmt.MDEscape(d.Name), d.Kind, d.Expect, textfmt.Int(d.Outputs), textfmt.Int(d.Expected), textfmt.Int(d.Missing),
			textfmt.Int(d.Unexpected), textfmt.Int(d.Duplicates), c.Recall, c.Precision, c.E2EP50, c.E2EP99, c.AppP99, c.OnTime)
	}
	b.WriteString("\n")
	for _, d := range s.Destinations {
		if note := unmeasuredNote(d); note != "" {
			fmt.Fprintf(b, "- `%s`: %s.\n", textfmt.MDEscape(d.Name), note)
		}
	}
	for i, name := range results.TimeseriesDestinations(rows) {
		fmt.Fprintf(b, "- `%s` over time: %s\n", name, textfmt.MDEscape(destinationTrend(rows, i)))
	}
	if len(results.TimeseriesDestinations(rows)) > 0 {
		fmt.Fprintf(b, "\nPer second in timeseries.csv (`destination.<name>.*`) and plotted in %s.\n\n", PNGDestinations)
	}
}

// destinationTrend sums up destination i's seconds in rows: its busiest
// second, its worst second's e2e p99 and the most expected outputs not
// seen yet at once, with the count left at the end.
func destinationTrend(rows []results.Row, i int) string {
	var peak, worst, most results.DestinationRow
	var peakAt, worstAt, mostAt int
	var last int64
	for _, r := range rows {
		if i >= len(r.Destinations) {
			continue
		}
		d := r.Destinations[i]
		if d.Outputs > peak.Outputs {
			peak, peakAt = d, r.Second
		}
		if d.E2EP99 > worst.E2EP99 {
			worst, worstAt = d, r.Second
		}
		if d.Missing > most.Missing {
			most, mostAt = d, r.Second
		}
		last = d.Missing
	}
	out := fmt.Sprintf("at most %s outputs/s (second %d)", textfmt.Int(peak.Outputs), peakAt)
	if worst.E2EP99 > 0 {
		out += fmt.Sprintf("; worst second's e2e p99 %s ms (second %d)", fmtMS(worst.E2EP99), worstAt)
	} else {
		out += "; no output measured"
	}
	return out + fmt.Sprintf("; expected outputs not seen yet: at most %s (second %d), %s at the end",
		textfmt.Int(most.Missing), mostAt, textfmt.Int(last))
}
