package targets_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/kbench/kbench/targets"
)

// A one-hour run writing 1,000 records/s of 200 bytes to 4 provisioned shards.
func ExampleEstimateCost() {
	c := targets.EstimateCost(4, false, time.Hour, 3_600_000, 200)
	fmt.Printf("$%.4f\n", c.TotalUSD)
	fmt.Println(c)
	// Output:
	// $0.1104
	// estimated AWS cost $0.1104 (provisioned: 4 shard-hours × $0.015 = $0.0600; 3.6 M PUT payload units × $0.014 = $0.0504; us-east-1 prices, reads not included)
}

// Open a target, create a stream on it, and clean both up.
func ExampleOpen() {
	ctx := context.Background()
	tgt, err := targets.Open(ctx, targets.Spec{Kind: targets.KindKinesisMock, Log: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer tgt.Close()
	c, err := tgt.Client(ctx, targets.ClientOptions{MaxAttempts: 1, MaxConns: 8})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	created, err := targets.EnsureStream(ctx, c, targets.StreamSpec{Name: "kbench-example", Shards: 2, RunID: "example"})
	if created {
		defer targets.DeleteStream(ctx, c, "kbench-example")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	shards, err := targets.Shards(ctx, c, "kbench-example")
	fmt.Println(len(shards), err)
}
