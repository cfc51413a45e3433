package generators

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxTraceRows bounds how many rows a trace file may hold: a year of
// one-minute periods fits.
const maxTraceRows = 1_000_000

// TracePoint is one row of a traffic trace: Count records in the period
// starting at Time.
type TracePoint struct {
	// Time is when the period starts.
	Time time.Time
	// Count is how many records the period holds, ≥ 0.
	Count float64
}

// Trace returns a pacer that replays a traffic trace: each point's Count
// spread evenly over its period (from its Time to the next point's), the
// last point's period as long as the one before it, with every rate
// multiplied by scale and every period divided by speed (speed 60 plays an
// hour in a minute at the trace's own rates). After the trace the last
// rate holds. Points must be in time order, at least two, with distinct
// times; otherwise the pacer sends nothing.
func Trace(points []TracePoint, scale, speed float64) Pacer {
	return Steps(traceSteps(points, scale, speed))
}

// traceSteps turns a trace into the steps that replay it.
func traceSteps(points []TracePoint, scale, speed float64) []Step {
	if len(points) < 2 || !(speed > 0) {
		return nil
	}
	list := make([]Step, len(points))
	for i, p := range points {
		var period time.Duration
		if i+1 < len(points) {
			period = points[i+1].Time.Sub(p.Time)
		} else {
			period = p.Time.Sub(points[i-1].Time)
		}
		if period <= 0 {
			return nil
		}
		list[i] = Step{RPS: p.Count / period.Seconds() * scale, For: time.Duration(float64(period) / speed)}
	}
	return list
}

var traceProfile = RateKind{
	Name:    "trace",
	Doc:     "A recorded traffic trace (CSV of time, records per period), scaled in height and compressed in time.",
	Options: func() RateOptions { return &TraceRate{Scale: 1, Speed: 1} },
}

// TraceRate is the options of the trace profile.
type TraceRate struct {
	// File is the CSV trace: rows of `time, value`, value being the records
	// in the period that starts at time (ISO-8601 or Unix seconds), such as
	// a CloudWatch IncomingRecords export. A relative path is relative to
	// the scenario file.
	File string `yaml:"file" json:"file" kbench:"required"`
	// Scale multiplies every rate, > 0. Default 1.
	Scale float64 `yaml:"scale" json:"scale"`
	// Speed divides every period, > 0: 60 plays an hour of trace in a
	// minute. Default 1.
	Speed float64 `yaml:"speed" json:"speed"`

	points []TracePoint
	// readErr is why File could not be read, with its line.
	readErr string
}

// Resolve implements FileOptions: it makes File relative to dir, so the
// resolved scenario names the file it read, and reads the trace.
func (o *TraceRate) Resolve(dir string) {
	o.points, o.readErr = nil, ""
	if o.File == "" {
		return
	}
	o.File = resolvePath(dir, o.File)
	pts, err := ReadTrace(o.File)
	if err != nil {
		o.readErr = err.Error()
		return
	}
	o.points = pts
}

// resolvePath joins a relative path to dir.
func resolvePath(dir, file string) string {
	if filepath.IsAbs(file) || dir == "" {
		return file
	}
	return filepath.Join(dir, file)
}

// Validate implements RateOptions.
func (o *TraceRate) Validate() []*FieldError {
	var errs []*FieldError
	switch {
	case o.File == "":
		errs = append(errs, &FieldError{Field: "file", Problem: "is required: a CSV of time, records per period"})
	case o.readErr != "":
		errs = append(errs, &FieldError{Field: "file", Problem: o.readErr})
	case o.points == nil:
		o.Resolve("")
		if o.readErr != "" {
			errs = append(errs, &FieldError{Field: "file", Problem: o.readErr})
		}
	}
	if !(o.Scale > 0) || math.IsInf(o.Scale, 0) {
		errs = append(errs, &FieldError{Field: "scale", Problem: fmt.Sprintf("must be a finite number greater than 0, got %g", o.Scale)})
	}
	if !(o.Speed > 0) || math.IsInf(o.Speed, 0) {
		errs = append(errs, &FieldError{Field: "speed", Problem: fmt.Sprintf("must be a finite number greater than 0, got %g", o.Speed)})
	}
	if len(errs) == 0 {
		if peak := o.Peak(); peak > MaxRPS {
			errs = append(errs, &FieldError{Field: "scale", Problem: fmt.Sprintf(
				"the trace's peak times scale is %g rec/s, more than %d", peak, MaxRPS)})
		}
	}
	return errs
}

// Pacer implements RateOptions.
func (o *TraceRate) Pacer(share float64, _ int64) Pacer {
	return Trace(o.points, o.Scale/share, o.Speed)
}

// Peak implements RateOptions.
func (o *TraceRate) Peak() float64 {
	peak := 0.0
	for _, s := range traceSteps(o.points, o.Scale, o.Speed) {
		peak = math.Max(peak, s.RPS)
	}
	return peak
}

// Records implements RateOptions: the last rate holds after the trace, so
// it counts for the rest of d.
func (o *TraceRate) Records(d time.Duration) float64 { return countDue(o.Pacer(1, 0), d) }

// String implements RateOptions.
func (o *TraceRate) String() string {
	var span time.Duration
	for _, s := range traceSteps(o.points, o.Scale, o.Speed) {
		span += s.For
	}
	return fmt.Sprintf("trace %s (%d rows over %s), peak %g rec/s", filepath.Base(o.File), len(o.points), span, o.Peak())
}

// ReadTrace reads a traffic trace: a CSV whose first two columns are a
// time (RFC 3339 / ISO-8601, "2006-01-02 15:04:05" in UTC, or Unix
// seconds) and a record count, one row per period. A first row whose time
// does not parse is a header and skipped; further columns are ignored.
// Rows may come in any order (CloudWatch exports are often newest first);
// they are sorted by time. Errors name the file and line.
func ReadTrace(path string) ([]TracePoint, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the trace: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	r.ReuseRecord = true
	var pts []TracePoint
	for row := 0; ; row++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err) // a csv.ParseError names the line
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) < 2 {
			return nil, fmt.Errorf("%s:%d: want two columns, time and value, got %d", path, line, len(rec))
		}
		at, terr := parseTraceTime(rec[0])
		if terr != nil && row == 0 {
			continue // a header
		}
		if terr != nil {
			return nil, fmt.Errorf("%s:%d: time %q: %w", path, line, rec[0], terr)
		}
		v, verr := strconv.ParseFloat(strings.TrimSpace(rec[1]), 64)
		if verr != nil || v < 0 || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%s:%d: value %q must be a number of records, 0 or more", path, line, rec[1])
		}
		if len(pts) == maxTraceRows {
			return nil, fmt.Errorf("%s:%d: more than %d rows", path, line, maxTraceRows)
		}
		pts = append(pts, TracePoint{Time: at, Count: v})
	}
	if len(pts) < 2 {
		return nil, fmt.Errorf("%s: needs at least two rows (the period is the time between rows), got %d", path, len(pts))
	}
	slices.SortStableFunc(pts, func(a, b TracePoint) int { return a.Time.Compare(b.Time) })
	for i := 1; i < len(pts); i++ {
		if pts[i].Time.Equal(pts[i-1].Time) {
			return nil, fmt.Errorf("%s: two rows for the time %s", path, pts[i].Time.Format(time.RFC3339))
		}
	}
	return pts, nil
}

// traceLayouts are the time formats a trace's time column may use besides
// Unix seconds.
var traceLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"}

// parseTraceTime parses a trace's time: ISO-8601 (UTC without a zone) or
// Unix seconds.
func parseTraceTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if sec, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(sec, 0) && !math.IsNaN(sec) {
		whole, frac := math.Modf(sec)
		return time.Unix(int64(whole), int64(frac*1e9)).UTC(), nil
	}
	for _, l := range traceLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("want ISO-8601 (2026-11-27T10:00:00Z) or Unix seconds")
}
