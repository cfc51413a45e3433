package scenarios

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml/ast"

	"github.com/kbench/kbench/internal/clip"
	"github.com/kbench/kbench/internal/kind"
)

// maxEvents bounds a scenario's events.
const maxEvents = 1000

// Event is one change made while the run goes, At after it starts. It does
// exactly one thing, named by the one key of its kind (a kind of
// EventKinds) beside `at`. In a file:
//
//	events:
//	  - {at: 20s, update_shard_count: 4}
//	  - {at: 30s, producer: payments, rate: {profile: constant, rps: 3000}}
//	  - {at: 40s, consumer: fraud-detector, restart: {after: 5s}}
type Event struct {
	// At is when the event happens, after the start and before Duration
	// ends. Required.
	At time.Duration `yaml:"at" json:"at"`
	// Kind names the event's kind in EventKinds, the key of the file that
	// named its action.
	Kind string `yaml:"-" json:"-"`
	// Action is the kind's options, decoded from the event's other keys
	// and checked; the runner calls its Run at At.
	Action EventAction `yaml:"-" json:"-"`
}

// MarshalJSON writes the event as the file has it: at, and the action's
// fields.
func (e Event) MarshalJSON() ([]byte, error) { return json.Marshal(eventTree(e)) }

// EventKind is one kind of event in the EventKinds table.
type EventKind struct {
	// Name is the key that names the event's action in the file, such as
	// update_shard_count; it is the summary's events[].action too.
	Name string
	// Doc describes the kind in a sentence, for docs/kinds.md and the JSON
	// Schema.
	Doc string
	// Example is one event of the kind as a flow mapping, for messages and
	// docs.
	Example string
	// Options returns a new, empty action of the kind. Its yaml fields are
	// the event's keys beside `at`; Name is one of them.
	Options func() EventAction
}

// KindName implements kind.Named.
func (k EventKind) KindName() string { return k.Name }

// EventKinds is every event kind, in the order messages and documentation
// list them. Adding one is a file with its action type and a line here.
var EventKinds = kind.Table[EventKind]{
	reshardEventKind,
	rateEventKind,
	restartEventKind,
}

// EventAction is what an event of a kind does. Its yaml fields are the
// event's keys (see EventKind.Options).
type EventAction interface {
	// Check validates the action against the scenario and reports each
	// problem through c, which points at the file's line; it may fill in
	// defaults that depend on the scenario (a rate event's only producer).
	Check(c *EventCheck)
	// Run does the action on the running scenario at the event's time and
	// returns what it did, for the summary. It may block (a reshard waits
	// for the stream); cancelling ctx stops it.
	Run(ctx context.Context, run EventRun) []EventOutcome
}

// EventRun is what a running scenario offers its events' actions; the
// runner implements it.
type EventRun interface {
	// Reshard scales the stream uniformly to shards shards, waits until it
	// is ACTIVE again and routes records by the new shard map. It returns
	// the shard count before and how long it took.
	Reshard(ctx context.Context, shards int) (from int, took time.Duration, err error)
	// RestartConsumer stops every instance of the consumer application
	// named name and has each resume from its checkpoints after the pause.
	// It returns the instances' names, none when there is no such
	// application.
	RestartConsumer(name string, after time.Duration) []string
}

// EventOutcome is one thing an event's action did, for the summary's
// events list and the log.
type EventOutcome struct {
	// After is its time after the event's own (a restart's resume is
	// After its pause); 0 for the event itself.
	After time.Duration
	// Label is the summary's events[].action; "" means the kind's name.
	Label string
	// Detail says what changed, such as "2 -> 4 shards".
	Detail string
	// Err is why the action failed; nil when it was done.
	Err error
}

// EventCheck is what an action's Check sees of the scenario, and where it
// reports problems.
type EventCheck struct {
	// Scenario is the scenario being loaded, decoded and defaulted.
	Scenario *Scenario
	// Shards is the shard count in effect just before the event: the
	// stream's, as set by the events before it in time.
	Shards int
	// Earlier counts the events of the same kind before this one in time.
	Earlier int

	d    *decoder
	path string // events[i]
}

// Report records a problem with field of the event (such as "producer" or
// "restart.after"), at the line that set it.
func (c *EventCheck) Report(field, problem string) { c.d.report(c.path+"."+field, problem) }

// Has says whether field of the event was set, in the file or by an
// override.
func (c *EventCheck) Has(field string) bool { return c.d.has(c.path + "." + field) }

// CheckRate checks a rate profile at field of the event as a producer's
// rate is checked.
func (c *EventCheck) CheckRate(r *Rate, field string) { c.d.checkRate(r, c.path+"."+field) }

// shardSetter is an action that sets the stream's shard count.
type shardSetter interface{ targetShards() int }

// rateSetter is an action that changes a producer's rate.
type rateSetter interface {
	producerRate() (producer string, r *Rate)
}

// ShardCountAt returns the shard count in effect at t after the start of
// the run: Stream.Shards as changed by the events at or before t that set
// it. It is the target of the last such event, not necessarily what the
// stream already has: resharding takes time.
func (s *Scenario) ShardCountAt(t time.Duration) int {
	n := s.Stream.Shards
	for _, ev := range sortedEvents(s.Events) {
		if ev.At > t {
			break
		}
		if ss, ok := ev.Action.(shardSetter); ok && ss.targetShards() > 0 {
			n = ss.targetShards()
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

// decodeEvent decodes an event in two steps: which kind its keys name,
// then `at` and every other key strictly into that kind's options. A key
// of another kind's options is refused as such; with no kind or more than
// one, the keys are only recorded, and checkEvents says what is missing.
func (d *decoder) decodeEvent(n ast.Node, ev *Event, path string, org *origin) {
	m, ok := n.(*ast.MappingNode)
	if !ok {
		d.addAt(n, org, path, "must be a mapping, got "+describe(n))
		return
	}
	entries := d.entries(m, path, org)
	var kinds []EventKind
	for _, e := range entries {
		if k, ok := EventKinds.Lookup(e.key); ok && !isNull(d.resolve(e.kv.Value)) {
			kinds = append(kinds, k)
		}
	}
	var fields map[string]int
	var ov reflect.Value
	if len(kinds) == 1 {
		ev.Kind, ev.Action = kinds[0].Name, kinds[0].Options()
		ov = reflect.ValueOf(ev.Action).Elem()
		fields = yamlFields(ov.Type())
	}
	for _, e := range entries {
		korg := d.keyOrigin(e, org)
		fpath := joinPath(path, e.key)
		var dst reflect.Value
		if e.key == "at" {
			dst = reflect.ValueOf(&ev.At).Elem()
		} else if idx, ok := fields[e.key]; ok {
			dst = ov.Field(idx)
		}
		if dst.IsValid() {
			d.markKey(fpath, e.kv, korg)
			d.decodeValue(e.kv.Value, dst, fpath, korg)
			continue
		}
		switch owner := eventFieldOwner(e.key); {
		case owner == "":
			d.addAt(e.kv.Key, korg, fpath, fmt.Sprintf("unknown field %s; known fields: %s", clip.Quote(e.key), eventFields()))
		case len(kinds) == 1:
			d.addAt(e.kv.Key, korg, fpath, fmt.Sprintf("is only for %s events", owner))
		default:
			d.markKey(fpath, e.kv, korg)
		}
	}
}

// eventFieldOwner names the first event kind whose options have the yaml
// field key, or "".
func eventFieldOwner(key string) string {
	for _, k := range EventKinds {
		if _, ok := yamlFields(reflect.TypeOf(k.Options()).Elem())[key]; ok {
			return k.Name
		}
	}
	return ""
}

// eventFields lists every key an event may have: at, then each kind's
// fields in table order.
func eventFields() string {
	out := []string{"at"}
	for _, k := range EventKinds {
		for _, f := range knownFieldList(reflect.TypeOf(k.Options()).Elem()) {
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return strings.Join(out, ", ")
}

// knownFieldList lists t's yaml fields, the event kind's own key first.
func knownFieldList(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		if name := yamlName(t.Field(i)); name != "" {
			names = append(names, name)
		}
	}
	slices.SortStableFunc(names, func(a, b string) int {
		_, ka := EventKinds.Lookup(a)
		_, kb := EventKinds.Lookup(b)
		return cmp.Compare(btoi(kb), btoi(ka))
	})
	return names
}

// checkEvents checks every event against the scenario through its kind,
// in time order (so each sees the shard count in effect before it), and
// sorts the events by At. Problems name each event by its place in the
// file.
func (d *decoder) checkEvents(s *Scenario) {
	if len(s.Events) > maxEvents {
		d.report("events", fmt.Sprintf("at most %d events, got %d", maxEvents, len(s.Events)))
		return
	}
	order := make([]int, len(s.Events))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return byAt(s.Events[a], s.Events[b]) })
	shards, earlier := s.Stream.Shards, map[string]int{}
	for _, i := range order {
		ev := &s.Events[i]
		path := fmt.Sprintf("events[%d]", i)
		at := path + ".at"
		switch {
		case !d.has(at):
			d.report(at, "is required: when the event happens after the start, such as 20s")
		case ev.At <= 0 || ev.At >= s.Duration:
			d.report(at, fmt.Sprintf("must be after the start and before the end of the run (duration %s), got %s", s.Duration, ev.At))
		}
		named := 0
		for _, k := range EventKinds {
			named += btoi(d.has(path + "." + k.Name))
		}
		switch {
		case named > 1:
			d.report(path, "an event does one thing: "+EventKinds.Want()+", not more")
			continue
		case ev.Action == nil:
			if named == 0 {
				d.report(path, fmt.Sprintf("needs an action: %s; for example %s", EventKinds.Want(), EventKinds[0].Example))
			}
			continue
		}
		ev.Action.Check(&EventCheck{Scenario: s, Shards: shards, Earlier: earlier[ev.Kind], d: d, path: path})
		earlier[ev.Kind]++
		if ss, ok := ev.Action.(shardSetter); ok && ss.targetShards() > 0 {
			shards = ss.targetShards()
		}
	}
	if !slices.IsSorted(order) {
		slices.SortStableFunc(s.Events, byAt)
		d.renumber("events", order)
	}
}

// eventTree is an event as the file has it, for Resolved and JSON: at and
// the action's fields.
func eventTree(e Event) map[string]any {
	out := map[string]any{}
	if e.Action != nil {
		if m, ok := toTree(reflect.ValueOf(e.Action)).(map[string]any); ok {
			maps.Copy(out, m)
		}
	}
	out["at"] = e.At.String()
	return out
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
