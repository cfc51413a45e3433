package scenarios

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kbench/kbench/internal/clip"
)

// Limits on events.
const (
	maxEvents   = 1000
	maxReshards = 10 // UpdateShardCount calls per stream per rolling 24 hours
)

// Event is one change made while the run goes, At after it starts. It does
// exactly one thing: change the stream's shard count, change one
// producer's rate, or restart a consumer application. In a file:
//
//	events:
//	  - {at: 20s, update_shard_count: 4}
//	  - {at: 30s, producer: payments, rate: {profile: constant, rps: 3000}}
//	  - {at: 40s, consumer: fraud-detector, restart: {after: 5s}}
type Event struct {
	// At is when the event happens, after the start and before Duration
	// ends. Required.
	At time.Duration `yaml:"at" json:"at"`
	// UpdateShardCount calls UpdateShardCount (uniform scaling) with this
	// target: between half and double the shard count in effect at At
	// (stream.shards, then earlier events). Provisioned streams that
	// kbench creates only; at most 10 per run, as AWS allows 10 per
	// rolling 24 hours.
	UpdateShardCount int `yaml:"update_shard_count" json:"update_shard_count,omitempty"`
	// Producer names the producer whose rate changes. It may be left out
	// when the scenario has one producer; Load then fills in its name.
	Producer string `yaml:"producer" json:"producer,omitempty"`
	// Rate is the producer's new rate profile from At on, split over its
	// instances like its own rate and starting afresh at At (a ramp event
	// ramps from At). It is checked as a producer's rate is.
	Rate *Rate `yaml:"rate" json:"rate,omitempty"`
	// Consumer names the consumer application a restart event stops (every
	// instance, when its count is above 1). It may be left out when the
	// scenario has one consumer; Load then fills in its name.
	Consumer string `yaml:"consumer" json:"consumer,omitempty"`
	// Restart stops the consumer's reading at At, as a crashed worker would
	// stop, and resumes it After later from its last checkpoints: the
	// records it processed since then are read again.
	Restart *Restart `yaml:"restart" json:"restart,omitempty"`
}

// Restart is a restart event's pause.
type Restart struct {
	// After is how long the consumer stays stopped, > 0.
	After time.Duration `yaml:"after" json:"after"`
}

// ShardCountAt returns the shard count in effect at t after the start of
// the run: Stream.Shards as changed by the update_shard_count events at or
// before t. It is the target of the last such event, not necessarily what
// the stream already has: resharding takes time.
func (s *Scenario) ShardCountAt(t time.Duration) int {
	n := s.Stream.Shards
	for _, ev := range sortedEvents(s.Events) {
		if ev.At > t {
			break
		}
		if ev.UpdateShardCount > 0 {
			n = ev.UpdateShardCount
		}
	}
	return n
}

// sortedEvents returns the events stably sorted by At, without changing
// the slice it was given.
func sortedEvents(events []Event) []Event {
	if slices.IsSortedFunc(events, byAt) {
		return events
	}
	out := slices.Clone(events)
	slices.SortStableFunc(out, byAt)
	return out
}

func byAt(a, b Event) int { return cmp.Compare(a.At, b.At) }

// checkEvents checks every event against the scenario, fills in a rate
// event's producer when there is only one, and sorts the events by At.
// Problems name each event by its place in the file.
func (d *decoder) checkEvents(s *Scenario) {
	if len(s.Events) > maxEvents {
		d.report("events", fmt.Sprintf("at most %d events, got %d", maxEvents, len(s.Events)))
		return
	}
	var names []string
	for _, p := range s.Producers {
		names = append(names, p.Name)
	}
	order := make([]int, len(s.Events))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return byAt(s.Events[a], s.Events[b]) })
	shards, reshards := s.Stream.Shards, 0
	for _, i := range order {
		ev := &s.Events[i]
		path := fmt.Sprintf("events[%d]", i)
		at := func(field string) string { return path + "." + field }
		switch {
		case !d.has(at("at")):
			d.report(at("at"), "is required: when the event happens after the start, such as 20s")
		case ev.At <= 0 || ev.At >= s.Duration:
			d.report(at("at"), fmt.Sprintf("must be after the start and before the end of the run (duration %s), got %s", s.Duration, ev.At))
		}
		reshard, rate, restart := d.has(at("update_shard_count")), d.has(at("rate")), d.has(at("restart"))
		if !restart && d.has(at("consumer")) {
			d.report(at("consumer"), "is only for restart events")
		}
		switch {
		case btoi(reshard)+btoi(rate)+btoi(restart) > 1:
			d.report(path, "an event does one thing: update_shard_count, rate or restart, not more")
		case restart:
			if d.has(at("producer")) {
				d.report(at("producer"), "is only for rate events")
			}
			d.checkEventConsumer(ev, at("consumer"), s.Consumers)
			if ev.Restart != nil && ev.Restart.After <= 0 {
				d.report(at("restart.after"), "must be positive: how long the consumer stays stopped, such as 5s")
			}
		case reshard:
			if d.has(at("producer")) {
				d.report(at("producer"), "is only for rate events")
			}
			if reshards++; reshards > maxReshards {
				d.report(at("update_shard_count"), fmt.Sprintf("at most %d shard-count updates per run (AWS allows %d per stream per rolling 24 hours)", maxReshards, maxReshards))
			}
			d.checkReshard(s, ev.UpdateShardCount, shards, at("update_shard_count"))
			if ev.UpdateShardCount > 0 {
				shards = ev.UpdateShardCount
			}
		case rate:
			d.checkEventProducer(ev, at("producer"), names)
			if ev.Rate != nil { // nil only when the rate failed to decode
				d.checkRate(ev.Rate, at("rate"))
			}
		default:
			d.report(path, "needs an action: update_shard_count (such as {at: 20s, update_shard_count: 4}), rate or restart")
		}
	}
	if !slices.IsSorted(order) {
		slices.SortStableFunc(s.Events, byAt)
		d.renumber("events", order)
	}
}

// checkReshard checks an update_shard_count target against the shard count
// in effect before it.
func (d *decoder) checkReshard(s *Scenario, target, current int, field string) {
	switch {
	case s.Stream.Mode != "provisioned":
		d.report(field, fmt.Sprintf("is only for provisioned streams, not %s: Kinesis sizes on-demand streams itself", s.Stream.Mode))
	case s.Stream.Existing:
		d.report(field, "cannot change an existing stream: kbench only reshards streams it creates")
	case target < 1 || target > maxShards:
		d.report(field, fmt.Sprintf("must be between 1 and %d, got %d", maxShards, target))
	case target == current:
		d.report(field, fmt.Sprintf("is already the shard count in effect (%d)", current))
	case 2*target < current || target > 2*current:
		d.report(field, fmt.Sprintf("must be between half and double the shard count in effect (%d), that is %d to %d, got %d",
			current, (current+1)/2, min(2*current, maxShards), target))
	}
}

// checkEventProducer checks, or fills in, the producer of a rate event.
func (d *decoder) checkEventProducer(ev *Event, field string, names []string) {
	switch {
	case d.has(field):
		if !slices.Contains(names, ev.Producer) {
			d.report(field, fmt.Sprintf("unknown producer %s; producers: %s", clip.Quote(ev.Producer), strings.Join(names, ", ")))
		}
	case len(names) == 1:
		ev.Producer = names[0]
	default:
		d.report(field, fmt.Sprintf("is required with more than one producer (%s)", strings.Join(names, ", ")))
	}
}

// checkEventConsumer checks, or fills in, the consumer of a restart event.
func (d *decoder) checkEventConsumer(ev *Event, field string, consumers []Consumer) {
	var names []string
	for _, c := range consumers {
		names = append(names, c.Name)
	}
	switch {
	case d.has(field):
		if !slices.Contains(names, ev.Consumer) {
			d.report(field, fmt.Sprintf("unknown consumer %q; consumers: %s", ev.Consumer, strings.Join(names, ", ")))
		}
	case len(names) == 1:
		ev.Consumer = names[0]
	default:
		d.report(field, fmt.Sprintf("is required with more than one consumer (%s)", strings.Join(names, ", ")))
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// renumber moves the recorded positions of the list at path to the items'
// new places after a reorder: the item now at j was at order[j].
func (d *decoder) renumber(path string, order []int) {
	newIndex := make(map[int]int, len(order))
	for j, i := range order {
		newIndex[i] = j
	}
	moved := map[string]position{}
	for key, pos := range d.seen {
		rest, ok := strings.CutPrefix(key, path+"[")
		if !ok {
			continue
		}
		num, tail, ok := strings.Cut(rest, "]")
		i, err := strconv.Atoi(num)
		if !ok || err != nil {
			continue
		}
		delete(d.seen, key)
		moved[fmt.Sprintf("%s[%d]%s", path, newIndex[i], tail)] = pos
	}
	for key, pos := range moved {
		d.seen[key] = pos
	}
}
