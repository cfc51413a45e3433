package main

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// benchResult is every round of one benchmark: for each unit (ns/op,
// records/s, ...) the values in round order.
type benchResult struct {
	name   string
	units  []string // in first-seen order
	values map[string][]float64
}

// parseGoBench reads `go test -bench` output and returns its benchmarks in
// first-seen order. Lines of skipped rounds (0 iterations) are ignored.
func parseGoBench(r io.Reader) ([]*benchResult, error) {
	byName := map[string]*benchResult{}
	var order []*benchResult
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		// Name, iterations, then value/unit pairs.
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		n, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || n == 0 {
			continue
		}
		res := byName[f[0]]
		if res == nil {
			res = &benchResult{name: f[0], values: map[string][]float64{}}
			byName[f[0]] = res
			order = append(order, res)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%s: value %q: %w", f[0], f[i], err)
			}
			unit := f[i+1]
			if _, seen := res.values[unit]; !seen {
				res.units = append(res.units, unit)
			}
			res.values[unit] = append(res.values[unit], v)
		}
	}
	return order, sc.Err()
}

// median returns the median of vs (the mean of the middle two for an even
// count); vs must not be empty.
func median(vs []float64) float64 {
	s := slices.Clone(vs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Benchmarks whose records/s give the simulator/kinesis-mock ratio.
const (
	ingestSim  = "BenchmarkIngest/engine=sim"
	ingestMock = "BenchmarkIngest/engine=kinesis-mock"
)

// writeMedians prints one line per benchmark: its rounds and the median of
// each metric, then the ingest ratio when both engines ran.
func writeMedians(w io.Writer, results []*benchResult) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "benchmark\trounds\tmedians")
	for _, r := range results {
		parts := make([]string, len(r.units))
		for i, u := range r.units {
			parts[i] = formatValue(median(r.values[u])) + " " + u
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\n", r.name, len(r.values[r.units[0]]), strings.Join(parts, "  "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	sim, mock := find(results, ingestSim), find(results, ingestMock)
	if sim == nil || mock == nil || len(sim.values["records/s"]) == 0 || len(mock.values["records/s"]) == 0 {
		return nil
	}
	s, m := median(sim.values["records/s"]), median(mock.values["records/s"])
	_, err := fmt.Fprintf(w, "ingest: sim %s records/s, kinesis-mock %s records/s (medians, same run): sim/kinesis-mock = %.0fx\n",
		formatValue(s), formatValue(m), s/m)
	return err
}

// find returns the result whose name, less the -GOMAXPROCS suffix, is name.
func find(results []*benchResult, name string) *benchResult {
	for _, r := range results {
		if trimProcs(r.name) == name {
			return r
		}
	}
	return nil
}

// trimProcs drops the "-N" GOMAXPROCS suffix go test adds to names.
func trimProcs(name string) string {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return name
	}
	if _, err := strconv.Atoi(name[i+1:]); err != nil {
		return name
	}
	return name[:i]
}

// formatValue prints v with about four significant digits, without
// exponent for the magnitudes benchmarks report.
func formatValue(v float64) string {
	switch a := max(v, -v); {
	case a >= 1000:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 3, 64)
	default:
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
}
