package generators

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/kbench/kbench/envelope"
)

// Replay inputs: how the lines of a replayed file are read.
const (
	inputJSONL  = "jsonl"
	inputCSV    = "csv"
	inputBase64 = "base64"
)

// maxReplayLine bounds one line of a replayed file: a Kinesis record holds
// at most 1 MiB, and base64 makes it a third longer.
const maxReplayLine = 1<<20*4/3 + 4

// replayQueue is how many records the reader goroutine reads ahead.
const replayQueue = 256

// checkLines is how many lines Resolve checks before the run; later lines
// that do not parse are skipped during the run and reported at its end.
const checkLines = 1000

var replayKind = GeneratorKind{
	Name:    "replay",
	Doc:     "Your own records from a file (JSON lines, CSV or base64 lines), streamed in order or sampled, optionally looping, with field mapping, at the producer's rate or at the file's own times (pace: recorded).",
	Options: func() Options { return &ReplayOptions{Input: inputJSONL, Sample: 1, Pace: paceRate, Speed: 1} },
}

// ReplayOptions configures the replay generator: records read from a file
// of the user's own data, one per line, sent at the producer's rate.
type ReplayOptions struct {
	// File holds the records, one per line; a relative path is relative to
	// the scenario file. Required.
	File string `yaml:"file" json:"file"`
	// Input is how lines are read: jsonl (default, one JSON object per
	// line), csv (a header line naming the columns, then one record per
	// line) or base64 (one binary record per line).
	Input string `yaml:"input" json:"input"`
	// KeyField is the field whose value is the record's entity (the
	// partition key with partition_key: entity), as a path such as
	// $.card.token or pan_token; for csv a column name. Default: the
	// line number.
	KeyField string `yaml:"key_field" json:"key_field"`
	// Fields, when set, map the fields of the records sent to fields of
	// the file: {card: $.pan_token, amount: $.amt} sends
	// {"card":…,"amount":…} with the file's values, so analyses written
	// for a generator's field names read real data.
	Fields map[string]string `yaml:"fields" json:"fields,omitempty"`
	// Sample is the share of lines sent, (0, 1]: 1 (default) sends every
	// line in order; less keeps each line with that probability, drawn
	// from the producer's seed, still in file order.
	Sample float64 `yaml:"sample" json:"sample"`
	// Loop starts the file again at its end; without it the producer
	// stops sending when the file ends.
	Loop bool `yaml:"loop" json:"loop"`
	// Pace is rate (default: the producer's rate sends the records) or
	// recorded: each record is sent at its own time (TimeField), the
	// first at the start, the gaps divided by Speed; the producer then
	// takes no rate.
	Pace string `yaml:"pace" json:"pace"`
	// TimeField is the field holding each record's time, for pace:
	// recorded: a path such as $.event_time, or for csv a column name. RFC
	// 3339 text, or epoch seconds (below 10^11) or milliseconds.
	TimeField string `yaml:"time_field" json:"time_field"`
	// Speed divides the recorded gaps, > 0: 60 plays a recorded minute in
	// a second. Default 1.
	Speed float64 `yaml:"speed" json:"speed"`

	readErr  string
	header   []string // csv column names
	estimate float64  // records/s of the lines checked, at Speed (pace: recorded)
}

// Generator implements Options.
func (o *ReplayOptions) Generator() string { return "replay" }

// Resolve implements FileOptions: File becomes relative to dir, and the
// first lines are checked, so a bad file fails before the run.
func (o *ReplayOptions) Resolve(dir string) {
	o.readErr, o.header = "", nil
	if o.File == "" {
		return
	}
	o.File = resolvePath(dir, o.File)
	if err := o.check(); err != nil {
		o.readErr = err.Error()
	}
}

// check reads the file's first lines as the run will.
func (o *ReplayOptions) check() error {
	f, err := os.Open(o.File)
	if err != nil {
		return fmt.Errorf("cannot read the records: %w", err)
	}
	defer f.Close()
	r := newLineReader(f, o.File)
	if o.Input == inputCSV {
		line, err := r.next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("%s: empty; a CSV file starts with a header line naming its columns", o.File)
			}
			return err
		}
		o.header = splitCSV(string(line))
	}
	m, err := o.mapper()
	if err != nil {
		return err
	}
	seen := 0
	var first, last time.Time
	for ; seen < checkLines; seen++ {
		line, err := r.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		_, _, at, err := m.record(nil, line, r.line)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", o.File, r.line, err)
		}
		if seen == 0 {
			first = at
		}
		last = latest(last, at)
	}
	if seen == 0 {
		return fmt.Errorf("%s: holds no records", o.File)
	}
	if span := last.Sub(first).Seconds() / o.Speed; span > 0 {
		o.estimate = float64(seen-1) / span * o.Sample
	}
	return nil
}

// latest is the later of two times.
func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Validate implements Options.
func (o *ReplayOptions) Validate() []*FieldError {
	var errs []*FieldError
	if o.Input != inputJSONL && o.Input != inputCSV && o.Input != inputBase64 {
		errs = append(errs, &FieldError{Field: "input", Problem: fmt.Sprintf("unknown input %q; want jsonl, csv or base64", o.Input)})
	}
	if !(o.Sample > 0 && o.Sample <= 1) {
		errs = append(errs, &FieldError{Field: "sample", Problem: fmt.Sprintf("must be greater than 0 and at most 1, got %g", o.Sample)})
	}
	if o.Input == inputBase64 && (o.KeyField != "" || len(o.Fields) > 0) {
		errs = append(errs, &FieldError{Field: "input", Problem: "base64 records are opaque: key_field and fields need jsonl or csv"})
	}
	errs = append(errs, o.paceProblems()...)
	switch {
	case o.File == "":
		errs = append(errs, &FieldError{Field: "file", Problem: "is required: a file of records, one per line"})
	case len(errs) > 0:
	case o.readErr != "":
		errs = append(errs, &FieldError{Field: "file", Problem: o.readErr})
	case o.header == nil && o.Input == inputCSV:
		o.Resolve("")
		if o.readErr != "" {
			errs = append(errs, &FieldError{Field: "file", Problem: o.readErr})
		}
	}
	return errs
}

// Build implements Options. The generator reads the file in a goroutine of
// its own, started by the first Next and stopped by Close.
func (o *ReplayOptions) Build(seed int64) Generator {
	m, _ := o.mapper() // Validate has checked the mapping
	return &replay{opts: *o, m: m, rng: newRNG(seed, saltReplay), clock: clock{speed: o.Speed}}
}

// replay streams records from a file: a reader goroutine reads, samples
// and maps lines ahead of Next through a bounded queue, so memory stays
// flat whatever the file's size.
type replay struct {
	opts      ReplayOptions
	m         *mapper
	rng       rng
	once      sync.Once
	closeOnce sync.Once
	queue     chan replayItem
	stop      chan struct{}
	done      chan struct{}
	next      *replayItem
	err       error // set by the reader before it closes queue
	free      sync.Pool
	// clock times the records with pace: recorded (reader goroutine);
	// taken counts the records Next handed out or the pacer dropped.
	clock  clock
	perSec perSecond
	taken  uint64
	// part of parts: this instance sends record i of the file (counting
	// non-empty lines from the first pass on) when i mod parts = part
	// (Divide); parts 0 sends every record. index is the reader's count.
	part, parts, index uint64
}

// Divide implements Divisible: the instances of a producer share the
// file's records, record i going to instance i mod count, instead of each
// replaying the whole file.
func (g *replay) Divide(index, count int) {
	if count > 1 && index >= 0 && index < count {
		g.part, g.parts = uint64(index), uint64(count)
	}
}

type replayItem struct {
	data   *[]byte
	entity string
	at     time.Duration // send offset, with pace: recorded
}

// EnvelopeSlot implements Slotted: JSON records carry it as "_kb", CSV
// records as a first column, base64 records as a prefix.
func (g *replay) EnvelopeSlot() (envelope.Slot, bool) {
	switch {
	case g.opts.Input == inputBase64:
		return envelope.Slot{}, false
	case g.opts.Input == inputCSV && len(g.opts.Fields) == 0:
		return csvSlot, true
	}
	return jsonSlot, true
}

// Next implements Generator. When the file has ended (and does not loop),
// it appends nothing; Exhausted says so beforehand.
func (g *replay) Next(dst []byte, _ int64) ([]byte, string) {
	if g.Exhausted() {
		return dst, ""
	}
	it := g.next
	g.next = nil
	g.taken++
	dst = append(dst, *it.data...)
	g.free.Put(it.data)
	return dst, it.entity
}

// drop discards the next record, which the producer will not send; call
// it only after Exhausted returned false.
func (g *replay) drop() {
	g.free.Put(g.next.data)
	g.next = nil
	g.taken++
}

// Exhausted reports whether the file has no more records for Next. It
// blocks until the reader has the next record or has ended.
func (g *replay) Exhausted() bool {
	g.once.Do(g.start)
	if g.next != nil {
		return false
	}
	it, ok := <-g.queue
	if !ok {
		return true
	}
	g.next = &it
	return false
}

// Close stops the reader and returns the first problem it met in the
// file, with its line. Calling it again returns the same.
func (g *replay) Close() error {
	g.once.Do(func() {})
	if g.stop == nil {
		return nil
	}
	g.closeOnce.Do(func() { close(g.stop) })
	<-g.done
	return g.err
}

func (g *replay) start() {
	g.queue = make(chan replayItem, replayQueue)
	g.stop, g.done = make(chan struct{}), make(chan struct{})
	g.free.New = func() any { b := make([]byte, 0, 256); return &b }
	go g.read()
}

// read is the reader goroutine: it sends the file's records, sampled and
// mapped, until the file ends (or, looping, until stopped).
func (g *replay) read() {
	defer close(g.done)
	defer close(g.queue)
	defer g.perSec.end()
	skipped, firstBad := 0, ""
	defer func() {
		if skipped > 0 {
			g.err = fmt.Errorf("replay: %s; %d lines skipped in all", firstBad, skipped)
		}
	}()
	for pass := 0; ; pass++ {
		f, err := os.Open(g.opts.File)
		if err != nil {
			g.err = fmt.Errorf("replay: %w", err)
			return
		}
		c, stopped := g.pass(f, &skipped, &firstBad)
		f.Close()
		if stopped || !g.opts.Loop || c.lines == 0 || c.owned > 0 && c.sent == 0 && pass > 0 {
			return
		}
	}
}

// passCounts is what one pass over the file met: its records (non-empty
// lines), those this instance owns (Divide) and those it sent.
type passCounts struct{ lines, owned, sent int }

// pass sends one pass over the file; stopped means Close was called. With
// pace: recorded every record's time drives the clock, whoever sends it
// and whether or not it is sampled, so every instance schedules its
// records as one instance would.
func (g *replay) pass(f *os.File, skipped *int, firstBad *string) (c passCounts, stopped bool) {
	r := newLineReader(f, g.opts.File)
	if g.opts.Input == inputCSV {
		if _, err := r.next(); err != nil {
			return c, false
		}
	}
	g.clock.newPass()
	timed := g.m.tm.text != ""
	bad := func(problem string) {
		*skipped++
		if *firstBad == "" {
			*firstBad = problem
		}
	}
	for {
		line, err := r.next()
		if errors.Is(err, io.EOF) {
			return c, false
		}
		c.lines++
		mine := g.parts == 0 || g.index%g.parts == g.part
		g.index++
		if mine {
			c.owned++
		}
		if err != nil {
			if mine {
				bad(err.Error())
			}
			if errors.Is(err, errLineTooLong) {
				continue
			}
			return c, false
		}
		keep := mine && (g.opts.Sample >= 1 || g.rng.Float64() < g.opts.Sample)
		if !keep && !timed {
			continue
		}
		buf := g.free.Get().(*[]byte)
		data, entity, when, err := g.m.record((*buf)[:0], line, r.line)
		switch {
		case err != nil && keep:
			bad(fmt.Sprintf("%s:%d: %v", g.opts.File, r.line, err))
		case err == nil && !keep: // another instance's, or sampled out: its time still counts
			g.clock.at(when)
		}
		if err != nil || !keep {
			g.free.Put(buf)
			continue
		}
		*buf = data
		var at time.Duration
		if timed {
			at = g.clock.at(when)
			g.perSec.add(at)
		}
		select {
		case g.queue <- replayItem{data: buf, entity: entity, at: at}:
			c.sent++
		case <-g.stop:
			return c, true
		}
	}
}

var errLineTooLong = errors.New("line longer than a Kinesis record can be")

// lineReader reads a file's lines, counting them, without keeping more
// than one line.
type lineReader struct {
	r    *bufio.Reader
	name string
	line int
	long []byte
}

func newLineReader(f io.Reader, name string) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(f, 64<<10), name: name}
}

// next returns the next non-empty line without its line ending; the slice
// is valid until the next call.
func (l *lineReader) next() ([]byte, error) {
	for {
		l.line++
		line, err := l.r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			l.long = append(l.long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) && len(l.long) <= maxReplayLine {
				line, err = l.r.ReadSlice('\n')
				l.long = append(l.long, line...)
			}
			if len(l.long) > maxReplayLine {
				for errors.Is(err, bufio.ErrBufferFull) {
					_, err = l.r.ReadSlice('\n')
				}
				return nil, fmt.Errorf("%s:%d: %w", l.name, l.line, errLineTooLong)
			}
			line = l.long
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s:%d: %w", l.name, l.line, err)
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) > 0 {
			return line, nil
		}
		if err != nil {
			return nil, io.EOF
		}
	}
}
