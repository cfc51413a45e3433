package targets

import (
	"context"
	"strings"
	"testing"
)

// Adding a target kind is one Kind value and its line in Kinds: here a
// kind that opens a simulator under its own name, added to a copy of the
// table, opens through Open and serves the stream lifecycle.
func TestNewTargetKindThroughTable(t *testing.T) {
	old := Kinds
	t.Cleanup(func() { Kinds = old })
	Kinds = Kinds.With(Kind{
		Name:       "sim-twin",
		Doc:        "The simulator under another name.",
		InScenario: true,
		SimOptions: true,
		Open: func(ctx context.Context, spec Spec) (*Target, error) {
			return openSim(ctx, spec)
		},
	})
	if _, ok := ScenarioKinds().Lookup("sim-twin"); !ok {
		t.Fatal("the new kind is not one a scenario may name")
	}
	tgt, err := Open(t.Context(), Spec{Kind: "sim-twin"})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer tgt.Close()
	testLifecycle(t, tgt)
}

func TestOpenUnknownKindListsTheTable(t *testing.T) {
	_, err := Open(t.Context(), Spec{Kind: "kafka"})
	if err == nil || !strings.Contains(err.Error(), "sim, kinesis-mock, localstack, aws or endpoint") {
		t.Errorf("Open(kafka) = %v, want the kinds listed", err)
	}
}
