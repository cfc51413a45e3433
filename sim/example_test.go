package sim_test

import (
	"context"
	"fmt"
	"time"

	"github.com/kbench/kbench/sim"
)

// Start serves a simulator on an ephemeral loopback port; point the SDK
// client's BaseEndpoint at the returned URL.
func ExampleStart() {
	cfg := sim.DefaultConfig()
	cfg.PropagationDelay = 200 * time.Millisecond // like one polling consumer on AWS
	url, stop, err := sim.Start(context.Background(), cfg, "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()
	fmt.Println(url != "")
	// Output: true
}
