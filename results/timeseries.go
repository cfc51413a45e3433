package results

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/kbench/kbench/internal/clip"
)

// Phases of a run, as written in timeseries.csv.
const (
	PhaseWarmup  = "warmup"
	PhaseMeasure = "measure"
	PhaseDrain   = "drain"
)

// Row is one second of a run in timeseries.csv. Counters are that second's
// deltas; latencies are that second's interval percentiles in milliseconds,
// 0 when nothing was recorded.
type Row struct {
	Second        int     // seconds since the run started; the row covers [Second, Second+1)
	Phase         string  // warmup | measure | drain
	TargetRPS     float64 // the rate profile's target for that second
	Produced      int64
	Acked         int64
	Throttled     int64
	Failed        int64
	Consumed      int64
	AckedBytes    int64
	ConsumedBytes int64
	E2EP50        float64
	E2EP99        float64
	PutP99        float64
	MillisBehind  int64 // latest MillisBehindLatest, max over shards
	InFlight      int   // PutRecords calls in flight at the sample
	E2EMax        float64
	PutP50        float64
	// Backlog is records acknowledged but not yet consumed (by the primary
	// consumer application) at the sample.
	Backlog int64
	// Measured and OnTime count the records measured in the second and
	// those of them consumed within their deadline.
	Measured int64
	OnTime   int64
	// Shards is the number of open shards the producers write to.
	Shards int
	// GetThrottled counts GetRecords calls rejected for throughput.
	GetThrottled int64
	// OutOfOrder counts the records the primary consumer application
	// consumed out of their production order; Duplicates the records any
	// consumer application consumed again.
	OutOfOrder, Duplicates int64
	// AckedKinesis counts the Kinesis records acknowledged in the second:
	// Acked counts the user records in them, which are more when producers
	// aggregate (KPL format). Zero in files written before the column.
	AckedKinesis int64
	// Destinations holds one entry per destination of the application
	// under test, in the scenario's order (columns
	// destination.<name>.<field>); nil when the run had none.
	Destinations []DestinationRow
}

// DestinationRow is one destination's second in timeseries.csv.
type DestinationRow struct {
	Name string
	// Outputs counts the outputs that arrived in the second.
	Outputs int64
	// E2EP50 and E2EP99 are that second's percentiles of the measured
	// outputs' end-to-end latency (ms), 0 when none was measured.
	E2EP50, E2EP99 float64
	// Missing is how many expected outputs had not been seen at the
	// sample: those still on their way, and after the drain those that
	// never came.
	Missing int64
}

// destinationFields are the per-destination column suffixes, in
// DestinationRow's field order.
var destinationFields = []string{"outputs", "e2e_p50_ms", "e2e_p99_ms", "missing"}

// destinationPrefix starts every per-destination column name.
const destinationPrefix = "destination."

// destinationColumn splits a per-destination column name into the
// destination's name and the field's index in destinationFields.
func destinationColumn(col string) (name string, field int, ok bool) {
	rest, ok := strings.CutPrefix(col, destinationPrefix)
	if !ok {
		return "", 0, false
	}
	for i, f := range destinationFields {
		if name, ok := strings.CutSuffix(rest, "."+f); ok && name != "" {
			return name, i, true
		}
	}
	return "", 0, false
}

// TimeseriesDestinations returns the destinations' names of rows, as
// NewTimeseriesWriter takes them.
func TimeseriesDestinations(rows []Row) []string {
	if len(rows) == 0 {
		return nil
	}
	var names []string
	for _, d := range rows[0].Destinations {
		names = append(names, d.Name)
	}
	return names
}

// timeseriesColumns are the CSV header names, in Row's field order.
var timeseriesColumns = []string{
	"second", "phase", "target_rps", "produced", "acked", "throttled", "failed", "consumed",
	"acked_bytes", "consumed_bytes", "e2e_p50_ms", "e2e_p99_ms", "put_p99_ms", "millis_behind", "in_flight",
	"e2e_max_ms", "put_p50_ms", "backlog", "measured", "on_time", "shards", "get_throttled",
	"out_of_order", "duplicates", "acked_kinesis_records",
}

// TimeseriesWriter writes rows of timeseries.csv. It is not safe for
// concurrent use.
type TimeseriesWriter struct {
	w     *csv.Writer
	dests []string
}

// NewTimeseriesWriter writes the CSV header to w, with the columns of the
// named destinations of the application under test after the run's own,
// and returns a writer for the rows.
func NewTimeseriesWriter(w io.Writer, destinations ...string) (*TimeseriesWriter, error) {
	t := &TimeseriesWriter{w: csv.NewWriter(w), dests: destinations}
	header := slices.Clone(timeseriesColumns)
	for _, name := range destinations {
		for _, f := range destinationFields {
			header = append(header, destinationPrefix+name+"."+f)
		}
	}
	if err := t.w.Write(header); err != nil {
		return nil, fmt.Errorf("results: timeseries header: %w", err)
	}
	return t, nil
}

// Write appends one row, whose Destinations must be the writer's, in its
// order. Rows are buffered until Flush.
func (t *TimeseriesWriter) Write(r Row) error {
	if len(r.Destinations) != len(t.dests) {
		return fmt.Errorf("results: timeseries row of second %d: %d destinations, want %d", r.Second, len(r.Destinations), len(t.dests))
	}
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	rec := []string{
		strconv.Itoa(r.Second), r.Phase, f(r.TargetRPS), i(r.Produced), i(r.Acked), i(r.Throttled),
		i(r.Failed), i(r.Consumed), i(r.AckedBytes), i(r.ConsumedBytes), f(r.E2EP50), f(r.E2EP99),
		f(r.PutP99), i(r.MillisBehind), strconv.Itoa(r.InFlight),
		f(r.E2EMax), f(r.PutP50), i(r.Backlog), i(r.Measured), i(r.OnTime), strconv.Itoa(r.Shards),
		i(r.GetThrottled), i(r.OutOfOrder), i(r.Duplicates), i(r.AckedKinesis),
	}
	for k, d := range r.Destinations {
		if d.Name != t.dests[k] {
			return fmt.Errorf("results: timeseries row of second %d: destination %q where %q was expected", r.Second, d.Name, t.dests[k])
		}
		rec = append(rec, i(d.Outputs), f(d.E2EP50), f(d.E2EP99), i(d.Missing))
	}
	if err := t.w.Write(rec); err != nil {
		return fmt.Errorf("results: timeseries row: %w", err)
	}
	return nil
}

// Flush writes buffered rows to the underlying writer.
func (t *TimeseriesWriter) Flush() error {
	t.w.Flush()
	if err := t.w.Error(); err != nil {
		return fmt.Errorf("results: timeseries flush: %w", err)
	}
	return nil
}

// ReadTimeseries reads timeseries.csv. Columns are matched by header name,
// so their order may change; unknown columns are ignored and missing ones
// read as zero, except "second", which is required. Every row holds the
// destinations named by destination.<name>.<field> columns, in the order
// the header first names them.
func ReadTimeseries(r io.Reader) ([]Row, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("results: timeseries header: %w", err)
	}
	col := map[string]int{}
	var dests []string
	for i, name := range header {
		col[name] = i
		if d, _, ok := destinationColumn(name); ok && !slices.Contains(dests, d) {
			dests = append(dests, d)
		}
	}
	if _, ok := col["second"]; !ok {
		return nil, errors.New(`reports: timeseries: no "second" column`)
	}
	var rows []Row
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("results: timeseries: %w", err)
		}
		p := rowParser{rec: rec, col: col}
		row := Row{
			Second:        int(p.int("second")),
			Phase:         p.str("phase"),
			TargetRPS:     p.float("target_rps"),
			Produced:      p.int("produced"),
			Acked:         p.int("acked"),
			Throttled:     p.int("throttled"),
			Failed:        p.int("failed"),
			Consumed:      p.int("consumed"),
			AckedBytes:    p.int("acked_bytes"),
			ConsumedBytes: p.int("consumed_bytes"),
			E2EP50:        p.float("e2e_p50_ms"),
			E2EP99:        p.float("e2e_p99_ms"),
			PutP99:        p.float("put_p99_ms"),
			MillisBehind:  p.int("millis_behind"),
			InFlight:      int(p.int("in_flight")),
			E2EMax:        p.float("e2e_max_ms"),
			PutP50:        p.float("put_p50_ms"),
			Backlog:       p.int("backlog"),
			Measured:      p.int("measured"),
			OnTime:        p.int("on_time"),
			Shards:        int(p.int("shards")),
			GetThrottled:  p.int("get_throttled"),
			OutOfOrder:    p.int("out_of_order"),
			Duplicates:    p.int("duplicates"),
			AckedKinesis:  p.int("acked_kinesis_records"),
		}
		for _, d := range dests {
			at := func(f int) string { return destinationPrefix + d + "." + destinationFields[f] }
			row.Destinations = append(row.Destinations, DestinationRow{Name: d, Outputs: p.int(at(0)),
				E2EP50: p.float(at(1)), E2EP99: p.float(at(2)), Missing: p.int(at(3))})
		}
		if p.err != nil {
			return nil, fmt.Errorf("results: timeseries line %d: %w", line, p.err)
		}
		rows = append(rows, row)
	}
}

// rowParser reads named fields of one CSV record, keeping the first error.
type rowParser struct {
	rec []string
	col map[string]int
	err error
}

func (p *rowParser) str(name string) string {
	i, ok := p.col[name]
	if !ok || i >= len(p.rec) {
		return ""
	}
	return p.rec[i]
}

func (p *rowParser) int(name string) int64 {
	s := p.str(name)
	if s == "" || p.err != nil {
		return 0
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		p.err = fmt.Errorf("%s: %w", name, err)
	}
	return v
}

func (p *rowParser) float(name string) float64 {
	s := p.str(name)
	if s == "" || p.err != nil {
		return 0
	}
	v, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil:
		p.err = fmt.Errorf("%s: %w", name, err)
	case math.IsNaN(v) || math.IsInf(v, 0):
		p.err = fmt.Errorf("%s: %s is not a finite number", name, clip.Quote(s))
	}
	return v
}

// ThroughputOf is the throughput of the measured window: the mean of the
// rows in phase measure (zero when there are none).
func ThroughputOf(rows []Row) Throughput {
	var tp Throughput
	var n float64
	for _, row := range rows {
		if row.Phase != PhaseMeasure {
			continue
		}
		n++
		tp.TargetRPS += row.TargetRPS
		tp.ProducedRPS += float64(row.Produced)
		tp.AckedRPS += float64(row.Acked)
		tp.ConsumedRPS += float64(row.Consumed)
		tp.ProducedBytesPerS += float64(row.AckedBytes)
		tp.ConsumedBytesPerS += float64(row.ConsumedBytes)
	}
	if n > 0 {
		tp.TargetRPS /= n
		tp.ProducedRPS /= n
		tp.AckedRPS /= n
		tp.ConsumedRPS /= n
		tp.ProducedBytesPerS /= n
		tp.ConsumedBytesPerS /= n
	}
	return tp
}
