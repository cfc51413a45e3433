package generators

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Replay paces: how a replayed file's records are timed.
const (
	paceRate     = "rate"
	paceRecorded = "recorded"
)

// epochMillisFrom is where an epoch number stops being seconds and starts
// being milliseconds: 10^11 seconds is the year 5138, 10^11 milliseconds
// 1973.
const epochMillisFrom = 1e11

// Paced is implemented by generators that may set their records' send
// times themselves (a replay with pace: recorded). Pacer returns the
// pacer that does, or nil when the producer's rate paces the generator.
type Paced interface {
	Pacer() Pacer
}

// SelfPaced is implemented by options whose generator may pace itself.
// SelfPaced reports whether it does, and the mean rate of the records
// checked before the run (0 when unknown): an estimate of the records
// the run sends, for the cost estimate and the planner.
type SelfPaced interface {
	SelfPaced() (estimate float64, ok bool)
}

// SelfPaced implements SelfPaced: with pace: recorded, the file's times
// pace the records.
func (o *ReplayOptions) SelfPaced() (float64, bool) {
	return o.estimate, o.Pace == paceRecorded
}

// paceProblems checks pace, time_field and speed.
func (o *ReplayOptions) paceProblems() []*FieldError {
	var errs []*FieldError
	switch o.Pace {
	case paceRate, "":
		if o.TimeField != "" {
			errs = append(errs, &FieldError{Field: "time_field", Problem: "is only used with pace: recorded"})
		}
	case paceRecorded:
		if o.TimeField == "" {
			errs = append(errs, &FieldError{Field: "time_field", Problem: "is required with pace: recorded: the field holding each record's time"})
		}
		if o.Input == inputBase64 {
			errs = append(errs, &FieldError{Field: "pace", Problem: "base64 records are opaque: pace: recorded needs jsonl or csv and a time_field"})
		}
		if !(o.Speed > 0) || math.IsInf(o.Speed, 0) {
			errs = append(errs, &FieldError{Field: "speed", Problem: fmt.Sprintf("must be greater than 0 (60 plays a recorded minute in a second), got %g", o.Speed)})
		}
	default:
		errs = append(errs, &FieldError{Field: "pace", Problem: fmt.Sprintf("unknown pace %q; want rate or recorded", o.Pace)})
	}
	return errs
}

// parseRecordTime reads a record's time: RFC 3339 (or the trace's layouts
// without a zone, as UTC), or an epoch number: seconds below 10^11,
// milliseconds from there on. A JSON value may be a string or a number.
func parseRecordTime(v string) (time.Time, error) {
	s := strings.TrimSpace(v)
	if uq, err := strconv.Unquote(s); err == nil && strings.HasPrefix(s, `"`) {
		s = strings.TrimSpace(uq)
	}
	if t, ok := parseEpoch(s); ok {
		return t, nil
	}
	for _, l := range traceLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%s is not a time: want RFC 3339 (2025-11-28T09:00:00.175Z) or epoch seconds or milliseconds", clipValue(v))
}

// parseEpoch reads a decimal epoch number exactly (1764320400.06 is 60 ms
// past the second, not a float's approximation of it): seconds below
// 10^11, milliseconds from there on. Exponents go through a float.
func parseEpoch(s string) (time.Time, bool) {
	whole, frac, _ := strings.Cut(s, ".")
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || strings.TrimLeft(frac, "0123456789") != "" || strings.HasPrefix(whole, "+") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > 1e15 {
			return time.Time{}, false
		}
		if math.Abs(f) >= epochMillisFrom {
			return time.UnixMicro(int64(math.Round(f * 1e3))).UTC(), true
		}
		sec, fr := math.Modf(f)
		return time.Unix(int64(sec), int64(math.Round(fr*1e9))).UTC(), true
	}
	millis := w >= epochMillisFrom || w <= -epochMillisFrom
	digits := 9
	if millis {
		digits = 6
	}
	frac = (frac + strings.Repeat("0", digits))[:digits]
	n, _ := strconv.ParseInt(frac, 10, 64)
	if strings.HasPrefix(whole, "-") {
		n = -n
	}
	if millis {
		return time.Unix(w/1000, (w%1000)*int64(time.Millisecond)+n).UTC(), true
	}
	return time.Unix(w, n).UTC(), true
}

func clipValue(v string) string {
	if len(v) > 40 {
		v = v[:40] + "…"
	}
	return strconv.Quote(v)
}

// jsonTime is the time a JSON record's time field holds.
func (m *mapper) jsonTime(obj map[string]json.RawMessage) (time.Time, error) {
	v, ok := lookup(obj, m.tm.keys)
	if !ok {
		return time.Time{}, fmt.Errorf("no field %s (time_field)", m.tm.text)
	}
	t, err := parseRecordTime(string(v))
	if err != nil {
		return time.Time{}, fmt.Errorf("time_field %s: %w", m.tm.text, err)
	}
	return t, nil
}

// clock turns the file's record times into send offsets: the first
// record's time is offset 0, later gaps are divided by speed, and a record
// older than the one before it goes right after it (its gap counts as
// zero). Each pass over a looping file starts where the last one ended.
type clock struct {
	speed      float64
	base, last time.Duration // the pass's start and the latest offset
	first      time.Time     // the pass's first record time
	started    bool
}

// newPass starts the next pass over the file.
func (c *clock) newPass() { c.base, c.started = c.last, false }

// at returns the send offset of a record recorded at t.
func (c *clock) at(t time.Time) time.Duration {
	if !c.started {
		c.first, c.started = t, true
	}
	off := c.base + time.Duration(float64(t.Sub(c.first))/c.speed)
	c.last = max(c.last, off)
	return c.last
}

// perSecond counts the records the file schedules in each second of the
// run, as the reader reads them (up to the queue's length ahead of the
// producer), for the pacer's Rate.
type perSecond struct {
	mu      sync.Mutex
	n       map[int64]int64
	horizon time.Duration // the latest offset read; MaxInt64 once the file ended
	asked   int64         // the latest second Rate was asked about
}

// keepSeconds bounds how far behind the reader perSecond keeps counts,
// whether or not Rate is asked: memory stays flat over a file of a year.
const keepSeconds = 4096

// add counts a record due at at (reader goroutine), and, once it holds
// 2×keepSeconds seconds, forgets those long past: a minute before the last
// one Rate was asked about, or keepSeconds before this one.
func (c *perSecond) add(at time.Duration) {
	sec := int64(at / time.Second)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[int64]int64{}
	}
	if _, ok := c.n[sec]; !ok && len(c.n) >= 2*keepSeconds { // amortized: one scan per keepSeconds new seconds
		for old := range c.n {
			if old < c.asked-60 || old < sec-keepSeconds {
				delete(c.n, old)
			}
		}
	}
	c.n[sec]++
	c.horizon = at
}

// end says the file has ended: every second is complete.
func (c *perSecond) end() {
	c.mu.Lock()
	c.horizon = math.MaxInt64
	c.mu.Unlock()
}

// recordedPacer paces a replay by its records' times: Due(n) is the next
// record's offset, read ahead by the generator.
type recordedPacer struct{ g *replay }

// Pacer implements Paced: with pace: recorded, the record times pace the
// generator. It expects Due(n) with n increasing and is not safe for
// concurrent use, except Rate.
func (g *replay) Pacer() Pacer {
	if g.opts.Pace != paceRecorded {
		return nil
	}
	return recordedPacer{g: g}
}

// Due implements Pacer. It blocks until the reader has record n. Records
// before n that were never generated (the run stopped) are dropped.
func (p recordedPacer) Due(n uint64) (time.Duration, bool) {
	g := p.g
	for g.taken < n && !g.Exhausted() {
		g.drop()
	}
	if g.Exhausted() {
		return 0, false
	}
	return g.next.at, true
}

// Rate implements Pacer: the records the file schedules in the second of
// elapsed. While the reader is still in that second (it reads ahead of the
// producer, so only when the run is behind, or for the live line's
// current second) the second before it stands in.
func (p recordedPacer) Rate(elapsed time.Duration) float64 {
	c := &p.g.perSec
	sec := int64(elapsed / time.Second)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.horizon < time.Duration(sec+1)*time.Second && sec > 0 {
		sec--
	}
	c.asked = max(c.asked, sec)
	return float64(c.n[sec])
}
