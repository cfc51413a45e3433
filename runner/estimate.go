package runner

import (
	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/generators"
	"github.com/kbench/kbench/scenarios"
	"github.com/kbench/kbench/targets"
	"io"
)

// sampleRecords is how many records of each producer EstimateCost makes to
// learn their average size.
const sampleRecords = 64

// EstimateCost is the cost of running cells on real AWS, each repeat times:
// every producer's records as its rate profile (rate events included)
// schedules them over the cell's duration, at the average size its
// generator makes (1 KiB when no generator can be built), for the duration
// plus drain, on the cell's largest shard count (an upper bound when events
// reshard).
func EstimateCost(cells []*scenarios.Scenario, repeat int) targets.RunCost {
	var total targets.RunCost
	for _, c := range cells {
		cost := targets.EstimateRun(runPlan(c))
		for range max(repeat, 1) {
			total.Add(cost)
		}
	}
	return total
}

// runPlan is what EstimateCost bills for one run of cell c.
func runPlan(c *scenarios.Scenario) targets.RunPlan {
	var recs float64
	var bytes, samples int
	for i, p := range c.Producers {
		recs += c.Offered(i)
		g, err := generators.New(p.Options, p.Seed)
		if err != nil {
			continue
		}
		var buf []byte
		prefix := envelope.Size
		if _, inside := generators.SlotOf(g); inside {
			prefix = 0
		}
		for range sampleRecords {
			var entity string
			buf, entity = g.Next(buf[:0], 0)
			bytes += len(buf) + len(entity) + prefix
			samples++
		}
		if c, ok := g.(io.Closer); ok {
			_ = c.Close() // an estimate: problems in the file show in the run
		}
	}
	avg := 1024
	if samples > 0 {
		avg = bytes / samples
	}
	polling, fanOut := c.ConsumerApps()
	return targets.RunPlan{
		Shards: c.PeakShards(), OnDemand: c.Stream.Mode == "on-demand", Existing: c.Stream.Existing,
		Duration: c.Duration + c.Drain, Records: int64(recs), AvgRecordBytes: avg,
		PollingConsumers: polling, FanOutConsumers: fanOut,
	}
}
