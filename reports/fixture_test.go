package reports

import (
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/kbench/kbench/gate"
	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/results"
)

var update = flag.Bool("update", false, "rewrite testdata golden files and fixture results directories")

// fixtureStart is the fixed start time of every fixture run.
var fixtureStart = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// writeFixture writes a deterministic, plausible results directory: a
// 1,500 records/s payments run on the given number of shards, with warmup,
// drain, a rate bump at 9 s (a scenario event), per-second rows, hlogs, two
// consumer applications and a judged summary. Fewer shards mean more
// throttling and higher latency, as on Kinesis; shard 0 is the hot one.
func writeFixture(t testing.TB, dir string, shards int) *results.Summary {
	t.Helper()
	const (
		warmup, measure, drain = 3, 12, 2
		targetRPS              = 1500.0
		bumpFrom, bumpTo       = 9, 12 // seconds with 200 records/s more
		deadlineMS             = 500.0
		refundDeadlineMS       = 2000.0
		recordBytes            = 310
	)
	deadline := time.Duration(deadlineMS * float64(time.Millisecond))
	rng := rand.New(rand.NewPCG(uint64(shards), 42))
	names := []string{metrics.LatPut, metrics.LatDelivery, metrics.LatE2E, metrics.LatE2EUncorrected, metrics.LatLateness,
		metrics.LatSendToArrival, metrics.LatArrivalToConsumed}
	totals := map[string]*hdrhistogram.Histogram{}
	files := map[string]*os.File{}
	writers := map[string]*results.HlogWriter{}
	for _, n := range names {
		totals[n] = metrics.NewHistogram()
		f, err := os.Create(filepath.Join(dir, n+results.HlogExt))
		if err != nil {
			t.Fatal(err)
		}
		files[n] = f
		if writers[n], err = results.NewHlogWriter(f, fixtureStart); err != nil {
			t.Fatal(err)
		}
	}
	tsf, err := os.Create(filepath.Join(dir, results.TimeseriesFile))
	if err != nil {
		t.Fatal(err)
	}
	tw, err := results.NewTimeseriesWriter(tsf, "alerts")
	if err != nil {
		t.Fatal(err)
	}

	// A zipf-ish key spread: shard 0 carries the most.
	share := make([]float64, shards)
	for i := range share {
		share[i] = 1.0 / float64(shards)
		if shards > 1 {
			share[i] = (1.0 + 0.25*float64(shards-1-2*i)/float64(shards-1)) / float64(shards)
		}
	}
	pickShard := func() int {
		u := rng.Float64()
		for i, sh := range share {
			if u < sh {
				return i
			}
			u -= sh
		}
		return shards - 1
	}
	shardE2E := make([]*hdrhistogram.Histogram, shards)
	for i := range shardE2E {
		shardE2E[i] = metrics.NewHistogram()
	}
	lake := map[string]*hdrhistogram.Histogram{metrics.LatE2E: metrics.NewHistogram(),
		metrics.LatE2EUncorrected: metrics.NewHistogram(), metrics.LatArrivalToConsumed: metrics.NewHistogram()}
	ages := []float64{0.25, 0.5, 1, 2, 4} // staleness points, in deadlines
	fresh := make([]int64, len(ages))
	var lakeOnTime, maxBehind int64
	var prodMeasured, prodOnTime [2]int64 // card payments, refunds

	capacity := 980.0 * float64(shards) // a little under the 1,000 records/s quota
	overload := math.Max(0, targetRPS/capacity-1)
	var tot results.Totals
	var measured, within int64
	perShard := make([]results.ShardStats, shards)
	var backlog float64
	var alertsOut int64
	for sec := 0; sec < warmup+measure+drain; sec++ {
		phase := results.PhaseMeasure
		switch {
		case sec < warmup:
			phase = results.PhaseWarmup
		case sec >= warmup+measure:
			phase = results.PhaseDrain
		}
		row := results.Row{Second: sec, Phase: phase, InFlight: 2 + rng.IntN(6), Shards: shards}
		if phase != results.PhaseDrain {
			row.TargetRPS = targetRPS
			if sec < warmup {
				row.TargetRPS = targetRPS * float64(sec+1) / (warmup + 1)
			}
			if sec >= bumpFrom && sec < bumpTo {
				row.TargetRPS += 200
			}
			row.Produced = int64(row.TargetRPS)
			acked := math.Min(row.TargetRPS+backlog, capacity*(0.97+0.03*rng.Float64()))
			backlog = row.TargetRPS + backlog - acked
			row.Acked = int64(acked)
			row.Throttled = int64(math.Max(0, row.TargetRPS-acked) * 1.6)
			// Resent records landing behind later ones of their key.
			row.OutOfOrder = row.Throttled/40 + int64(sec%7/6)
		} else {
			acked := math.Min(backlog, capacity*0.97)
			row.Acked, backlog = int64(acked), backlog-acked
		}
		row.Consumed = row.Acked
		row.AckedBytes, row.ConsumedBytes = row.Acked*recordBytes, row.Consumed*recordBytes
		row.MillisBehind = int64(200*rng.Float64() + 900*overload*float64(min(sec, warmup+measure))/float64(warmup+measure))
		maxBehind = max(maxBehind, row.MillisBehind)
		row.Backlog = int64(float64(row.Acked)*(0.1+0.1*rng.Float64()) + backlog)
		if shards == 1 && sec%4 == 1 {
			row.GetThrottled = 1 // two applications share one shard's 5 reads/s
		}

		ivs := map[string]*hdrhistogram.Histogram{}
		for _, n := range names {
			ivs[n] = metrics.NewHistogram()
		}
		for range row.Consumed {
			put := time.Duration((8 + 20*rng.ExpFloat64() + 60*overload*rng.Float64()) * float64(time.Millisecond))
			late := time.Duration(rng.ExpFloat64() * float64(time.Millisecond) * (0.2 + 30*overload))
			poll := time.Duration(rng.Float64() * float64(200*time.Millisecond))
			extra := time.Duration(overload*float64(row.MillisBehind)*float64(time.Millisecond)) / 2
			delivery := late + put + extra
			e2e := delivery + poll + 15*time.Millisecond
			toArrival := put * 6 / 10
			shard := pickShard()
			if shard == 0 && shards > 1 {
				e2e += time.Duration(rng.ExpFloat64() * float64(20*time.Millisecond)) // the hot shard lags a little
			}
			for n, v := range map[string]time.Duration{
				metrics.LatPut: put, metrics.LatDelivery: delivery, metrics.LatE2E: e2e,
				metrics.LatE2EUncorrected: e2e - late, metrics.LatLateness: late,
				metrics.LatSendToArrival: toArrival, metrics.LatArrivalToConsumed: e2e - late - toArrival,
			} {
				if err := ivs[n].RecordValue(int64(v)); err != nil {
					t.Fatal(err)
				}
			}
			lakeE2E := delivery + time.Duration(rng.Float64()*float64(time.Second)) + 40*time.Millisecond
			for n, v := range map[string]time.Duration{
				metrics.LatE2E: lakeE2E, metrics.LatE2EUncorrected: lakeE2E - late, metrics.LatArrivalToConsumed: lakeE2E - late - toArrival,
			} {
				if err := lake[n].RecordValue(int64(v)); err != nil {
					t.Fatal(err)
				}
			}
			if err := shardE2E[shard].RecordValue(int64(e2e)); err != nil {
				t.Fatal(err)
			}
			if phase == results.PhaseMeasure {
				measured++
				row.Measured++
				if e2e <= deadline {
					within++
					row.OnTime++
				}
				if lakeE2E <= deadline {
					lakeOnTime++
				}
				for k, a := range ages {
					if e2e <= time.Duration(a*float64(deadline)) {
						fresh[k]++
					}
				}
				p, pd := 0, deadline
				if rng.IntN(10) == 0 {
					p, pd = 1, time.Duration(refundDeadlineMS*float64(time.Millisecond))
				}
				prodMeasured[p]++
				if e2e <= pd {
					prodOnTime[p]++
				}
			}
		}
		from := fixtureStart.Add(time.Duration(sec) * time.Second)
		for _, n := range names {
			totals[n].Merge(ivs[n])
			if err := writers[n].Write(ivs[n], from, from.Add(time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		e2eSec, putSec := results.LatencyFrom(ivs[metrics.LatE2E]), results.LatencyFrom(ivs[metrics.LatPut])
		row.E2EP50, row.E2EP99, row.E2EMax = e2eSec.P50, e2eSec.P99, e2eSec.Max
		row.PutP50, row.PutP99 = putSec.P50, putSec.P99
		// The application's alerts: a few a second, a little behind the
		// records (no random draws, so the rest of the fixture is as it was).
		alerts := results.DestinationRow{Name: "alerts", Missing: int64(sec % 3)}
		if phase != results.PhaseDrain {
			alerts.Outputs = int64(2 + sec%4)
			alerts.E2EP50, alerts.E2EP99 = float64(240+10*(sec%5)), float64(380+25*(sec%6))
		} else {
			alerts.Missing = 0
		}
		row.Destinations = []results.DestinationRow{alerts}
		alertsOut += alerts.Outputs
		if err := tw.Write(row); err != nil {
			t.Fatal(err)
		}
		tot.Produced += row.Produced
		tot.Acked += row.Acked
		tot.Consumed += row.Consumed
		tot.Throttled += row.Throttled
		tot.GetThrottled += row.GetThrottled
		tot.OutOfOrder += row.OutOfOrder
		for i := range perShard {
			perShard[i].Records += int64(float64(row.Acked) * share[i])
			perShard[i].Throttled += int64(float64(row.Throttled) * share[i] * share[i] * float64(shards))
		}
	}
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	for _, f := range append([]*os.File{tsf}, mapValues(files)...) {
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
	}

	const seconds = warmup + measure + drain
	tot.Retried = tot.Throttled
	tot.OutOfOrderKeys, tot.OutOfOrderMaxDisplacement = tot.OutOfOrder*9/10, 3
	tot.OutOfOrderExact, tot.OutOfOrderKeyShare = true, 1
	tot.Calls = tot.Produced/250 + tot.Retried/100
	tot.GetRecordsCalls = int64(seconds * 5 * shards)
	tot.FailedByReason = map[string]int64{}
	if overload > 0 {
		tot.Failed, tot.Acked = 40, tot.Acked-40
		tot.FailedByReason["ProvisionedThroughputExceededException"] = 40
		tot.Lost, tot.Consumed = 3, tot.Consumed-43
	}
	for i := range perShard {
		sh := &perShard[i]
		sh.ShardID = fmt.Sprintf("shardId-%012d", i)
		sh.Bytes = sh.Records * recordBytes
		sh.Consumed = sh.Records
		sh.RecordsPerS = float64(sh.Records) / seconds
		sh.BytesPerS = float64(sh.Bytes) / seconds
		sh.ThrottleRatio = float64(sh.Throttled) / float64(sh.Records+sh.Throttled)
		sh.E2E = results.LatencyFrom(shardE2E[i])
	}
	lat := map[string]results.LatencyStats{}
	for _, n := range names {
		lat[n] = results.LatencyFrom(totals[n])
	}
	rps := math.Min(targetRPS, capacity*0.985)
	scheduled := measured + tot.Lost // lost records were due too, and are never on time
	dl := &results.DeadlineStats{DeadlineMS: deadlineMS, Scheduled: scheduled, Measured: measured, OnTime: within,
		OnTimeRatio: float64(within) / float64(scheduled)}
	for k, a := range ages {
		dl.Staleness = append(dl.Staleness, results.StalenessPoint{AgeMS: a * deadlineMS, Ratio: float64(fresh[k]) / float64(scheduled)})
	}
	for i, p := range []struct {
		name string
		dl   float64
	}{{"card-payments", deadlineMS}, {"refunds", refundDeadlineMS}} {
		dl.ByProducer = append(dl.ByProducer, results.ProducerDeadline{Producer: p.name, DeadlineMS: p.dl, Scheduled: prodMeasured[i], Measured: prodMeasured[i],
			OnTime: prodOnTime[i], OnTimeRatio: float64(prodOnTime[i]) / float64(prodMeasured[i])})
	}
	capUSD := 0.015 * float64(shards)
	dataUSD := rps * 3600 / 1e6 * 0.014
	s := &results.Summary{
		SchemaVersion: results.SchemaVersion,
		RunID:         fmt.Sprintf("run-fixture-%d", shards),
		Scenario: map[string]any{
			"name":        "payments-fraud-window",
			"description": "Card payments with fraud bursts; a fraud signal is worth little after 500 ms.",
			"duration":    "12s", "warmup": "3s", "deadline": "500ms",
			"stream":     map[string]any{"name": "kbench-payments", "shards": shards, "mode": "provisioned"},
			"thresholds": []any{"latency.e2e.p99_ms < 500", "totals.lost == 0", "deadline.on_time_ratio >= 0.95"},
		},
		Target: results.TargetInfo{Kind: "sim", Endpoint: "http://127.0.0.1:45123"},
		Config: results.RunInfo{
			Name: "payments-fraud-window", Cell: fmt.Sprintf("stream.shards=%d", shards), Shards: shards,
			Stream: "kbench-payments", Producers: 2, Consumers: 2, DurationS: measure, WarmupS: warmup, DrainS: drain,
			DeadlineMS: deadlineMS, StartedAt: fixtureStart, EndedAt: fixtureStart.Add(seconds * time.Second),
			Host: "ci-runner", GoVersion: "go1.26.8", KbenchVersion: "v0.1.0-test",
			Notes: []string{"Producers and collectors ran in one process: one clock."},
		},
		Totals:  tot,
		Latency: lat,
		Throughput: results.Throughput{
			TargetRPS: targetRPS, ProducedRPS: targetRPS, AckedRPS: rps, ConsumedRPS: rps,
			ProducedBytesPerS: rps * recordBytes, ConsumedBytesPerS: rps * recordBytes,
		},
		ThrottleRatio: float64(tot.Throttled) / float64(tot.Throttled+tot.Acked),
		Deadline:      dl,
		PerShard:      perShard,
		Consumers: []results.ConsumerStats{
			{Name: "fraud-detector", Kind: "polling", Primary: true, Consumed: tot.Consumed, Lost: tot.Lost,
				Calls: tot.GetRecordsCalls, Throttled: tot.GetThrottled, ConsumedRPS: rps, MillisBehindMax: maxBehind,
				Checkpoints: int64(seconds * shards), AtRiskMax: int64(rps * 1.2),
				Latency: map[string]results.LatencyStats{metrics.LatE2E: lat[metrics.LatE2E],
					metrics.LatE2EUncorrected: lat[metrics.LatE2EUncorrected], metrics.LatArrivalToConsumed: lat[metrics.LatArrivalToConsumed]},
				Deadline: &results.DeadlineStats{DeadlineMS: deadlineMS, Scheduled: scheduled, Measured: measured, OnTime: within, OnTimeRatio: dl.OnTimeRatio}},
			{Name: "lake-writer", Kind: "polling", Fallback: "enhanced fan-out asked for; polling every 1s instead",
				Consumed: tot.Consumed, Lost: tot.Lost, Duplicates: 12, Calls: int64(seconds * shards), ConsumedRPS: rps,
				MillisBehindMax: maxBehind + 1000, Checkpoints: int64(seconds / 5 * shards), AtRiskMax: int64(rps * 5),
				Latency: map[string]results.LatencyStats{metrics.LatE2E: results.LatencyFrom(lake[metrics.LatE2E]),
					metrics.LatE2EUncorrected: results.LatencyFrom(lake[metrics.LatE2EUncorrected]), metrics.LatArrivalToConsumed: results.LatencyFrom(lake[metrics.LatArrivalToConsumed])},
				Deadline: &results.DeadlineStats{DeadlineMS: deadlineMS, Scheduled: scheduled, Measured: measured, OnTime: lakeOnTime, OnTimeRatio: float64(lakeOnTime) / float64(scheduled)}},
		},
		Destinations: []results.DestinationStats{{Name: "alerts", Kind: "kinesis", Expect: "some",
			Correlation: "field:txn_id=txn_id, incidents by card", Outputs: alertsOut, Expected: alertsOut, Recall: 1, Precision: 1,
			OutputsRPS: float64(alertsOut) / seconds,
			Latency: map[string]results.LatencyStats{"e2e": {Count: alertsOut, P50: 260, P90: 400, P99: 505, P999: 505, Max: 505, Mean: 270},
				"application": {Count: alertsOut, P50: 230, P90: 370, P99: 470, P999: 470, Max: 470, Mean: 240}},
			Deadline: &results.DestinationDeadline{DeadlineMS: deadlineMS, Scheduled: alertsOut, Measured: alertsOut, OnTime: alertsOut - 1,
				OnTimeRatio: float64(alertsOut-1) / float64(alertsOut)}}},
		Events: []results.EventResult{{AtS: bumpFrom, Action: "rate", Detail: "card-payments 1,500 -> 1,700 records/s for 3s", OK: true}},
		Cost: &results.CostStats{USDPerHour: capUSD + dataUSD, CapacityUSDPerHour: capUSD, DataUSDPerHour: dataUSD,
			USDPerMillionRecords: (capUSD + dataUSD) / (rps * 3600 / 1e6)},
	}
	gate.Judge(s, []string{"latency.e2e.p99_ms < 500", "totals.lost == 0", "deadline.on_time_ratio >= 0.95"})
	if err := results.WriteSummary(dir, s); err != nil {
		t.Fatal(err)
	}
	return s
}

func mapValues[K comparable, V any](m map[K]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// fixtureDir returns a copy of testdata/NAME in a temporary directory,
// regenerating testdata/NAME first under -update.
func fixtureDir(t *testing.T, name string, shards int) string {
	t.Helper()
	src := filepath.Join("testdata", name)
	if *update {
		if err := os.RemoveAll(src); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(src, 0o755); err != nil {
			t.Fatal(err)
		}
		writeFixture(t, src, shards)
	}
	dst := filepath.Join(t.TempDir(), name)
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatalf("copy fixture (run go test ./reports/ -update to create it): %v", err)
	}
	return dst
}
