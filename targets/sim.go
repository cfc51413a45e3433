package targets

import (
	"context"
	"fmt"
	"reflect"

	"github.com/kbench/kbench/latency"
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
// Unless the configuration sets max_memory, its memory budget is
// DefaultSimMemory: its shards together keep at most a third of it in
// records, trimming the oldest first (see sim.Config.MaxMemory). Unlike
// kbench sim, it does not set the process's soft memory limit: the process
// is kbench's as much as the simulator's.
func openSim(ctx context.Context, spec Spec) (*Target, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cfg := spec.Sim
	if reflect.ValueOf(cfg).IsZero() {
		cfg = sim.DefaultConfig()
	}
	if cfg.MaxMemory == 0 {
		// In process, the simulator's records are kbench's memory: bound
		// them by default, as kbench sim --max-memory does.
		cfg.MaxMemory = DefaultSimMemory()
	}
	srv, err := sim.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("targets: start sim: %w", err)
	}
	// The server outlives Open's ctx, which only governs start-up; stop ends it.
	url, stop, err := srv.Start(context.WithoutCancel(ctx), "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("targets: start sim: %w", err)
	}
	fmt.Fprintf(spec.Log, "sim listening on %s\n", url)
	return &Target{
		Kind:         KindSim,
		Endpoint:     url,
		Region:       spec.Region,
		MemoryBudget: cfg.MaxMemory,
		Latency:      simLatency(srv, cfg),
		SimStats:     srv.Stats,
		closer: func() error {
			stop()
			return nil
		},
	}, nil
}

// simLatency is the latency profile srv applies: its profile, or, without
// one, its fixed put and propagation delays as a profile named "none" (every
// delay zero) or "fixed".
func simLatency(srv *sim.Server, cfg sim.Config) *latency.Profile {
	if p := srv.LatencyProfile(); p != nil {
		return p
	}
	p := latency.None()
	if cfg.PutDelay == 0 && cfg.PropagationDelay == 0 {
		return p
	}
	p.Name, p.Source = "fixed", "target.sim put_delay and propagation_delay"
	// Config validation has refused negative delays, so these cannot fail.
	p.Put, _ = latency.Fixed(cfg.PutDelay)
	p.Propagation, _ = latency.Fixed(cfg.PropagationDelay)
	p.FanOut = p.Propagation
	return p
}
