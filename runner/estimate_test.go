package runner

import (
	"math"
	"testing"
	"time"

	"github.com/kbench/kbench/scenarios"
)

// The steps profile holds its last rate after its steps end: 1,000/s for
// 10 s, then 100/s for 10 s and on to the end of a 60 s run sends 10,000 +
// 1,000 + 4,000 records. The estimate once took the steps' mean rate over
// the whole run (33,000 records).
func TestEstimateStepsCountsWhatThePacerSchedules(t *testing.T) {
	const src = `name: steps-cost
duration: 60s
drain: 0s
target: {kind: aws}
producers:
  - generator: payments
    rate:
      profile: steps
      steps: [{rps: 1000, for: 10s}, {rps: 100, for: 10s}]
`
	sc, err := scenarios.Parse("steps.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	pacer, err := sc.Producers[0].Pacer()
	if err != nil {
		t.Fatal(err)
	}
	var due uint64
	for ; ; due++ {
		at, ok := pacer.Due(due)
		if !ok || at >= sc.Duration { // the runner's own stop rule
			break
		}
	}
	if due != 15000 {
		t.Fatalf("the pacer schedules %d records in 60s, want 15000", due)
	}
	if got := sc.Offered(0); got != float64(due) {
		t.Errorf("Offered = %g, want what the pacer schedules, %d", got, due)
	}
	plan := runPlan(sc)
	if plan.Records != 15000 || plan.Duration != 60*time.Second || plan.Shards != 1 || plan.PollingConsumers != 1 {
		t.Errorf("plan = %+v, want 15000 records over 60s on 1 shard, 1 polling consumer", plan)
	}
	// Two repeats of the cell cost twice one run.
	one, two := EstimateCost([]*scenarios.Scenario{sc}, 1), EstimateCost([]*scenarios.Scenario{sc}, 2)
	if one.TotalUSD <= 0 || math.Abs(two.TotalUSD-2*one.TotalUSD) > 1e-9 {
		t.Errorf("cost of 1 run $%g, of 2 runs $%g", one.TotalUSD, two.TotalUSD)
	}
}
