package generators

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

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
	Doc:     "Your own records from a file (JSON lines, CSV or base64 lines), streamed in order or sampled, optionally looping, with field mapping.",
	Options: func() Options { return &ReplayOptions{Input: inputJSONL, Sample: 1} },
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

	readErr string
	header  []string // csv column names
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
	for ; seen < checkLines; seen++ {
		line, err := r.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if _, _, err := m.record(nil, line, r.line); err != nil {
			return fmt.Errorf("%s:%d: %w", o.File, r.line, err)
		}
	}
	if seen == 0 {
		return fmt.Errorf("%s: holds no records", o.File)
	}
	return nil
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
	return &replay{opts: *o, m: m, rng: newRNG(seed, saltReplay)}
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
}

type replayItem struct {
	data   *[]byte
	entity string
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
	dst = append(dst, *it.data...)
	g.free.Put(it.data)
	return dst, it.entity
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
		sent, stopped := g.pass(f, &skipped, &firstBad)
		f.Close()
		if stopped || !g.opts.Loop || sent == 0 && pass > 0 {
			return
		}
	}
}

// pass sends one pass over the file; stopped means Close was called.
func (g *replay) pass(f *os.File, skipped *int, firstBad *string) (sent int, stopped bool) {
	r := newLineReader(f, g.opts.File)
	if g.opts.Input == inputCSV {
		if _, err := r.next(); err != nil {
			return 0, false
		}
	}
	for {
		line, err := r.next()
		if errors.Is(err, io.EOF) {
			return sent, false
		}
		if err != nil {
			*skipped++
			if *firstBad == "" {
				*firstBad = err.Error()
			}
			if errors.Is(err, errLineTooLong) {
				continue
			}
			return sent, false
		}
		if g.opts.Sample < 1 && g.rng.Float64() >= g.opts.Sample {
			continue
		}
		buf := g.free.Get().(*[]byte)
		data, entity, err := g.m.record((*buf)[:0], line, r.line)
		if err != nil {
			*skipped++
			if *firstBad == "" {
				*firstBad = fmt.Sprintf("%s:%d: %v", g.opts.File, r.line, err)
			}
			g.free.Put(buf)
			continue
		}
		*buf = data
		select {
		case g.queue <- replayItem{data: buf, entity: entity}:
			sent++
		case <-g.stop:
			return sent, true
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

// mapper turns a line of the file into the record sent and its entity.
type mapper struct {
	input  string
	key    fieldPath
	fields []mappedField // sorted by name
	header []string
}

type mappedField struct {
	name string
	from fieldPath
}

// fieldPath is a JSON path of object keys ($.a.b), or for CSV a column.
type fieldPath struct {
	text   string
	keys   []string
	column int
}

func (o *ReplayOptions) mapper() (*mapper, error) {
	m := &mapper{input: o.Input, header: o.header}
	var err error
	if o.KeyField != "" {
		if m.key, err = o.path(o.KeyField); err != nil {
			return nil, fmt.Errorf("key_field: %w", err)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(o.Fields)) {
		p, err := o.path(o.Fields[name])
		if err != nil {
			return nil, fmt.Errorf("fields.%s: %w", name, err)
		}
		m.fields = append(m.fields, mappedField{name: name, from: p})
	}
	return m, nil
}

// path parses a field reference: $.a.b or a.b for JSON, a column name for
// CSV.
func (o *ReplayOptions) path(s string) (fieldPath, error) {
	t := strings.TrimPrefix(strings.TrimPrefix(s, "$"), ".")
	if t == "" {
		return fieldPath{}, fmt.Errorf("%q names no field", s)
	}
	p := fieldPath{text: s, column: -1}
	if o.Input == inputCSV {
		p.column = slices.Index(o.header, t)
		if p.column < 0 && o.header != nil {
			return fieldPath{}, fmt.Errorf("%q is not a column of %s (its header has %s)", t, o.File, strings.Join(o.header, ", "))
		}
		return p, nil
	}
	p.keys = strings.Split(t, ".")
	return p, nil
}

// record appends the record sent for line to dst, leaving room for the
// envelope where EnvelopeSlot says, and returns its entity.
func (m *mapper) record(dst, line []byte, lineNo int) ([]byte, string, error) {
	switch m.input {
	case inputBase64:
		n := base64.StdEncoding.DecodedLen(len(line))
		dst = slices.Grow(dst, n)
		k, err := base64.StdEncoding.Decode(dst[len(dst):len(dst)+n], line)
		if err != nil {
			return dst, "", fmt.Errorf("not base64: %w", err)
		}
		return dst[:len(dst)+k], strconv.Itoa(lineNo), nil
	case inputCSV:
		return m.csvRecord(dst, line, lineNo)
	}
	return m.jsonRecord(dst, line, lineNo)
}

func (m *mapper) jsonRecord(dst, line []byte, lineNo int) ([]byte, string, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(line, &obj); err != nil {
		return dst, "", fmt.Errorf("not a JSON object: %w", err)
	}
	entity := strconv.Itoa(lineNo)
	if m.key.text != "" {
		v, ok := lookup(obj, m.key.keys)
		if !ok {
			return dst, "", fmt.Errorf("no field %s (key_field)", m.key.text)
		}
		entity = scalar(v)
	}
	dst = openJSON(dst)
	if len(m.fields) == 0 {
		body := bytes.TrimSpace(line)[1:] // after the object's '{'
		if len(bytes.TrimSpace(body)) == 1 {
			return append(dst[:len(dst)-1], '}'), entity, nil // {} becomes {"_kb":"…"}
		}
		return append(dst, body...), entity, nil
	}
	for i, f := range m.fields {
		v, ok := lookup(obj, f.from.keys)
		if !ok {
			return dst, "", fmt.Errorf("no field %s (fields.%s)", f.from.text, f.name)
		}
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendQuote(dst, f.name)
		dst = append(append(dst, ':'), v...)
	}
	return append(dst, '}'), entity, nil
}

func (m *mapper) csvRecord(dst, line []byte, lineNo int) ([]byte, string, error) {
	cols := splitCSV(string(line))
	if len(cols) != len(m.header) {
		return dst, "", fmt.Errorf("%d columns; the header has %d", len(cols), len(m.header))
	}
	entity := strconv.Itoa(lineNo)
	if m.key.text != "" {
		entity = cols[m.key.column]
	}
	if len(m.fields) == 0 {
		dst = appendSlot(dst, csvSlot)
		return append(append(append(dst, ','), line...), '\n'), entity, nil
	}
	dst = openJSON(dst)
	for i, f := range m.fields {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendQuote(dst, f.name)
		dst = strconv.AppendQuote(append(dst, ':'), cols[f.from.column])
	}
	return append(dst, '}'), entity, nil
}

// lookup follows keys through nested JSON objects.
func lookup(obj map[string]json.RawMessage, keys []string) (json.RawMessage, bool) {
	for i, k := range keys {
		v, ok := obj[k]
		if !ok {
			return nil, false
		}
		if i == len(keys)-1 {
			return v, true
		}
		obj = nil
		if json.Unmarshal(v, &obj) != nil {
			return nil, false
		}
	}
	return nil, false
}

// scalar is a JSON value as a key: a string's text, else the value as
// written.
func scalar(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	return string(bytes.TrimSpace(v))
}

// splitCSV splits one CSV line into its fields, unquoting quoted ones.
func splitCSV(line string) []string {
	var out []string
	for {
		if strings.HasPrefix(line, `"`) {
			var b strings.Builder
			i := 1
			for i < len(line) {
				if line[i] == '"' {
					if i+1 < len(line) && line[i+1] == '"' {
						b.WriteByte('"')
						i += 2
						continue
					}
					i++
					break
				}
				b.WriteByte(line[i])
				i++
			}
			out = append(out, b.String())
			line = line[min(i, len(line)):]
			if !strings.HasPrefix(line, ",") {
				return out
			}
			line = line[1:]
			continue
		}
		i := strings.IndexByte(line, ',')
		if i < 0 {
			return append(out, line)
		}
		out = append(out, line[:i])
		line = line[i+1:]
	}
}
