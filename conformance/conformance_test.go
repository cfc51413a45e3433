package conformance

import (
	"context"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/kbench/kbench/targets"
)

// engineStartTimeout bounds starting one engine: kinesis-mock answers within
// a few seconds, but may first have to be installed from npm.
const engineStartTimeout = 90 * time.Second

// engine is one Kinesis endpoint the suite runs against, started at most
// once per test binary and stopped by TestMain.
type engine struct {
	kind string

	once   sync.Once
	target *targets.Target
	client *kinesis.Client
	skip   string // why the engine's cases are skipped, if they are
	err    error  // why the engine failed to start, if it did
}

// engines are the engines every case runs against, in order.
var engines = []*engine{
	{kind: targets.KindSim},
	{kind: targets.KindKinesisMock},
}

// conformanceCase is one behaviour checked on every engine. engine is the
// target kind (targets.KindSim or targets.KindKinesisMock), for the few
// assertions where kinesis-mock is known to differ from AWS.
type conformanceCase struct {
	name string
	run  func(t *testing.T, c *kinesis.Client, engine string)
}

// cases is the conformance table; each case creates (and deletes) its own
// streams.
var cases = []conformanceCase{
	{"CreateDescribeList", testCreateDescribeList},
	{"UnknownStream", testUnknownStream},
	{"ListShardsPagination", testListShardsPagination},
	{"PutRecordRouting", testPutRecordRouting},
	{"PutRecordsBatch", testPutRecordsBatch},
	{"PutLimits", testPutLimits},
	{"GetRecordsRoundTrip", testGetRecordsRoundTrip},
	{"ShardIteratorTypes", testShardIteratorTypes},
	{"BadIterators", testBadIterators},
	{"Tags", testTags},
	{"Consumers", testConsumers},
	{"UpdateShardCount", testUpdateShardCount},
	{"DeleteStream", testDeleteStream},
	{"SubscribeToShard", testSubscribeToShard},
}

func TestMain(m *testing.M) {
	defer closeEngines()
	m.Run()
}

// closeEngines stops every engine that was started.
func closeEngines() {
	for _, e := range engines {
		if e.target != nil {
			e.target.Close()
		}
	}
}

func TestConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("conformance suite starts kinesis-mock; skipped with -short")
	}
	for _, e := range engines {
		t.Run(e.kind, func(t *testing.T) {
			c := e.open(t)
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) { tc.run(t, c, e.kind) })
			}
		})
	}
}

// open starts the engine on first use and returns its client (retries off,
// so every error is seen as the engine sent it). It skips t when the engine
// cannot run here and fails it when the engine does not start.
func (e *engine) open(t *testing.T) *kinesis.Client {
	t.Helper()
	e.once.Do(func() {
		if e.kind == targets.KindKinesisMock {
			if _, err := exec.LookPath("node"); err != nil {
				e.skip = "kinesis-mock needs Node.js (node) on PATH: " + err.Error()
				return
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), engineStartTimeout)
		defer cancel()
		e.target, e.err = targets.Open(ctx, targets.Spec{Kind: e.kind})
		if e.err != nil {
			return
		}
		e.client, e.err = e.target.Client(ctx, targets.ClientOptions{MaxAttempts: 1})
	})
	switch {
	case e.skip != "":
		t.Skip(e.skip)
	case e.err != nil:
		t.Fatalf("start %s: %v", e.kind, e.err)
	}
	return e.client
}
