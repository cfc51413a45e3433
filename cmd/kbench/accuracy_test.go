package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kbench/kbench/results"
)

// The accuracy tests run the CLI against the simulator with one known
// disturbance each and check that the summary reports it truthfully: a
// number that flattered the run would fail them.

const accuracy = "testdata/accuracy.yaml"

// delayTolerance is how far, in milliseconds, an injected delay may show
// from its size in a difference between two runs of the same test: wide
// enough for a loaded machine, well short of the delay itself, so a delay
// not applied or applied twice still fails.
const delayTolerance = 8

// runAccuracy runs the accuracy scenario with extra --set overrides and
// returns its results directory and decoded summary.
func runAccuracy(t *testing.T, wantCode int, sets ...string) (string, *results.Summary) {
	t.Helper()
	dir := t.TempDir()
	args := []string{"run", accuracy, "--out", dir, "--quiet"}
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	code, stdout, stderr := kbench(t, args...)
	if code != wantCode {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, wantCode, stdout, stderr)
	}
	s, err := results.ReadSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, s
}

// runAccuracyPair runs the accuracy scenario twice at the same time, with
// the overrides base and with base and more, and returns both summaries:
// the two runs share whatever load the machine is under.
func runAccuracyPair(t *testing.T, base, more []string) (without, with *results.Summary) {
	t.Helper()
	t.Run("runs", func(t *testing.T) {
		t.Run("without", func(t *testing.T) {
			t.Parallel()
			_, without = runAccuracy(t, exitOK, base...)
		})
		t.Run("with", func(t *testing.T) {
			t.Parallel()
			_, with = runAccuracy(t, exitOK, append(append([]string(nil), base...), more...)...)
		})
	})
	if without == nil || with == nil {
		t.FailNow()
	}
	return without, with
}

// TestPutDelayIsPutLatency: with 20 ms added to every PutRecords call the
// put latency p50 is 20 ms above that of a run without it, and so is send →
// arrival (the simulator stamps a record's arrival when it stores it, after
// the delay). Both runs go at once and share the machine's load, so the
// difference holds where absolute figures would not; the window still fails
// when the delay is not applied (+0 ms) or applied twice (+40 ms).
func TestPutDelayIsPutLatency(t *testing.T) {
	// Small batches: the client's own encoding and decoding of a call stays
	// well under a millisecond.
	base, s := runAccuracyPair(t, []string{"producers[0].batch.max_records=10"}, []string{"target.sim.put_delay=20ms"})
	t.Logf("put p50 %.3f ms (%.3f without the delay), send_to_arrival p50 %.3f ms (%.3f), cost $%.4f/h",
		s.Latency["put"].P50, base.Latency["put"].P50, s.Latency["send_to_arrival"].P50, base.Latency["send_to_arrival"].P50, s.Cost.USDPerHour)
	// A sleep is never shorter than asked: 20 ms is a floor load cannot
	// break.
	if p50 := s.Latency["put"].P50; p50 < 20 {
		t.Errorf("put p50 = %v ms, below the 20 ms injected", p50)
	}
	// ApproximateArrivalTimestamp has millisecond resolution.
	for _, name := range []string{"put", "send_to_arrival"} {
		if d := s.Latency[name].P50 - base.Latency[name].P50; d < 20-delayTolerance || d > 20+delayTolerance {
			t.Errorf("%s p50 %v ms is %+.3f ms over the run without the delay (%v ms), want +20 ± %d ms",
				name, s.Latency[name].P50, d, base.Latency[name].P50, delayTolerance)
		}
	}
	if s.Latency["send_to_arrival"].Count == 0 || s.Latency["arrival_to_consumed"].Count == 0 {
		t.Errorf("latency split missing: %+v", s.Latency)
	}
	// Cost per hour at the measured rate, by hand: 2 shards × $0.015 plus
	// 1,000 records/s × 3,600 s of one 25 KB PUT unit each × $0.014 per
	// million: $0.03 + $0.0504.
	want := 2*0.015 + s.Throughput.AckedRPS*3600/1e6*0.014
	if s.Cost == nil || s.Cost.USDPerHour < want*0.999 || s.Cost.USDPerHour > want*1.001 || want < 0.079 || want > 0.082 {
		t.Errorf("cost %+v, want $%.4f/h", s.Cost, want)
	}
}

// TestPropagationDelayIsReadPath: a 150 ms propagation delay shows in
// arrival → consumed, not in send → arrival (compared with a run of the same
// scenario without it at the same time, so machine load cannot fake or hide
// it).
func TestPropagationDelayIsReadPath(t *testing.T) {
	base, s := runAccuracyPair(t, nil, []string{"target.sim.propagation_delay=150ms"})
	t.Logf("arrival_to_consumed p50 %.3f ms (%.3f without the delay), send_to_arrival p50 %.3f ms (%.3f)",
		s.Latency["arrival_to_consumed"].P50, base.Latency["arrival_to_consumed"].P50, s.Latency["send_to_arrival"].P50, base.Latency["send_to_arrival"].P50)
	if p50 := s.Latency["arrival_to_consumed"].P50; p50 < 150 {
		t.Errorf("arrival_to_consumed p50 = %v ms, want at least the 150 ms propagation delay", p50)
	}
	// Polling every 250 ms spreads arrival → consumed over a quarter
	// second, so its rise is only about 150 ms on average; on the write
	// path the delay would add all of it.
	if d := s.Latency["arrival_to_consumed"].P50 - base.Latency["arrival_to_consumed"].P50; d < 75 {
		t.Errorf("arrival_to_consumed p50 rose %+.3f ms over the run without the delay, want about +150", d)
	}
	if d := s.Latency["send_to_arrival"].P50 - base.Latency["send_to_arrival"].P50; d > 75 {
		t.Errorf("send_to_arrival p50 rose %+.3f ms over the run without the delay: propagation delay must not show on the write path", d)
	}
	// ApproximateArrivalTimestamp is truncated to the millisecond, so the
	// part may exceed the whole by up to 1 ms.
	if e2e, parts := s.Latency["e2e_uncorrected"].P50, s.Latency["arrival_to_consumed"].P50; e2e < parts-1 {
		t.Errorf("e2e_uncorrected p50 %v ms below its part arrival_to_consumed %v ms", e2e, parts)
	}
}

// TestStallCorrectedVersusUncorrected holds every data-plane call for 1 s in
// the middle of a 10 s constant-rate run. Records intended during the stall
// are late by up to a second: the corrected histogram (from the intended
// send time) shows it; the uncorrected one (from the actual send time) shows
// less.
func TestStallCorrectedVersusUncorrected(t *testing.T) {
	dir, s := runAccuracy(t, exitOK, "duration=10s", "warmup=0s",
		"target.sim.stall_after=5s", "target.sim.stall_for=1s")
	c, u := s.Latency["e2e"], s.Latency["e2e_uncorrected"]
	t.Logf("corrected p90/p99/max %.1f/%.1f/%.1f ms, uncorrected %.1f/%.1f/%.1f ms, on time %.4f",
		c.P90, c.P99, c.Max, u.P90, u.P99, u.Max, s.Deadline.OnTimeRatio)
	if c.Max < 1000 {
		t.Errorf("corrected e2e max %v ms: a 1 s stall must show", c.Max)
	}
	// 10% of the records are due during the stall and wait up to 1 s:
	// the slowest 1% waited at least 0.8 s.
	if c.P99 < 800 {
		t.Errorf("corrected e2e p99 %v ms does not reflect the stall", c.P99)
	}
	if u.P99 >= c.P99 || u.P90 >= c.P90 {
		t.Errorf("uncorrected p90/p99 %v/%v ms not below corrected %v/%v ms", u.P90, u.P99, c.P90, c.P99)
	}
	if s.Latency["lateness"].Max < 500 {
		t.Errorf("lateness max %v ms: records held back by the stall were sent late", s.Latency["lateness"].Max)
	}
	if r := s.Deadline.OnTimeRatio; r > 0.97 || r < 0.5 {
		t.Errorf("on_time_ratio %v: about a tenth of the records missed the 500 ms deadline", r)
	}
	if s.Totals.Lost != 0 {
		t.Errorf("lost %d", s.Totals.Lost)
	}
	// During the stall every allowed PutRecords call is stuck in flight.
	busiest := 0
	for _, r := range readRows(t, dir) {
		busiest = max(busiest, r.InFlight)
	}
	if busiest != 8 {
		t.Errorf("in_flight peaked at %d, want the producer's limit of 8 during the stall", busiest)
	}
}

// readRows reads a results directory's timeseries.csv.
func readRows(t *testing.T, dir string) []results.Row {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, results.TimeseriesFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := results.ReadTimeseries(f)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestErrorRateAccounting fails 5% of records with InternalFailure: every
// scheduled record is acked, failed or unsent, and every acked one consumed.
func TestErrorRateAccounting(t *testing.T) {
	_, s := runAccuracy(t, exitOK, "target.sim.error_rate=0.05")
	tot := s.Totals
	t.Logf("produced %d = acked %d + failed %d + unsent %d; retried %d; consumed %d, lost %d",
		tot.Produced, tot.Acked, tot.Failed, tot.Unsent, tot.Retried, tot.Consumed, tot.Lost)
	if tot.Acked+tot.Failed+tot.Unsent != tot.Produced {
		t.Errorf("acked %d + failed %d + unsent %d != produced %d", tot.Acked, tot.Failed, tot.Unsent, tot.Produced)
	}
	if tot.Consumed != tot.Acked || tot.Lost != 0 {
		t.Errorf("consumed %d, acked %d, lost %d: every acked record must be consumed", tot.Consumed, tot.Acked, tot.Lost)
	}
	// About 5% of 6,000 record attempts fail and are resent.
	if tot.Retried < 150 || tot.Retried > 600 {
		t.Errorf("retried %d, want about 300", tot.Retried)
	}
	if tot.Produced < 5900 {
		t.Errorf("produced %d, want about 6,000", tot.Produced)
	}
}

// TestHotShardIsAttributed writes 1,500 records/s with one partition key to
// a 2-shard stream: the one shard it maps to is throttled (1,000 records/s
// quota) and the report says which. With two attempts per record some fail
// for good, and the time value of data counts them as not on time.
func TestHotShardIsAttributed(t *testing.T) {
	// A shard's token bucket starts full, so its first second may take up
	// to twice the quota: a 2 s warmup leaves that burst out.
	_, s := runAccuracy(t, exitOK, "producers[0].partition_key=fixed", "producers[0].rate.rps=1500",
		"producers[0].retry.max_attempts=2", "warmup=2s", "duration=7s")
	if s.Totals.Throttled == 0 || s.ThrottleRatio <= 0 {
		t.Fatalf("throttled %d, ratio %v: an overloaded shard must throttle", s.Totals.Throttled, s.ThrottleRatio)
	}
	var hot, cold []results.ShardStats
	for _, sh := range s.PerShard {
		if sh.Records > 0 {
			hot = append(hot, sh)
		} else {
			cold = append(cold, sh)
		}
	}
	if len(hot) != 1 {
		t.Fatalf("per_shard %+v: want exactly one shard with records", s.PerShard)
	}
	t.Logf("hot shard %s: %d records, %d throttled (ratio %.3f); acked %.0f rec/s; on time %d of %d scheduled",
		hot[0].ShardID, hot[0].Records, hot[0].Throttled, hot[0].ThrottleRatio, s.Throughput.AckedRPS, s.Deadline.OnTime, s.Deadline.Scheduled)
	if hot[0].Throttled != s.Totals.Throttled || hot[0].ThrottleRatio <= 0 {
		t.Errorf("hot shard %s throttled %d of %d total", hot[0].ShardID, hot[0].Throttled, s.Totals.Throttled)
	}
	for _, sh := range cold {
		if sh.Throttled != 0 {
			t.Errorf("cold shard %s throttled %d", sh.ShardID, sh.Throttled)
		}
	}
	// The shard accepts about its 1,000 records/s quota of the 1,500 offered.
	if r := s.Throughput.AckedRPS; r < 900 || r > 1050 {
		t.Errorf("acked %v records/s, want about the hot shard's 1,000 quota", r)
	}
	if hot[0].E2E.Count == 0 {
		t.Error("hot shard has no e2e latency")
	}
	d := s.Deadline
	if d.Scheduled < 7400 || d.Scheduled > 7600 {
		t.Errorf("deadline.scheduled %d, want the 7,500 records due in the 5 s after warmup", d.Scheduled)
	}
	if s.Totals.Failed == 0 || d.Measured >= d.Scheduled {
		t.Errorf("failed %d, measured %d of %d scheduled: records that failed for good were never consumed", s.Totals.Failed, d.Measured, d.Scheduled)
	}
	if want := float64(d.OnTime) / float64(d.Scheduled); d.OnTimeRatio != want {
		t.Errorf("on_time_ratio %v, want on_time/scheduled = %v", d.OnTimeRatio, want)
	}
}

// TestFanOutBesidePolling reads the stream with a fan-out consumer and a
// polling one (1 s interval) at once: both see every record, and fan-out's
// end-to-end p50 is lower.
func TestFanOutBesidePolling(t *testing.T) {
	t.Parallel()
	_, s := runAccuracy(t, exitOK,
		"consumers=[{name: push, kind: fanout}, {name: poll, kind: polling, poll_interval: 1s}]")
	if len(s.Consumers) != 2 {
		t.Fatalf("consumers %+v", s.Consumers)
	}
	push, poll := s.Consumers[0], s.Consumers[1]
	t.Logf("e2e p50: fan-out %.1f ms, polling 1 s %.1f ms; on time %.4f vs %.4f",
		push.Latency["e2e"].P50, poll.Latency["e2e"].P50, push.Deadline.OnTimeRatio, poll.Deadline.OnTimeRatio)
	for _, c := range s.Consumers {
		if c.Consumed != s.Totals.Acked || c.Lost != 0 || c.Duplicates != 0 {
			t.Errorf("%s: consumed %d of %d acked, lost %d, dupes %d", c.Name, c.Consumed, s.Totals.Acked, c.Lost, c.Duplicates)
		}
		if c.Latency["e2e"].Count == 0 || c.Deadline == nil {
			t.Errorf("%s has no latency or deadline of its own", c.Name)
		}
	}
	if push.Kind != "fanout" || push.Fallback != "" {
		t.Errorf("push kind %q fallback %q", push.Kind, push.Fallback)
	}
	if a, b := push.Latency["e2e"].P50, poll.Latency["e2e"].P50; a >= b {
		t.Errorf("fan-out e2e p50 %v ms not below 1 s polling's %v ms", a, b)
	}
	if poll.Deadline.OnTimeRatio >= push.Deadline.OnTimeRatio {
		t.Errorf("on time: polling %v, fan-out %v: a 1 s poll misses a 500 ms deadline more often",
			poll.Deadline.OnTimeRatio, push.Deadline.OnTimeRatio)
	}
}

// TestEventsReshardAndRate doubles the shards at 4 s and triples the rate at
// 6 s: both events are in the summary, the time series shows 2 then 4
// shards and the target rate stepping up, and neither a polling nor a
// fan-out consumer loses or repeats a record across the resharding (both
// finish the parents before reading the children).
func TestEventsReshardAndRate(t *testing.T) {
	dir, s := runAccuracy(t, exitOK, "duration=10s", "warmup=0s", "producers[0].rate.rps=500",
		"consumers=[{name: poll, kind: polling, poll_interval: 250ms}, {name: push, kind: fanout}]",
		"events=[{at: 4s, update_shard_count: 4}, {at: 6s, producer: payments, rate: {profile: constant, rps: 1500}}]")
	if len(s.Events) != 2 || !s.Events[0].OK || !s.Events[1].OK {
		t.Fatalf("events %+v", s.Events)
	}
	if s.Totals.Lost != 0 || s.Totals.Consumed != s.Totals.Acked {
		t.Errorf("lost %d, consumed %d of %d", s.Totals.Lost, s.Totals.Consumed, s.Totals.Acked)
	}
	for _, c := range s.Consumers {
		if c.Consumed != s.Totals.Acked || c.Lost != 0 || c.Duplicates != 0 {
			t.Errorf("%s (%s): consumed %d of %d, lost %d, dupes %d", c.Name, c.Kind, c.Consumed, s.Totals.Acked, c.Lost, c.Duplicates)
		}
	}
	closed := 0
	for _, sh := range s.PerShard {
		if sh.Closed {
			closed++
		}
	}
	if len(s.PerShard) != 6 || closed != 2 {
		t.Errorf("per_shard: %d shards, %d closed; want 2 closed parents and 4 children", len(s.PerShard), closed)
	}
	// Parents carried 500 records/s for 4 s (250/s each); the 4 children
	// 500 records/s for 2 s and then 1,500 for 4 s (7,000 records in 6 s,
	// 292/s each): each shard's rate is over the time it was written to.
	for _, sh := range s.PerShard {
		want := 7000.0 / 4 / 6
		if sh.Closed {
			want = 250
		}
		if sh.RecordsPerS < want*0.8 || sh.RecordsPerS > want*1.2 {
			t.Errorf("%s (closed %v): %.0f records/s, want about %.0f", sh.ShardID, sh.Closed, sh.RecordsPerS, want)
		}
	}
	// One second's acks can slip into the next on a loaded machine, so the
	// acked rate after the change is the mean of seconds 7 to 9.
	var before, after results.Row
	var ackedAfter int64
	for _, r := range readRows(t, dir) {
		switch r.Second {
		case 2:
			before = r
		case 8:
			after = r
		}
		if r.Second >= 7 && r.Second <= 9 {
			ackedAfter += r.Acked
		}
	}
	if before.Shards != 2 || after.Shards != 4 {
		t.Errorf("shards column %d at 2 s, %d at 8 s; want 2 then 4", before.Shards, after.Shards)
	}
	if before.TargetRPS != 500 || after.TargetRPS != 1500 {
		t.Errorf("target_rps %v at 2 s, %v at 8 s; want 500 then 1500", before.TargetRPS, after.TargetRPS)
	}
	if ackedAfter < 3*1300 {
		t.Errorf("acked %d in seconds 7 to 9, want about 4,500", ackedAfter)
	}
}

// TestConsumerProcessingAndCheckpoints gives the consumer 2 ms of work per
// record on one shard at a time, reading at most 200 records per call: at
// 1,000 records/s that is 2 s of work per second, so it falls behind the tip
// of the stream; the lag, the checkpoints and the records at risk show it.
func TestConsumerProcessingAndCheckpoints(t *testing.T) {
	t.Parallel()
	_, s := runAccuracy(t, exitOK, "duration=4s", "drain=30s",
		"consumers=[{name: slow, kind: polling, poll_interval: 250ms, limit: 200, processing: 2ms, concurrency: 1, checkpoint_interval: 1s}]")
	c := s.Consumers[0]
	t.Logf("consumed %.0f rec/s, lag max %d ms, checkpoints %d, at risk max %d, arrival_to_consumed p99 %.0f ms",
		c.ConsumedRPS, c.MillisBehindMax, c.Checkpoints, c.AtRiskMax, s.Latency["arrival_to_consumed"].P99)
	if want := float64(c.Consumed) * 0.002; c.ProcessingS < want*0.999 || c.ProcessingS > want*1.001 {
		t.Errorf("processing_s %v, want 2 ms for each of %d records = %v s", c.ProcessingS, c.Consumed, want)
	}
	if c.Checkpoints == 0 || c.AtRiskMax == 0 {
		t.Errorf("checkpoints %d, at risk %d", c.Checkpoints, c.AtRiskMax)
	}
	// Processing at 500 records/s against 1,000 offered: the consumer can
	// keep up with at most about half.
	if c.ConsumedRPS > 600 {
		t.Errorf("consumed %v records/s with 2 ms per record on one worker", c.ConsumedRPS)
	}
	if c.MillisBehindMax < 1000 {
		t.Errorf("millis_behind_max %d: a consumer at half speed falls seconds behind", c.MillisBehindMax)
	}
	if a := s.Latency["arrival_to_consumed"].P99; a < 1000 {
		t.Errorf("arrival_to_consumed p99 %v ms: processing backlog must show", a)
	}
	if s.Totals.Lost != 0 {
		t.Errorf("lost %d: the drain waits for a slow consumer to finish", s.Totals.Lost)
	}
}
