package runner

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kbench/kbench/scenarios"
	"github.com/kbench/kbench/targets"
)

// markEvent is an event kind defined outside scenarios: it writes a note
// into the summary's events, as a deploy marker would. Adding it takes this
// type and one line in scenarios.EventKinds; decoding, validation, the
// docs, the run and the summary's label follow from the table.
type markEvent struct {
	Note string `yaml:"mark"`
}

func (e *markEvent) Check(c *scenarios.EventCheck) {
	if strings.TrimSpace(e.Note) == "" {
		c.Report("mark", "must not be empty: the note to mark the run with")
	}
}

func (e *markEvent) Run(context.Context, scenarios.EventRun) []scenarios.EventOutcome {
	return []scenarios.EventOutcome{{Detail: e.Note}}
}

func TestNewEventKindThroughTheTable(t *testing.T) {
	old := scenarios.EventKinds
	scenarios.EventKinds = scenarios.EventKinds.With(scenarios.EventKind{
		Name: "mark", Doc: "a note in the results", Example: "{at: 2s, mark: deploy}",
		Options: func() scenarios.EventAction { return &markEvent{} },
	})
	t.Cleanup(func() { scenarios.EventKinds = old })

	base := "name: t\nduration: 3s\nwarmup: 0s\ndrain: 1s\nproducers:\n  - generator: payments\n    rate: {profile: constant, rps: 50}\nevents:\n"
	_, err := scenarios.Parse("bad.yaml", []byte(base+"  - {at: 1s, mark: \" \"}\n  - {at: 2s, mark: x, update_shard_count: 2}\n"), nil)
	for _, want := range []string{"bad.yaml:9:14: events[0].mark: must not be empty", "bad.yaml:10:5: events[1]: an event does one thing: update_shard_count, rate, restart or mark, not more"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
	if doc := string(scenarios.KindsMarkdown()); !strings.Contains(doc, "| `mark` | a note in the results | `mark` | `{at: 2s, mark: deploy}` |") {
		t.Errorf("docs/kinds.md has no row for the new kind")
	}

	sc, err := scenarios.Parse("t.yaml", []byte(base+"  - {at: 2s, mark: deploy v2}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tgt, err := targets.Open(ctx, targets.Spec{Kind: targets.KindSim})
	if err != nil {
		t.Fatal(err)
	}
	defer tgt.Close()
	sum, err := Run(ctx, Options{Scenario: sc, Target: tgt, OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Events) != 1 {
		t.Fatalf("events %+v, want the mark", sum.Events)
	}
	if e := sum.Events[0]; e.Action != "mark" || e.Detail != "deploy v2" || !e.OK || e.AtS < 2 {
		t.Errorf("event %+v, want mark \"deploy v2\" done at 2 s or after", e)
	}
}
