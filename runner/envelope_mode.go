package runner

import (
	"fmt"

	"github.com/kbench/kbench/collectors"
	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/generators"
)

// Envelope modes of a producer (scenario producers[].envelope).
const (
	// EnvelopePrefix puts the 40-byte binary envelope before the payload.
	EnvelopePrefix = "prefix"
	// EnvelopeField carries it as the first field of a JSON record, "_kb".
	EnvelopeField = "field"
	// EnvelopeNone leaves it out: the record is the generator's payload as
	// is, remembered by its correlation field for the destinations.
	EnvelopeNone = "none"
)

// Correlation is what a producer records about its inputs for the
// destinations of an application under test. The zero value records
// nothing.
type Correlation struct {
	// Field is the input records' correlation field (dotted path); with
	// Inputs, each record is remembered by its value.
	Field  string
	Inputs *collectors.InputIndex
	// Incidents, when not nil, receives the generator's ground truth
	// (generators.IncidentSource).
	Incidents *collectors.Incidents
}

// stamper writes one record in the producer's envelope mode and remembers
// it for correlation.
type stamper struct {
	mode  string
	corr  Correlation
	id    uint32
	warm  int64 // process-clock start of the measured part
	end   int64 // process-clock end of the run
	truth generators.IncidentSource
	tmp   []byte
	// slot is where the generator's record format carries the envelope,
	// when inside (generators.SlotOf): prefix mode then fills that field.
	slot   envelope.Slot
	inside bool
}

func newStamper(c *ProducerConfig) (*stamper, error) {
	s := &stamper{mode: c.Envelope, corr: c.Correlation, id: c.ID,
		warm: c.Start + int64(c.Warmup), end: c.Start + int64(c.Duration)}
	switch s.mode {
	case "":
		s.mode = EnvelopePrefix
	case EnvelopePrefix, EnvelopeField, EnvelopeNone:
	default:
		return nil, fmt.Errorf("Envelope %q: want %s, %s or %s", c.Envelope, EnvelopePrefix, EnvelopeField, EnvelopeNone)
	}
	s.slot, s.inside = generators.SlotOf(c.Generator)
	if s.inside && s.mode != EnvelopePrefix {
		return nil, fmt.Errorf("Envelope %s: the generator's record format carries the envelope in a field of its own; use %s", s.mode, EnvelopePrefix)
	}
	if s.mode == EnvelopeNone && (s.corr.Field == "" || s.corr.Inputs == nil) {
		return nil, fmt.Errorf("Envelope %s: needs Correlation.Field and Inputs", EnvelopeNone)
	}
	if s.corr.Incidents != nil {
		s.truth, _ = c.Generator.(generators.IncidentSource)
	}
	return s, nil
}

// append appends the record env describes, with the generator's next
// payload, to dst; now is the process-clock time it was made.
func (s *stamper) append(dst []byte, env *envelope.Envelope, gen generators.Generator, now int64) ([]byte, string) {
	start := len(dst)
	var entity string
	switch s.mode {
	case EnvelopePrefix:
		if s.inside { // the record format's own field
			dst, entity = gen.Next(dst, env.Intended)
			s.slot.Put(dst[start:], env)
			break
		}
		dst = env.Append(dst)
		dst, entity = gen.Next(dst, env.Intended)
	case EnvelopeField:
		s.tmp, entity = gen.Next(s.tmp[:0], env.Intended)
		dst = env.AppendField(dst, s.tmp)
	default:
		dst, entity = gen.Next(dst, env.Intended)
	}
	s.remember(dst[start:], env, now)
	return dst, entity
}

// remember records the record's incident and correlation value.
func (s *stamper) remember(rec []byte, env *envelope.Envelope, now int64) {
	incident := -1
	if s.truth != nil {
		if in, ok := s.truth.Incident(); ok {
			measured := env.Intended >= s.warm && env.Intended < s.end
			incident = s.corr.Incidents.Add(s.id, env.Seq, in.Key, in.Start, in.Last, env.Intended, measured)
		}
	}
	if s.corr.Inputs == nil || s.corr.Field == "" {
		return
	}
	payload := rec
	if s.mode == EnvelopePrefix && !s.inside && len(rec) >= envelope.Size {
		payload = rec[envelope.Size:]
	}
	if v, ok := collectors.FieldValue(payload, s.corr.Field); ok {
		s.corr.Inputs.Add(v, collectors.Input{Producer: s.id, Seq: env.Seq, Intended: env.Intended,
			Sent: max(now, env.Intended), Incident: incident}, now)
	}
}

// stampSent restamps the actual send time of a record in its mode.
func (s *stamper) stampSent(rec []byte, sent int64) {
	switch s.mode {
	case EnvelopePrefix:
		s.slot.StampSent(rec, sent) // the zero Slot is the prefix
	case EnvelopeField:
		envelope.StampSentField(rec, sent)
	}
}
