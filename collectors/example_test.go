package collectors_test

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/kbench/kbench/collectors"
	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/metrics"
)

// A polling collector reads every shard of a stream until its context ends;
// afterwards the tracker says what was lost and the run holds the latencies.
func ExampleNewPolling() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var client *kinesis.Client // built with config.LoadDefaultConfig and kinesis.NewFromConfig
	run := metrics.NewRun(1)
	tracker := collectors.NewTracker(1)
	p, err := collectors.NewPolling(collectors.Config{
		Name:         "fraud-detector",
		Stream:       "kbench-payments",
		RunID:        1,
		PollInterval: 200 * time.Millisecond,
		WarmupEnd:    envelope.Now() + int64(10*time.Second),
		Deadline:     500 * time.Millisecond,
		Primary:      true,
		Metrics:      run,
		Tracker:      tracker,
	}, client)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := p.Run(ctx); err != nil { // blocks until ctx ends
		fmt.Println(err)
		return
	}
	fmt.Println("consumed", run.Consumed.Load(), "lost", tracker.Lost(run), "p99", run.E2E.Total().ValueAtQuantile(99))
}
