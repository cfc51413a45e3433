package collectors

import (
	"sync"
	"time"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/metrics"
)

// Expectations of a destination: how many outputs each input causes.
const (
	ExpectOne  = "one"  // every input causes one output (enrichment)
	ExpectSome = "some" // a filter: one output per ground-truth incident
	ExpectMany = "many" // any number of outputs per input
)

// MatchConfig says how a Matcher matches one destination's outputs to the
// inputs that caused them.
type MatchConfig struct {
	// Expect is ExpectOne, ExpectSome or ExpectMany.
	Expect string
	// RunID is the run's id; outputs carrying another run's envelope are
	// unexpected.
	RunID uint64
	// Output is the output's field (dotted path) holding the input's
	// correlation value, looked up in Inputs. Empty: outputs are matched
	// by the kbench envelope they carry (prefix or "_kb" field).
	Output string
	// Inputs remembers the inputs by correlation value; required with
	// Output. Slot is this destination's slot in it.
	Inputs *InputIndex
	Slot   int
	// Key is the output's field holding the incident's key (ExpectSome).
	Key string
	// Window is how long after an incident's first record an output may
	// still match it (ExpectSome).
	Window time.Duration
	// Incidents is the ground truth (ExpectSome).
	Incidents *Incidents
	// Tracker marks the inputs seen when matching by envelope.
	Tracker *Tracker
	// WarmupEnd and MeasureEnd bound, in process-clock time, the inputs
	// whose outputs are measured (MeasureEnd 0: no end).
	WarmupEnd, MeasureEnd int64
	// Deadline is the time value of the data: a measured output within it
	// of its input's intended time is on time. 0: none.
	Deadline time.Duration
}

// Matcher accounts for one destination's outputs: it matches each to its
// input, counts outputs, duplicates and unexpected ones, and records the
// latencies of the measured ones. It is safe for concurrent use.
type Matcher struct {
	cfg MatchConfig
	// E2E is the input's intended send time to the output's arrival;
	// E2EUncorrected counts from the input's actual send time; Application
	// from the input's send (the envelope's last attempt, or when it was
	// generated) to the output's arrival: the application's time plus the
	// write into the source stream.
	E2E, E2EUncorrected, Application *metrics.Latency

	mu                       sync.Mutex
	e2e, unc, app            *metrics.Recorder
	outputs, duplicates      int64
	unexpected, measured     int64
	onTime, matched, foreign int64
	first, last              int64
	measuring                bool
}

// NewMatcher returns an empty Matcher.
func NewMatcher(cfg MatchConfig) *Matcher {
	m := &Matcher{cfg: cfg,
		E2E: metrics.NewLatency(metrics.LatE2E), E2EUncorrected: metrics.NewLatency(metrics.LatE2EUncorrected),
		Application: metrics.NewLatency("application")}
	m.e2e, m.unc, m.app = m.E2E.Recorder(), m.E2EUncorrected.Recorder(), m.Application.Recorder()
	return m
}

// Latencies returns the matcher's latency metrics.
func (m *Matcher) Latencies() []*metrics.Latency {
	return []*metrics.Latency{m.E2E, m.E2EUncorrected, m.Application}
}

// Measure sets the part of the run whose inputs are measured, in process
// clock time (measureEnd 0: no end); until it is called nothing is.
func (m *Matcher) Measure(warmupEnd, measureEnd int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cfg.WarmupEnd, m.cfg.MeasureEnd, m.measuring = warmupEnd, measureEnd, true
}

// Output is one output as a Matcher reads it: when it arrived and what it
// says about its input. Extract makes it from the output's bytes; a worker
// of a distributed run logs it so that kbench merge can match it to an
// input another worker produced (AddOutput).
type Output struct {
	// Arrival is when it arrived (process clock, Unix ns).
	Arrival int64
	// Env is the kbench envelope it carries, when matched by envelope and
	// the envelope is the run's (HasEnv).
	HasEnv bool
	Env    envelope.Envelope
	// Value is its correlation field's value (HasValue), when matched by
	// field.
	HasValue bool
	Value    string
	// Key is its incident key's value (HasKey), for ExpectSome.
	HasKey bool
	Key    string
}

// Add accounts for one output that arrived at arrival (process clock).
func (m *Matcher) Add(data []byte, arrival int64) {
	m.AddOutput(m.Extract(data, arrival))
}

// Extract reads what matching needs from one output's bytes.
func (m *Matcher) Extract(data []byte, arrival int64) Output {
	o := Output{Arrival: arrival}
	if m.cfg.Output != "" {
		o.Value, o.HasValue = FieldValue(data, m.cfg.Output)
	} else if env, err := envelope.Find(data); err == nil && env.RunID == m.cfg.RunID {
		o.Env, o.HasEnv = env, true
	}
	if m.cfg.Expect == ExpectSome {
		o.Key, o.HasKey = FieldValue(data, m.cfg.Key)
	}
	return o
}

// AddOutput accounts for one output Extract read.
func (m *Matcher) AddOutput(o Output) {
	arrival := o.Arrival
	in, found, prior := m.resolve(o)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.outputs++
	if m.first == 0 || arrival < m.first {
		m.first = arrival
	}
	m.last = max(m.last, arrival)
	if m.cfg.Expect == ExpectSome {
		if !o.HasKey {
			m.unexpected++
			return
		}
		id := -1
		if found {
			id = in.Incident
		}
		latest, already, ok := m.cfg.Incidents.match(id, found, o.Key, arrival, int64(m.cfg.Window))
		if !ok {
			m.unexpected++
			return
		}
		m.matched++
		if already {
			m.duplicates++
			return
		}
		if !found { // latency from the incident's latest input
			in = Input{Intended: latest, Sent: latest}
		}
		m.record(in, arrival)
		return
	}
	if !found {
		m.unexpected++
		return
	}
	m.matched++
	if prior > 0 && m.cfg.Expect == ExpectOne {
		m.duplicates++
		return
	}
	m.record(in, arrival)
}

// resolve finds an output's input, and how many outputs named it before.
func (m *Matcher) resolve(o Output) (Input, bool, int) {
	if m.cfg.Output != "" {
		if !o.HasValue || m.cfg.Inputs == nil {
			return Input{}, false, 0
		}
		in, prior, ok := m.cfg.Inputs.See(o.Value, m.cfg.Slot)
		return in, ok, prior
	}
	if !o.HasEnv {
		return Input{}, false, 0
	}
	env := o.Env
	in := Input{Producer: env.ProducerID, Seq: env.Seq, Intended: env.Intended, Sent: env.Sent, Incident: -1}
	if m.cfg.Incidents != nil {
		in.Incident = m.cfg.Incidents.of(env.ProducerID, env.Seq)
	}
	prior := 0
	if m.cfg.Tracker != nil {
		switch m.cfg.Tracker.add(env.ProducerID, env.Seq) {
		case trackUnknown:
			return Input{}, false, 0
		case trackDuplicate:
			prior = 1
		}
	}
	return in, true, prior
}

// record measures one output of in; m.mu is held.
func (m *Matcher) record(in Input, arrival int64) {
	if !m.measuring || in.Intended < m.cfg.WarmupEnd || (m.cfg.MeasureEnd != 0 && in.Intended >= m.cfg.MeasureEnd) {
		return
	}
	m.measured++
	e2e := time.Duration(arrival - in.Intended)
	m.e2e.Record(e2e)
	sent := max(in.Sent, in.Intended)
	m.unc.Record(time.Duration(arrival - sent))
	m.app.Record(time.Duration(arrival - sent))
	if m.cfg.Deadline > 0 && e2e <= m.cfg.Deadline {
		m.onTime++
	}
}

// MatchCounts is a destination's accounting.
type MatchCounts struct {
	Outputs    int64 // outputs received
	Matched    int64 // outputs matched to an input (or, for some, an incident)
	Duplicates int64 // outputs of an input (incident) that already had one; ExpectOne and ExpectSome
	Unexpected int64 // outputs matched to nothing
	// Unmeasured is how many outputs first answered an incident that is
	// not expected (ExpectSome): one of the warmup, or one the end of the
	// run cut short. They are matched, neither expected nor unexpected;
	// further outputs of such an incident count in Duplicates.
	Unmeasured int64
	Measured   int64 // outputs whose latency was recorded
	OnTime     int64 // measured outputs within the deadline
	// Expected is how many outputs should have come: inputs (one, many:
	// at least one each) or incidents (some).
	Expected int64
	// Missing is how many of those never had an output by the end of the
	// drain; Evicted of them were forgotten by the InputIndex before.
	Missing, Evicted int64
	// First and Last are the first and last arrivals (process clock).
	First, Last int64
}

// Counts returns the accounting so far; call it after the drain for the
// final figures. run holds the acknowledged inputs, for matching by
// envelope.
func (m *Matcher) Counts(run *metrics.Run) MatchCounts {
	m.mu.Lock()
	c := MatchCounts{Outputs: m.outputs, Matched: m.matched, Duplicates: m.duplicates, Unexpected: m.unexpected,
		Measured: m.measured, OnTime: m.onTime, First: m.first, Last: m.last}
	m.mu.Unlock()
	switch {
	case m.cfg.Expect == ExpectSome:
		total, alerted, unmeasured := m.cfg.Incidents.counts()
		c.Expected, c.Missing, c.Unmeasured = total, total-alerted, unmeasured
	case m.cfg.Output != "" && m.cfg.Inputs != nil:
		ic := m.cfg.Inputs.Counts(m.cfg.Slot)
		c.Expected, c.Missing, c.Evicted = ic.Added, ic.Unseen+ic.Evicted, ic.Evicted
	case m.cfg.Tracker != nil && run != nil:
		c.Expected = run.Acked.Load()
		c.Missing = m.cfg.Tracker.Lost(run)
	}
	return c
}
