package scenarios

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/kbench/kbench/collectors"
	"github.com/kbench/kbench/generators"
)

// ErrSelfPaced is InstancePacer's error for a producer whose generator
// paces itself: its pacer comes from the generator (generators.Paced).
var ErrSelfPaced = errors.New("the generator paces itself (pace: recorded); ask it for its pacer")

// SelfPaced reports whether the producer's generator sets its records'
// send times itself (a replay with pace: recorded): it then has no rate,
// and the runner takes its pacer from the generator.
func (p Producer) SelfPaced() bool {
	sp, ok := p.Options.(generators.SelfPaced)
	if !ok {
		return false
	}
	_, self := sp.SelfPaced()
	return self
}

// selfPacedRate is a self-paced producer's estimated mean rate, records
// per second.
func (p Producer) selfPacedRate() float64 {
	if sp, ok := p.Options.(generators.SelfPaced); ok {
		rps, _ := sp.SelfPaced()
		return rps
	}
	return 0
}

// Pacer returns the open-model rate profile of the whole producer.
func (p Producer) Pacer() (generators.Pacer, error) {
	return p.Rate.pacer(1, p.Seed)
}

// InstancePacer returns the rate profile of producer instance i
// (0 ≤ i < Concurrency): the producer's rate split evenly over its
// instances. Poisson instances draw from distinct seeds derived from Seed.
// It knows nothing of the scenario's rate events; Scenario.InstancePacer
// applies them.
func (p Producer) InstancePacer(i int) (generators.Pacer, error) {
	if p.Concurrency < 1 || i < 0 || i >= p.Concurrency {
		return nil, fmt.Errorf("producer %q: instance %d of %d does not exist", p.Name, i, p.Concurrency)
	}
	return p.Rate.pacer(float64(p.Concurrency), p.Seed+int64(i)<<32)
}

// InstancePacer returns the rate profile of instance `instance` of
// producers[producer]: Producer.InstancePacer, switched (with
// generators.Switch) to each of the producer's rate events at its time, each
// new rate split over the producer's instances like its own rate. Like a
// Poisson pacer, the result expects Due(n) with n increasing by one per
// call and is not safe for concurrent use; ask for one pacer per goroutine.
func (s *Scenario) InstancePacer(producer, instance int) (generators.Pacer, error) {
	if producer < 0 || producer >= len(s.Producers) {
		return nil, fmt.Errorf("producer %d of %d does not exist", producer, len(s.Producers))
	}
	p := s.Producers[producer]
	if p.SelfPaced() {
		return nil, fmt.Errorf("producer %q: %w", p.Name, ErrSelfPaced)
	}
	pacer, err := p.InstancePacer(instance)
	if err != nil {
		return nil, err
	}
	for k, ev := range s.rateEvents(producer) {
		// Each event's Poisson instances get seeds of their own.
		after, err := ev.rate.pacer(float64(p.Concurrency), p.Seed+int64(instance)<<32+int64(k+1)<<44)
		if err != nil {
			return nil, fmt.Errorf("producer %q: rate event at %s: %w", p.Name, ev.at, err)
		}
		pacer = generators.Switch(pacer, ev.at, after)
	}
	return pacer, nil
}

// rateEvents returns the rate changes of producers[i] in time order.
func (s *Scenario) rateEvents(i int) []rateChange {
	var out []rateChange
	for _, ev := range sortedEvents(s.Events) {
		if rs, ok := ev.Action.(rateSetter); ok {
			if name, r := rs.producerRate(); r != nil && name == s.Producers[i].Name {
				out = append(out, rateChange{at: ev.At, rate: *r})
			}
		}
	}
	return out
}

// rateChange is a producer's new rate from at on.
type rateChange struct {
	at   time.Duration
	rate Rate
}

// pacer builds the profile with every rate divided by share.
func (r Rate) pacer(share float64, seed int64) (generators.Pacer, error) {
	if r.Options == nil {
		return nil, fmt.Errorf("unknown rate profile %q", r.Profile)
	}
	return r.Options.Pacer(share, seed), nil
}

// Peak returns the highest rate, in records per second, the profile asks
// for at any time.
func (r Rate) Peak() float64 {
	if r.Options == nil {
		return 0
	}
	return r.Options.Peak()
}

// Records returns how many records the profile sends in its first d, as
// its pacer schedules them (for poisson, their expected number).
func (r Rate) Records(d time.Duration) float64 {
	if r.Options == nil || d <= 0 {
		return 0
	}
	return r.Options.Records(d)
}

// String describes the profile in a few words for logs and reports.
func (r Rate) String() string {
	if r.Options == nil {
		return r.Profile
	}
	return r.Options.String()
}

// Offered returns how many records producers[i] sends over the run: its
// own profile until its first rate event, then each event's profile
// (starting afresh at the event, as InstancePacer switches to it) until the
// next event or the end of Duration. For a self-paced producer it is an
// estimate: the mean rate of the records checked before the run.
func (s *Scenario) Offered(i int) float64 {
	if p := s.Producers[i]; p.SelfPaced() {
		return p.selfPacedRate() * s.Duration.Seconds()
	}
	var n float64
	rate, from := s.Producers[i].Rate, time.Duration(0)
	for _, ev := range s.rateEvents(i) {
		if ev.at >= s.Duration {
			break
		}
		n += rate.Records(ev.at - from)
		rate, from = ev.rate, ev.at
	}
	return n + rate.Records(s.Duration-from)
}

// PeakRate returns the sum of the producers' peak rates in records per
// second, each producer's rate events included: an upper bound of what the
// stream must take at once.
func (s *Scenario) PeakRate() float64 {
	total := 0.0
	for i, p := range s.Producers {
		peak := p.Rate.Peak()
		if p.SelfPaced() {
			peak = p.selfPacedRate() // a mean: the file's peaks are not known before the run
		}
		for _, ev := range s.rateEvents(i) {
			peak = math.Max(peak, ev.rate.Peak())
		}
		total += peak
	}
	return total
}

// ConsumerApps counts the scenario's consumer applications that poll and
// those that register an enhanced fan-out consumer.
func (s *Scenario) ConsumerApps() (polling, fanOut int) {
	for _, c := range s.Consumers {
		if k, ok := collectors.Kinds.Lookup(c.Kind); ok && k.FanOut {
			fanOut += c.Count
		} else {
			polling += c.Count
		}
	}
	return polling, fanOut
}

// PeakShards is the largest shard count the stream has during the run:
// stream.shards or a shard-count event's.
func (s *Scenario) PeakShards() int {
	n := s.Stream.Shards
	for _, ev := range s.Events {
		n = max(n, s.ShardCountAt(ev.At))
	}
	return n
}
