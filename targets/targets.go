// Package targets opens the Kinesis endpoints kbench runs against — its own
// simulator (sim), kinesis-mock, LocalStack and real AWS, or any
// Kinesis-compatible endpoint that is already running — and hands out
// aws-sdk-go-v2 Kinesis clients for them, so the same SDK code path talks to
// every target and only the endpoint and credentials differ. It also manages
// the lifecycle of the streams kbench creates.
package targets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/kbench/kbench/internal/kind"
	"github.com/kbench/kbench/latency"
	"github.com/kbench/kbench/sim"
)

// Target kinds accepted in Spec.Kind.
const (
	KindSim         = "sim"
	KindKinesisMock = "kinesis-mock"
	KindLocalStack  = "localstack"
	KindAWS         = "aws"
	// KindEndpoint is any Kinesis-compatible endpoint that is already
	// running (a standalone `kbench sim`, for example): Spec.Endpoint.
	KindEndpoint = "endpoint"
	// KindModel is kbench's model of Kinesis: no endpoint, a simulated
	// clock (package model).
	KindModel = "model"
)

// DefaultRegion is the region used when neither the Spec nor (for aws) the
// environment names one.
const DefaultRegion = "us-east-1"

// ErrUnreachable is wrapped by Open's error when the target did not answer
// Kinesis calls within the bounded wait; the CLI maps it to exit code 3.
var ErrUnreachable = errors.New("target unreachable")

// Default bounds on how long Open waits for a target to answer.
const (
	defaultEndpointReady    = 10 * time.Second
	defaultKinesisMockReady = 60 * time.Second
	defaultLocalStackReady  = 3 * time.Minute
)

// Spec says which target to open and how.
type Spec struct {
	// Kind is KindSim (the default when empty), KindKinesisMock,
	// KindLocalStack or KindAWS.
	Kind string
	// Endpoint, when set, is a Kinesis endpoint that is already running
	// (for example "http://localhost:4566"); Open starts nothing and only
	// checks that it answers. For localstack it means "don't start a
	// container". It is not allowed with Kind sim, whose server runs in
	// process; point Kind kinesis-mock or localstack at a standalone
	// `kbench sim` instead.
	Endpoint string
	// Region is the AWS region; default DefaultRegion (for aws: the
	// region of the default configuration chain, then DefaultRegion).
	Region string
	// Profile is the shared-configuration profile (~/.aws/config) whose
	// credentials and region kind aws uses; empty means AWS_PROFILE or the
	// default profile. Ignored by the other kinds.
	Profile string
	// Sim configures the in-process simulator for Kind sim; the zero value
	// means sim.DefaultConfig().
	Sim sim.Config
	// CacheDir is where kinesis-local is installed. Default: $KBENCH_CACHE,
	// else $XDG_CACHE_HOME/kbench, else ~/.cache/kbench.
	// $KBENCH_KINESIS_MOCK_DIR, when set, overrides it with the exact npm
	// prefix directory to use.
	CacheDir string
	// ReadyTimeout bounds how long Open waits for the target to answer
	// ListStreams before it fails with ErrUnreachable. Default: 10 s for an
	// already-running Endpoint, 60 s for a kinesis-mock Open starts, 3 min
	// for a LocalStack container.
	ReadyTimeout time.Duration
	// Log receives progress lines such as "kinesis-mock listening on ...";
	// nil discards them.
	Log io.Writer
}

// Target is an open Kinesis endpoint. Close it when done.
type Target struct {
	// Kind is the target kind (never empty).
	Kind string
	// Endpoint is the base URL clients use; empty for aws without an
	// endpoint override, where the SDK resolves the regional endpoint.
	Endpoint string
	// Region is the resolved AWS region.
	Region string
	// Profile is the shared-configuration profile of kind aws ("" for the
	// default chain).
	Profile string
	// MemoryBudget is the in-process simulator's memory budget in bytes
	// (sim.Config.MaxMemory); 0 for the other kinds, or when none applies.
	MemoryBudget int64
	// Latency is the latency profile the in-process simulator applies
	// (target.sim.latency, or its fixed put_delay and propagation_delay);
	// nil for the other kinds.
	Latency *latency.Profile
	// CredentialSource says where kind aws's credentials came from (the
	// SDK provider's name, such as "EnvConfigCredentials" or
	// "SSOProvider"); empty for the other kinds.
	CredentialSource string
	// SimStats returns the counters of the simulator kind sim runs in
	// process; nil for the other kinds.
	SimStats func() sim.Stats

	closeOnce sync.Once
	closeErr  error
	closer    func() error
}

// Open starts (or connects to) the target described by spec and returns once
// it answers Kinesis calls (for aws: once credentials resolve; no request is
// sent). It blocks; cancelling ctx aborts start-up and stops whatever had been
// started, but does not stop a target Open already returned: use Close.
func Open(ctx context.Context, spec Spec) (*Target, error) {
	if spec.Kind == "" {
		spec.Kind = KindSim
	}
	if spec.Log == nil {
		spec.Log = io.Discard
	}
	if spec.Region == "" && spec.Kind != KindAWS {
		spec.Region = DefaultRegion
	}
	var endpoints kind.Table[Kind] // the kinds Open can open
	for _, k := range Kinds {
		if k.Open != nil {
			endpoints = append(endpoints, k)
		}
	}
	k, ok := endpoints.Lookup(spec.Kind)
	if !ok {
		if _, offline := Kinds.Lookup(spec.Kind); offline {
			return nil, fmt.Errorf("targets: kind %q is no endpoint to open (it runs on package model)", spec.Kind)
		}
		return nil, fmt.Errorf("targets: unknown kind %q (want %s)", spec.Kind, endpoints.Want())
	}
	return k.Open(ctx, spec)
}

// Close stops whatever Open started (process, container, in-process server)
// and waits for it to be gone. It is safe to call more than once; later calls
// return the first call's result.
func (t *Target) Close() error {
	t.closeOnce.Do(func() {
		if t.closer != nil {
			t.closeErr = t.closer()
		}
	})
	return t.closeErr
}

var endpointKind = Kind{
	Name: KindEndpoint,
	Doc:  "Any Kinesis-compatible endpoint that is already running (a standalone kbench sim, for example), at target.endpoint.",
	Open: func(ctx context.Context, spec Spec) (*Target, error) {
		if spec.Endpoint == "" {
			return nil, fmt.Errorf("targets: kind %q needs the endpoint's URL", KindEndpoint)
		}
		return openEndpoint(ctx, spec)
	},
}

// startOrConnect is the Open of a local kind: it connects to Spec.Endpoint
// when that is set (the target runs already), else it starts the target
// with start.
func startOrConnect(start func(context.Context, Spec) (*Target, error)) func(context.Context, Spec) (*Target, error) {
	return func(ctx context.Context, spec Spec) (*Target, error) {
		if spec.Endpoint != "" {
			return openEndpoint(ctx, spec)
		}
		return start(ctx, spec)
	}
}

// openEndpoint connects to an already-running endpoint of a local kind.
func openEndpoint(ctx context.Context, spec Spec) (*Target, error) {
	t := &Target{Kind: spec.Kind, Endpoint: spec.Endpoint, Region: spec.Region}
	if err := waitReady(ctx, t, readyTimeout(spec, defaultEndpointReady), nil); err != nil {
		return nil, err
	}
	fmt.Fprintf(spec.Log, "%s at %s answers\n", spec.Kind, spec.Endpoint)
	return t, nil
}

// readyTimeout returns spec.ReadyTimeout or def when it is unset.
func readyTimeout(spec Spec, def time.Duration) time.Duration {
	if spec.ReadyTimeout > 0 {
		return spec.ReadyTimeout
	}
	return def
}
