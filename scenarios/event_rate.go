package scenarios

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kbench/kbench/internal/clip"
)

var rateEventKind = EventKind{
	Name: "rate",
	Doc: "Changes one producer's rate profile from the event on, split over its instances like its own rate and starting " +
		"afresh at the event (a ramp ramps from there); `producer` names it and may be left out with one producer.",
	Example: "{at: 30s, producer: payments, rate: {profile: constant, rps: 3000}}",
	Options: func() EventAction { return &RateEvent{} },
}

// RateEvent changes a producer's rate. The producers' pacers switch to it
// at its time (Scenario.InstancePacer); at the run it is only recorded.
type RateEvent struct {
	// Producer names the producer whose rate changes. It may be left out
	// when the scenario has one producer; Load then fills in its name.
	Producer string `yaml:"producer" json:"producer"`
	// Rate is the producer's new rate profile, checked as a producer's
	// rate is.
	Rate *Rate `yaml:"rate" json:"rate"`
}

func (e *RateEvent) producerRate() (string, *Rate) { return e.Producer, e.Rate }

// Check implements EventAction: it checks, or fills in, the producer and
// checks the rate.
func (e *RateEvent) Check(c *EventCheck) {
	var names []string
	for _, p := range c.Scenario.Producers {
		names = append(names, p.Name)
	}
	switch {
	case c.Has("producer"):
		if !slices.Contains(names, e.Producer) {
			c.Report("producer", fmt.Sprintf("unknown producer %s; producers: %s", clip.Quote(e.Producer), strings.Join(names, ", ")))
		}
	case len(names) == 1:
		e.Producer = names[0]
	default:
		c.Report("producer", fmt.Sprintf("is required with more than one producer (%s)", strings.Join(names, ", ")))
	}
	for _, p := range c.Scenario.Producers {
		if p.Name == e.Producer && p.SelfPaced() {
			c.Report("producer", fmt.Sprintf("%s sends at its file's own times (pace: recorded); a rate event cannot change that", clip.Quote(p.Name)))
		}
	}
	if e.Rate != nil { // nil only when the rate failed to decode
		c.CheckRate(e.Rate, "rate")
	}
}

// Run implements EventAction: the pacers have switched already.
func (e *RateEvent) Run(context.Context, EventRun) []EventOutcome {
	return []EventOutcome{{Detail: fmt.Sprintf("%s: %s", e.Producer, e.Rate)}}
}
