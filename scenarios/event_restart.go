package scenarios

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

var restartEventKind = EventKind{
	Name: "restart",
	Doc: "Stops a consumer application's reading (every instance), as a crashed worker would stop, and resumes it `after` " +
		"later from its last checkpoints, so the records processed since are read again; `consumer` names it and may be " +
		"left out with one consumer.",
	Example: "{at: 40s, consumer: fraud-detector, restart: {after: 5s}}",
	Options: func() EventAction { return &RestartEvent{} },
}

// RestartEvent stops a consumer application and resumes it later.
type RestartEvent struct {
	// Consumer names the consumer application to restart. It may be left
	// out when the scenario has one consumer; Load then fills in its name.
	Consumer string `yaml:"consumer" json:"consumer"`
	// Restart is the pause.
	Restart Restart `yaml:"restart" json:"restart"`
}

// Restart is a restart event's pause.
type Restart struct {
	// After is how long the consumer stays stopped, > 0.
	After time.Duration `yaml:"after" json:"after"`
}

// Check implements EventAction: it checks, or fills in, the consumer and
// checks the pause.
func (e *RestartEvent) Check(c *EventCheck) {
	var names []string
	for _, cs := range c.Scenario.Consumers {
		names = append(names, cs.Name)
	}
	switch {
	case c.Has("consumer"):
		if !slices.Contains(names, e.Consumer) {
			c.Report("consumer", fmt.Sprintf("unknown consumer %q; consumers: %s", e.Consumer, strings.Join(names, ", ")))
		}
	case len(names) == 1:
		e.Consumer = names[0]
	default:
		c.Report("consumer", fmt.Sprintf("is required with more than one consumer (%s)", strings.Join(names, ", ")))
	}
	if e.Restart.After <= 0 {
		c.Report("restart.after", "must be positive: how long the consumer stays stopped, such as 5s")
	}
}

// Run implements EventAction: the stop now, and the resume marked at its
// time after the pause.
func (e *RestartEvent) Run(_ context.Context, run EventRun) []EventOutcome {
	names := run.RestartConsumer(e.Consumer, e.Restart.After)
	who := strings.Join(names, ", ")
	stop := EventOutcome{Detail: fmt.Sprintf("%s stopped; resumes from its checkpoints after %v", who, e.Restart.After)}
	if len(names) == 0 {
		stop.Err = errors.New("no consumer application named " + e.Consumer)
		return []EventOutcome{stop}
	}
	return []EventOutcome{stop, {After: e.Restart.After, Label: "resume", Detail: who + " resumes from its checkpoints"}}
}
