package targets

import (
	"context"
	"fmt"
	"reflect"

	"github.com/kbench/kbench/sim"
)

var simKind = Kind{
	Name:       KindSim,
	Doc:        "kbench's own Kinesis simulator, in process (the default); target.sim sets its quotas, delays and faults.",
	InScenario: true,
	SimOptions: true,
	Open: func(ctx context.Context, spec Spec) (*Target, error) {
		if spec.Endpoint != "" {
			return nil, fmt.Errorf("targets: kind %q runs in process and takes no endpoint (got %q); use kind %q for a running endpoint such as a standalone kbench sim", KindSim, spec.Endpoint, KindEndpoint)
		}
		return openSim(ctx, spec)
	},
}

// openSim starts the in-process simulator on an ephemeral loopback port.
func openSim(ctx context.Context, spec Spec) (*Target, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cfg := spec.Sim
	if reflect.ValueOf(cfg).IsZero() {
		cfg = sim.DefaultConfig()
	}
	// The server outlives Open's ctx, which only governs start-up; stop ends it.
	url, stop, err := sim.Start(context.WithoutCancel(ctx), cfg, "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("targets: start sim: %w", err)
	}
	fmt.Fprintf(spec.Log, "sim listening on %s\n", url)
	return &Target{
		Kind:     KindSim,
		Endpoint: url,
		Region:   spec.Region,
		closer: func() error {
			stop()
			return nil
		},
	}, nil
}
