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

	"github.com/kbench/kbench/metrics"
)

var update = flag.Bool("update", false, "rewrite testdata golden files and fixture results directories")

// fixtureStart is the fixed start time of every fixture run.
var fixtureStart = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// writeFixture writes a deterministic, plausible results directory: a
// 1,500 records/s payments run on the given number of shards, with warmup,
// drain, per-second rows, hlogs and a judged summary. Fewer shards mean more
// throttling and higher latency, as on Kinesis.
func writeFixture(t testing.TB, dir string, shards int) *Summary {
	t.Helper()
	const (
		warmup, measure, drain = 3, 12, 2
		targetRPS              = 1500.0
		deadlineMS             = 500.0
	)
	rng := rand.New(rand.NewPCG(uint64(shards), 42))
	names := []string{metrics.LatPut, metrics.LatDelivery, metrics.LatE2E, metrics.LatE2EUncorrected, metrics.LatLateness}
	totals := map[string]*hdrhistogram.Histogram{}
	files := map[string]*os.File{}
	writers := map[string]*HlogWriter{}
	for _, n := range names {
		totals[n] = metrics.NewHistogram()
		f, err := os.Create(filepath.Join(dir, n+HlogExt))
		if err != nil {
			t.Fatal(err)
		}
		files[n] = f
		if writers[n], err = NewHlogWriter(f, fixtureStart); err != nil {
			t.Fatal(err)
		}
	}
	tsf, err := os.Create(filepath.Join(dir, TimeseriesFile))
	if err != nil {
		t.Fatal(err)
	}
	tw, err := NewTimeseriesWriter(tsf)
	if err != nil {
		t.Fatal(err)
	}

	capacity := 980.0 * float64(shards) // a little under the 1,000 records/s quota
	overload := math.Max(0, targetRPS/capacity-1)
	var tot Totals
	var measured, within int64
	perShard := make([]ShardStats, shards)
	var backlog float64
	for sec := 0; sec < warmup+measure+drain; sec++ {
		phase := PhaseMeasure
		switch {
		case sec < warmup:
			phase = PhaseWarmup
		case sec >= warmup+measure:
			phase = PhaseDrain
		}
		row := Row{Second: sec, Phase: phase, InFlight: 2 + rng.IntN(6)}
		if phase != PhaseDrain {
			row.TargetRPS = targetRPS
			if sec < warmup {
				row.TargetRPS = targetRPS * float64(sec+1) / (warmup + 1)
			}
			row.Produced = int64(row.TargetRPS)
			acked := math.Min(row.TargetRPS+backlog, capacity*(0.97+0.03*rng.Float64()))
			backlog = row.TargetRPS + backlog - acked
			row.Acked = int64(acked)
			row.Throttled = int64(math.Max(0, row.TargetRPS-acked) * 1.6)
		} else {
			row.Acked = int64(backlog)
			backlog = 0
		}
		row.Consumed = row.Acked
		row.AckedBytes, row.ConsumedBytes = row.Acked*310, row.Consumed*310
		row.MillisBehind = int64(200*rng.Float64() + 900*overload*float64(min(sec, warmup+measure))/float64(warmup+measure))

		ivs := map[string]*hdrhistogram.Histogram{}
		for _, n := range names {
			ivs[n] = metrics.NewHistogram()
		}
		for range row.Consumed {
			put := time.Duration((8 + 20*rng.ExpFloat64() + 60*overload*rng.Float64()) * float64(time.Millisecond))
			late := time.Duration(rng.ExpFloat64() * float64(time.Millisecond) * (0.2 + 30*overload))
			poll := time.Duration(rng.Float64() * float64(200*time.Millisecond))
			delivery := late + put + time.Duration(overload*float64(row.MillisBehind)*float64(time.Millisecond))/2
			e2e := delivery + poll + 15*time.Millisecond
			for n, v := range map[string]time.Duration{
				metrics.LatPut: put, metrics.LatDelivery: delivery, metrics.LatE2E: e2e,
				metrics.LatE2EUncorrected: e2e - late, metrics.LatLateness: late,
			} {
				if err := ivs[n].RecordValue(int64(v)); err != nil {
					t.Fatal(err)
				}
			}
			if phase == PhaseMeasure {
				measured++
				if e2e <= time.Duration(deadlineMS*float64(time.Millisecond)) {
					within++
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
		row.E2EP50 = LatencyFrom(ivs[metrics.LatE2E]).P50
		row.E2EP99 = LatencyFrom(ivs[metrics.LatE2E]).P99
		row.PutP99 = LatencyFrom(ivs[metrics.LatPut]).P99
		if err := tw.Write(row); err != nil {
			t.Fatal(err)
		}
		tot.Produced += row.Produced
		tot.Acked += row.Acked
		tot.Consumed += row.Consumed
		tot.Throttled += row.Throttled
		for i := range perShard {
			// A zipf-ish key spread: shard 0 is the hot one.
			share := 1.0 / float64(shards)
			if shards > 1 {
				share = (1.0 + 0.25*float64(shards-1-2*i)/float64(shards-1)) / float64(shards)
			}
			perShard[i].Records += int64(float64(row.Acked) * share)
			perShard[i].Throttled += int64(float64(row.Throttled) * share * share * float64(shards))
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

	tot.Retried = tot.Throttled
	tot.Calls = tot.Produced/250 + tot.Retried/100
	tot.GetRecordsCalls = int64((warmup + measure + drain) * 5 * shards)
	tot.FailedByReason = map[string]int64{}
	if overload > 0 {
		tot.Failed, tot.Acked = 40, tot.Acked-40
		tot.FailedByReason["ProvisionedThroughputExceededException"] = 40
		tot.Lost, tot.Consumed = 3, tot.Consumed-43
	}
	for i := range perShard {
		perShard[i].ShardID = fmt.Sprintf("shardId-%012d", i)
		perShard[i].Bytes = perShard[i].Records * 310
		perShard[i].Consumed = perShard[i].Records
		perShard[i].RecordsPerS = float64(perShard[i].Records) / (warmup + measure + drain)
		perShard[i].BytesPerS = float64(perShard[i].Bytes) / (warmup + measure + drain)
	}
	lat := map[string]LatencyStats{}
	for _, n := range names {
		lat[n] = LatencyFrom(totals[n])
	}
	s := &Summary{
		SchemaVersion: SchemaVersion,
		RunID:         fmt.Sprintf("run-fixture-%d", shards),
		Scenario: map[string]any{
			"name":        "payments-fraud-window",
			"description": "Card payments with fraud bursts; a fraud signal is worth little after 500 ms.",
			"duration":    "12s", "warmup": "3s", "deadline": "500ms",
			"stream":     map[string]any{"name": "kbench-payments", "shards": shards, "mode": "provisioned"},
			"thresholds": []any{"latency.e2e.p99_ms < 500", "totals.lost == 0", "deadline.on_time_ratio >= 0.95"},
		},
		Target: TargetInfo{Kind: "sim", Endpoint: "http://127.0.0.1:45123"},
		Config: RunInfo{
			Name: "payments-fraud-window", Cell: fmt.Sprintf("stream.shards=%d", shards), Shards: shards,
			Stream: "kbench-payments", Producers: 2, Consumers: 1, DurationS: measure, WarmupS: warmup, DrainS: drain,
			DeadlineMS: deadlineMS, StartedAt: fixtureStart, EndedAt: fixtureStart.Add((warmup + measure + drain) * time.Second),
			Host: "ci-runner", GoVersion: "go1.26.8", KbenchVersion: "v0.1.0-test",
			Notes: []string{"Producers and collectors ran in one process: one clock."},
		},
		Totals:  tot,
		Latency: lat,
		Throughput: Throughput{
			TargetRPS: targetRPS, ProducedRPS: targetRPS,
			AckedRPS:          math.Min(targetRPS, capacity*0.985),
			ConsumedRPS:       math.Min(targetRPS, capacity*0.985),
			ProducedBytesPerS: math.Min(targetRPS, capacity*0.985) * 310,
			ConsumedBytesPerS: math.Min(targetRPS, capacity*0.985) * 310,
		},
		Deadline: &DeadlineStats{DeadlineMS: deadlineMS, Measured: measured, OnTime: within,
			OnTimeRatio: float64(within) / float64(measured)},
		PerShard: perShard,
	}
	s.Judge([]string{"latency.e2e.p99_ms < 500", "totals.lost == 0", "deadline.on_time_ratio >= 0.95"})
	if err := WriteSummary(dir, s); err != nil {
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
