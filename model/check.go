package model

import (
	"fmt"

	"github.com/kbench/kbench/generators"
	"github.com/kbench/kbench/scenarios"
	"github.com/kbench/kbench/sim"
)

// eventRate is the rate-change event kind's name.
const eventRate = "rate"

// Check returns a problem for every part of sc the model does not
// represent, each naming the file, line and field that asked for it; nil
// when the model can run sc. docs/model.md lists the same things.
func Check(sc *scenarios.Scenario) scenarios.Problems {
	var probs scenarios.Problems
	refuse := func(field, what string) {
		probs = append(probs, sc.ProblemAt(field, "the model target does not represent "+what+
			"; run it on the sim or a real target (see docs/model.md)"))
	}
	if sc.Application != nil {
		refuse("application", "an application under test (it runs real code against a real endpoint)")
	}
	if len(sc.Destinations) > 0 {
		refuse("destinations", "destinations of an application under test")
	}
	if sc.Target.Endpoint != "" {
		refuse("target.endpoint", "an endpoint (it runs no endpoint at all)")
	}
	if sc.Stream.Existing {
		refuse("stream.existing", "an existing stream (it holds no records of its own)")
	}
	t := sc.Target.Sim
	if t.StallFor > 0 {
		refuse("target.sim.stall_for", "stalls of the endpoint")
	}
	if t.ErrorRate > 0 {
		refuse("target.sim.error_rate", "injected InternalFailure errors")
	}
	if t.Quotas != sim.QuotasAWS && t.Quotas != sim.QuotasOff {
		refuse("target.sim.quotas", fmt.Sprintf("quota mode %q", t.Quotas))
	}
	for i, p := range sc.Producers {
		at := func(f string) string { return fmt.Sprintf("producers[%d].%s", i, f) }
		if p.Ordering != "" && p.Ordering != "none" {
			refuse(at("ordering"), "ordering "+p.Ordering+" (one call in flight per shard and key order)")
		}
		if p.Deadline > 0 && p.Deadline != sc.Deadline {
			refuse(at("deadline"), "a producer's own deadline (on time is judged against the scenario's deadline)")
		}
		if p.Envelope != "" && p.Envelope != scenarios.EnvelopePrefix {
			refuse(at("envelope"), "envelope mode "+p.Envelope+" (only the 40-byte prefix envelope)")
		}
		if p.SelfPaced() {
			refuse(at("generator"), "a producer paced by its recording (replay pace: recorded)")
		}
		if gen, err := generators.New(p.Options, p.Seed); err == nil {
			if _, finite := gen.(generators.Finite); finite {
				refuse(at("generator"), "a finite generator (a replay ends when its input does)")
			}
			if c, ok := gen.(interface{ Close() error }); ok {
				_ = c.Close() // only built to look at it
			}
		}
	}
	for i, c := range sc.Consumers {
		if c.CheckpointInterval > 0 {
			refuse(fmt.Sprintf("consumers[%d].checkpoint_interval", i), "checkpoints (nothing is ever read again in the model)")
		}
	}
	for i, ev := range sc.Events {
		// The model applies reshards (update_shard_count) itself, and rate
		// changes come through the producers' pacers; any other kind
		// (restart, or one added later) it does not represent.
		if ev.Kind != scenarios.EventUpdateShardCount && ev.Kind != eventRate {
			refuse(fmt.Sprintf("events[%d].%s", i, ev.Kind), ev.Kind+" events")
		}
	}
	return probs
}
