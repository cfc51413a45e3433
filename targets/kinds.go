package targets

import (
	"context"

	"github.com/kbench/kbench/internal/kind"
)

// Kind is one target kind in the Kinds table.
type Kind struct {
	// Name is the value of Spec.Kind and of a scenario's target.kind.
	Name string
	// Doc says in one sentence what the kind is.
	Doc string
	// InScenario says whether a scenario's target.kind (and kbench run
	// --target) may name the kind; the others are chosen otherwise (kind
	// endpoint by --endpoint without a kind).
	InScenario bool
	// SimOptions says whether the kind takes the simulator's settings,
	// target.sim (Spec.Sim).
	SimOptions bool
	// Offline says the kind is no endpoint at all: the scenario runs on
	// package model's simulated clock, with no HTTP and no SDK client. Open
	// is nil; kbench run and kbench plan hand such a cell to model.Run
	// instead of the runner.
	Offline bool
	// Open starts (or connects to) the target; Spec.Kind is this kind and
	// Spec.Region is filled in for every kind but aws. It blocks like Open.
	// nil for an Offline kind.
	Open func(ctx context.Context, spec Spec) (*Target, error)
}

// KindName implements kind.Named.
func (k Kind) KindName() string { return k.Name }

// Kinds is every target kind, in the order messages and documentation list
// them.
var Kinds = kind.Table[Kind]{
	simKind,
	kinesisMockKind,
	localStackKind,
	awsKind,
	endpointKind,
	modelKind,
}

// ScenarioKinds returns the kinds a scenario's target.kind may name.
func ScenarioKinds() kind.Table[Kind] {
	var out kind.Table[Kind]
	for _, k := range Kinds {
		if k.InScenario {
			out = append(out, k)
		}
	}
	return out
}
