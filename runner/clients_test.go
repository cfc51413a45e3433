package runner

import (
	"context"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kbench/kbench/scenarios"
	"github.com/kbench/kbench/sim"
	"github.com/kbench/kbench/targets"
)

func TestCallsInFlight(t *testing.T) {
	for _, tc := range []struct {
		ordering         string
		inFlight, shards int
		want             int
	}{
		{OrderingNone, 8, 64, 8},
		{"", 256, 2, 256},
		{OrderingPerKey, 8, 64, 64}, // a call per shard lane, whatever in_flight
		{OrderingPerKey, 256, 2, 2},
		{OrderingPerKeyChain, 32, 2, 32},
	} {
		if got := callsInFlight(tc.ordering, tc.inFlight, tc.shards); got != tc.want {
			t.Errorf("callsInFlight(%q, in_flight %d, %d shards) = %d, want %d", tc.ordering, tc.inFlight, tc.shards, got, tc.want)
		}
	}
}

// countingListener counts the connections it accepts.
type countingListener struct {
	net.Listener
	n atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

// TestPerKeyPoolFitsItsLanes runs ordering per_key on 32 shards with
// in_flight 1 against the simulator behind a listener that counts
// connections. The producer keeps a call per shard lane in flight, 32 at
// most, each lane idle between its batches: a client pool sized by
// in_flight (1 + 8 spare) closes the connections it has no room to keep
// idle and dials new ones all run long; sized for the lanes it opens about
// one per lane. The lanes are the producer's in-flight slots too.
func TestPerKeyPoolFitsItsLanes(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.PutDelay = 5 * time.Millisecond
	srv, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := &countingListener{Listener: ln}
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, cl) }()
	defer func() {
		cancel()
		// A connection the client dialed but never used (a dial that lost
		// the race to a connection freed meanwhile) holds the graceful
		// shutdown for its 5 s: that is no failure of the run.
		if err := <-served; err != nil {
			t.Logf("the simulator: %v", err)
		}
	}()
	tgt, err := targets.Open(ctx, targets.Spec{Kind: targets.KindEndpoint, Endpoint: "http://" + ln.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	defer tgt.Close()
	sc, err := scenarios.Parse("pool.yaml", []byte(`name: pool
stream: {name: kbench-pool, shards: 32}
duration: 3s
drain: 1s
consumers: []
producers:
  - generator: payments
    rate: {profile: constant, rps: 3200}
    batch: {linger: 20ms}
    ordering: per_key
    in_flight: 1
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	before := cl.n.Load() // the target's readiness probe
	var log strings.Builder
	sum, err := Run(ctx, Options{Scenario: sc, Target: tgt, OutDir: t.TempDir(), Log: &log})
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, log.String())
	}
	conns := cl.n.Load() - before
	t.Logf("%d connections for %d calls, %d records acked", conns, sum.Totals.Calls, sum.Totals.Acked)
	if sum.Totals.Acked == 0 {
		t.Fatalf("nothing acked\n%s", log.String())
	}
	// 32 lanes, the control client's few, and room for a connection lost
	// now and then; a pool of 9 dials several hundred.
	if conns > 32+16 {
		t.Errorf("%d connections opened, want at most 48: the client pool is too small for the lanes", conns)
	}
	// A slot per lane: counted by in_flight, 32 busy lanes made 1 slot
	// busy over 1,000% of the time, and the verdict blamed the target.
	if b := sum.Bottleneck; b == nil || b.InFlightRatio > 1 {
		t.Errorf("bottleneck %+v: in_flight_ratio must count a slot per shard lane", b)
	}
}
