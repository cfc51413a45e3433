package main

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kbench/kbench/internal/awstest"
	"github.com/kbench/kbench/sim"
	"github.com/kbench/kbench/targets"
)

// TestConsumerOnlyRun measures a stream someone else feeds: a scenario
// without producers reads an existing stream of a standalone simulator
// while the test writes to it, and reports what it consumed (as foreign
// records: they carry no kbench envelope), per shard, with the
// arrival-to-consumed latency.
func TestConsumerOnlyRun(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs for about 10 s")
	}
	url, stop, err := sim.Start(context.Background(), sim.DefaultConfig(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	tgt, err := targets.Open(t.Context(), targets.Spec{Kind: targets.KindEndpoint, Endpoint: url})
	if err != nil {
		t.Fatal(err)
	}
	c, err := tgt.Client(t.Context(), targets.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const stream = "someone-elses"
	if _, err := c.CreateStream(t.Context(), &kinesis.CreateStreamInput{StreamName: aws.String(stream), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	if err := kinesis.NewStreamExistsWaiter(c).Wait(t.Context(), &kinesis.DescribeStreamInput{StreamName: aws.String(stream)}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	var sent int
	wg.Add(1)
	go func() { // the other team's producer: 20 records every 100 ms
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			var recs []types.PutRecordsRequestEntry
			for j := range 20 {
				recs = append(recs, types.PutRecordsRequestEntry{Data: []byte(fmt.Sprintf(`{"n":%d}`, i*20+j)),
					PartitionKey: aws.String(fmt.Sprint(j))})
			}
			if _, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: recs}); err == nil {
				sent += len(recs)
			}
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	path := writeScenario(t, `name: listen
stream: {name: someone-elses, existing: true}
duration: 5s
drain: 2s
producers: []
consumers: [{name: reader}]
`)
	dir := t.TempDir()
	// kbench runs in a child process with the AWS credential chain emptied.
	p := startKbenchEnv(t, awstest.Environ(t), "run", path, "--endpoint", url, "--out", dir, "--quiet")
	code := p.exitCode()
	cancel()
	wg.Wait()
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, p.stdout.String(), p.stderr.String())
	}
	s := readSummary(t, dir)
	foreign := num(t, s, "totals.foreign")
	if foreign < 300 || foreign > float64(sent) {
		t.Errorf("read %v foreign records of the %d written: want about 5 s of 200/s", foreign, sent)
	}
	if n := num(t, s, "latency.arrival_to_consumed.count"); n == 0 {
		t.Error("no arrival-to-consumed latency measured")
	}
	if p := num(t, s, "totals.produced"); p != 0 {
		t.Errorf("produced %v, want 0: the scenario has no producers", p)
	}
}
