package benchmarks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/kbench/kbench/sim"
	"github.com/kbench/kbench/targets"
)

// Bounds on setting an engine or a stream up.
const (
	openTimeout   = 2 * time.Minute
	streamTimeout = time.Minute
)

// engines holds the targets opened so far, by name, so each engine starts
// once per `go test` process however many benchmarks and -count rounds use
// it; TestMain closes them.
var engines = struct {
	sync.Mutex
	open map[string]*engine
}{open: map[string]*engine{}}

// engine is an open target and the client the benchmarks share for it.
type engine struct {
	tgt    *targets.Target
	client *kinesis.Client
}

// TestMain runs the benchmarks and then stops every engine they started.
func TestMain(m *testing.M) {
	defer closeEngines()
	m.Run()
}

func closeEngines() {
	engines.Lock()
	defer engines.Unlock()
	for name, e := range engines.open {
		if err := e.tgt.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "benchmarks: closing %s: %v\n", name, err)
		}
		delete(engines.open, name)
	}
}

// Engine names.
const (
	engineSim         = "sim"            // simulator, quotas off
	engineSimQuotas   = "sim-quotas-aws" // simulator, AWS quotas
	engineKinesisMock = "kinesis-mock"
)

// clientConns is the connection pool each shared client keeps; it covers
// the most calls any benchmark keeps in flight.
const clientConns = 16

// spec returns the targets.Spec that starts the named engine.
func spec(name string) (targets.Spec, error) {
	switch name {
	case engineSim:
		cfg := sim.DefaultConfig()
		cfg.Quotas = sim.QuotasOff
		return targets.Spec{Kind: targets.KindSim, Sim: cfg}, nil
	case engineSimQuotas:
		return targets.Spec{Kind: targets.KindSim, Sim: sim.DefaultConfig()}, nil
	case engineKinesisMock:
		return targets.Spec{Kind: targets.KindKinesisMock}, nil
	}
	return targets.Spec{}, fmt.Errorf("unknown engine %q", name)
}

// client returns the shared SDK client (no SDK retries) of the named
// engine, starting the engine on first use; TestMain stops it.
func client(tb testing.TB, name string) *kinesis.Client {
	tb.Helper()
	engines.Lock()
	defer engines.Unlock()
	if e, ok := engines.open[name]; ok {
		return e.client
	}
	e := openEngine(tb, name)
	engines.open[name] = e
	return e.client
}

// freshClient starts a new instance of the named engine for this benchmark
// round only (it is stopped when the round ends) and returns its client.
func freshClient(tb testing.TB, name string) *kinesis.Client {
	tb.Helper()
	e := openEngine(tb, name)
	tb.Cleanup(func() {
		if err := e.tgt.Close(); err != nil {
			tb.Errorf("closing %s: %v", name, err)
		}
	})
	return e.client
}

// openEngine starts the named engine and makes an SDK client for it with
// SDK retries off. kinesis-mock is skipped when Node.js is missing.
func openEngine(tb testing.TB, name string) *engine {
	tb.Helper()
	sp, err := spec(name)
	if err != nil {
		tb.Fatal(err)
	}
	if sp.Kind == targets.KindKinesisMock {
		if _, err := exec.LookPath("node"); err != nil {
			tb.Skipf("kinesis-mock needs Node.js: %v", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), openTimeout)
	defer cancel()
	tgt, err := targets.Open(ctx, sp)
	if err != nil {
		tb.Fatalf("open %s: %v", name, err)
	}
	c, err := tgt.Client(ctx, targets.ClientOptions{MaxAttempts: 1, MaxConns: clientConns})
	if err != nil {
		tb.Fatal(errors.Join(err, tgt.Close()))
	}
	return &engine{tgt: tgt, client: c}
}

// streamSeq numbers the streams this process creates.
var streamSeq atomic.Int64

// newStream creates a fresh provisioned stream with the given shard count,
// waits until it is ACTIVE, and deletes it when the benchmark round ends.
func newStream(tb testing.TB, c *kinesis.Client, shards int) string {
	tb.Helper()
	name := "kbench-bench-" + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(streamSeq.Add(1), 10)
	ctx, cancel := context.WithTimeout(context.Background(), streamTimeout)
	defer cancel()
	created, err := targets.EnsureStream(ctx, c, targets.StreamSpec{Name: name, Shards: shards, RunID: "benchmarks"})
	if created {
		tb.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), streamTimeout)
			defer cancel()
			if err := targets.DeleteStream(ctx, c, name); err != nil {
				tb.Errorf("delete stream: %v", err)
			}
		})
	}
	if err != nil {
		tb.Fatal(err)
	}
	return name
}
