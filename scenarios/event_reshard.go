package scenarios

import (
	"context"
	"fmt"
)

// maxReshards bounds update_shard_count events: AWS allows 10
// UpdateShardCount calls per stream per rolling 24 hours.
const maxReshards = 10

// EventUpdateShardCount names the event kind that reshards the stream; the
// summary's events[].action of its events.
const EventUpdateShardCount = "update_shard_count"

var reshardEventKind = EventKind{
	Name: EventUpdateShardCount,
	Doc: "Calls UpdateShardCount (uniform scaling) with this target: between half and double the shard count in effect, " +
		"on provisioned streams kbench creates; at most 10 per run, as AWS allows 10 per rolling 24 hours.",
	Example: "{at: 20s, update_shard_count: 4}",
	Options: func() EventAction { return &ReshardEvent{} },
}

// ReshardEvent changes the stream's shard count.
type ReshardEvent struct {
	// Shards is the target shard count: between half and double the shard
	// count in effect at the event (stream.shards, then earlier events).
	Shards int `yaml:"update_shard_count" json:"update_shard_count"`
}

func (e *ReshardEvent) targetShards() int { return e.Shards }

// Check implements EventAction.
func (e *ReshardEvent) Check(c *EventCheck) {
	const field = "update_shard_count"
	s := c.Scenario
	if c.Earlier >= maxReshards {
		c.Report(field, fmt.Sprintf("at most %d shard-count updates per run (AWS allows %d per stream per rolling 24 hours)", maxReshards, maxReshards))
	}
	switch current, target := c.Shards, e.Shards; {
	case s.Stream.Mode != "provisioned":
		c.Report(field, fmt.Sprintf("is only for provisioned streams, not %s: Kinesis sizes on-demand streams itself", s.Stream.Mode))
	case s.Stream.Existing:
		c.Report(field, "cannot change an existing stream: kbench only reshards streams it creates")
	case target < 1 || target > maxShards:
		c.Report(field, fmt.Sprintf("must be between 1 and %d, got %d", maxShards, target))
	case target == current:
		c.Report(field, fmt.Sprintf("is already the shard count in effect (%d)", current))
	case 2*target < current || target > 2*current:
		c.Report(field, fmt.Sprintf("must be between half and double the shard count in effect (%d), that is %d to %d, got %d",
			current, (current+1)/2, min(2*current, maxShards), target))
	}
}

// Run implements EventAction: it reshards and waits for the stream.
func (e *ReshardEvent) Run(ctx context.Context, run EventRun) []EventOutcome {
	from, took, err := run.Reshard(ctx, e.Shards)
	o := EventOutcome{Detail: fmt.Sprintf("%d -> %d shards", from, e.Shards), Err: err}
	if err == nil {
		o.Detail += fmt.Sprintf(", ACTIVE after %.1fs", took.Seconds())
	}
	return []EventOutcome{o}
}
