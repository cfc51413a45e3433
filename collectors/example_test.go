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
// afterwards the tracker says what was lost, and the run and the
// application's own metrics hold the latencies.
func ExampleNewPolling() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var client *kinesis.Client // built with config.LoadDefaultConfig and kinesis.NewFromConfig
	run := metrics.NewRun(1)
	tracker := collectors.NewTracker(1)
	app := metrics.NewApp("fraud-detector")
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
		App:          app,
		Processing:   collectors.Processing{Median: 2 * time.Millisecond, P99: 20 * time.Millisecond},
	}, client)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := p.Run(ctx); err != nil { // blocks until ctx ends
		fmt.Println(err)
		return
	}
	app.Rotate()
	fmt.Println("consumed", app.Consumed.Load(), "lost", tracker.Lost(run), "p99", app.E2E.Total().ValueAtQuantile(99))
}

// An application that asks for enhanced fan-out reads by polling instead
// when the target cannot serve fan-out, and says so.
func ExampleNewFanOutOrPolling() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var client *kinesis.Client // built with config.LoadDefaultConfig and kinesis.NewFromConfig
	app := metrics.NewApp("alerts")
	a, err := collectors.NewFanOutOrPolling(collectors.Config{
		Name:               "alerts",
		Stream:             "kbench-payments",
		RunID:              1,
		Deadlines:          []time.Duration{200 * time.Millisecond}, // producer 0; the others use Deadline
		Deadline:           time.Second,
		CheckpointInterval: 10 * time.Second,
		Metrics:            metrics.NewRun(2),
		Tracker:            collectors.NewTracker(2),
		App:                app,
	}, client, client)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := a.Run(ctx); err != nil { // blocks until ctx ends
		fmt.Println(err)
		return
	}
	fmt.Println("read by", a.Kind(), app.Fallback(), "on time", app.OnTime.Load(), "of", app.Measured.Load())
}
