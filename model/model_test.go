package model

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbench/kbench/latency"
	"github.com/kbench/kbench/reports"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/scenarios"
)

func parse(t *testing.T, yaml string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Parse("test.yaml", []byte(yaml), nil)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

const small = `
name: small
target: {kind: model}
stream: {shards: 2}
duration: 6s
warmup: 1s
drain: 5s
deadline: 500ms
producers:
  - name: payments
    generator: payments
    rate: {profile: constant, rps: 1000}
consumers:
  - {name: reader, kind: polling, poll_interval: 250ms}
thresholds: ["totals.lost == 0"]
`

// TestCheckRefuses: every feature the model does not represent is refused
// with the line and field that asked for it, all at once.
func TestCheckRefuses(t *testing.T) {
	sc := parse(t, small+`
events:
  - {at: 2s, consumer: reader, restart: {after: 1s}}
`)
	sc.Producers[0].Ordering = "per_key"
	probs := Check(sc)
	var fields []string
	for _, p := range probs {
		fields = append(fields, p.Field)
	}
	got := strings.Join(fields, " ")
	for _, want := range []string{"producers[0].ordering", "events[0].restart"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems %q do not name %s", got, want)
		}
	}
	for _, p := range probs {
		if p.Field == "events[0].restart" && p.Line != 18 {
			t.Errorf("%s: line %d, want 18", p, p.Line)
		}
	}
	_, err := Run(context.Background(), sc, Options{})
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("Run: %v, want ErrRefused", err)
	}
	if ok := Check(parse(t, small)); len(ok) != 0 {
		t.Errorf("a plain scenario refused: %v", ok)
	}
}

// TestRunWritesResults: a small run's accounting adds up and its results
// directory reads and renders like any other.
func TestRunWritesResults(t *testing.T) {
	res, err := Run(context.Background(), parse(t, small), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Summary
	tt := s.Totals
	if tt.Produced != 6000 || tt.Acked != 6000 || tt.Consumed != 6000 || tt.Throttled != 0 {
		t.Errorf("totals %+v, want 6,000 produced, acked and consumed, none throttled", tt)
	}
	if tt.Scheduled != tt.Acked+tt.Failed+tt.Unsent {
		t.Errorf("scheduled %d != acked %d + failed %d + unsent %d", tt.Scheduled, tt.Acked, tt.Failed, tt.Unsent)
	}
	if r := s.Throughput.AckedRPS; r < 990 || r > 1010 {
		t.Errorf("acked rate %.1f/s, want about 1,000", r)
	}
	// Linger (up to 50 ms) plus the wait for the next poll (up to 250 ms).
	if e := s.Latency["e2e"]; e.P50 < 100 || e.P50 > 200 || e.P99 < 220 || e.P99 > 310 {
		t.Errorf("e2e %+v, want p50 in [100, 200] and p99 in [220, 310] ms", e)
	}
	if s.Target.Kind != KindModel || s.Target.Model == nil || s.Verdict != results.VerdictPass {
		t.Errorf("target %+v verdict %s", s.Target, s.Verdict)
	}
	dir := t.TempDir()
	if err := WriteDir(dir, res); err != nil {
		t.Fatal(err)
	}
	run, err := results.LoadRun(dir)
	if err != nil {
		t.Fatal(err)
	}
	if run.Summary.Totals.Acked != 6000 {
		t.Errorf("read back %d acked", run.Summary.Totals.Acked)
	}
	for _, f := range []string{"e2e.hlog", "put.hlog", results.TimeseriesFile, results.RecordBytesFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	if err := reports.Render(dir); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "MODEL:") {
		t.Error("report.md has no model banner")
	}
}

// TestHotKeyThrottles: one fixed key sends everything to one shard, which
// takes 1,000 records/s: at 2,000/s about half the attempts fail at first,
// and the acked rate is the quota.
func TestHotKeyThrottles(t *testing.T) {
	sc := parse(t, strings.Replace(small, "rps: 1000}", "rps: 2000}\n    partition_key: fixed", 1))
	res, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Summary
	if r := s.Throughput.AckedRPS; r < 950 || r > 1100 {
		t.Errorf("acked %.0f/s, want about the one shard's 1,000", r)
	}
	if s.ThrottleRatio < 0.3 {
		t.Errorf("throttle ratio %.3f, want well above 0.3", s.ThrottleRatio)
	}
	busy := 0
	for _, sh := range s.PerShard {
		if sh.Records > 0 {
			busy++
		}
	}
	if busy != 1 {
		t.Errorf("%d shards written, want 1: %+v", busy, s.PerShard)
	}
}

// TestProfileDelays: the aws latency profile's put and propagation delays
// show where they belong: put latency is the profile's put, and e2e grows
// by about the put and propagation medians.
func TestProfileDelays(t *testing.T) {
	sc := parse(t, small)
	none, err := Run(context.Background(), sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	aws := latency.AWS()
	res, err := Run(context.Background(), sc, Options{Profile: aws})
	if err != nil {
		t.Fatal(err)
	}
	put := res.Summary.Latency["put"]
	if med := float64(aws.Put.Median()) / 1e6; put.P50 < 0.8*med || put.P50 > 1.2*med {
		t.Errorf("put p50 %.1f ms, want the profile's %.1f ms within 20%%", put.P50, med)
	}
	grew := res.Summary.Latency["e2e"].P50 - none.Summary.Latency["e2e"].P50
	want := float64(aws.Put.Median()+aws.Propagation.Median()) / 1e6
	if grew < 0.7*want || grew > 1.5*want {
		t.Errorf("e2e p50 grew by %.1f ms with the aws profile, want about %.1f", grew, want)
	}
	if got := res.Summary.Target.LatencyProfile.Name; got != aws.Name {
		t.Errorf("latency profile %q in the summary, want %q", got, aws.Name)
	}
}

// TestSecondsEndOnSteps: whatever the shard count, the step divides a
// second, so the measured window has one timeseries row a second (300
// shards would want a 60 ms step, which does not).
func TestSecondsEndOnSteps(t *testing.T) {
	sc := parse(t, strings.Replace(small, "shards: 2", "shards: 300", 1))
	res, err := Run(context.Background(), sc, Options{Samples: 20000, NoIntervals: true})
	if err != nil {
		t.Fatal(err)
	}
	measured := 0
	for _, r := range res.Rows {
		if r.Phase == results.PhaseMeasure {
			measured++
		}
	}
	if measured != 5 {
		t.Errorf("%d measured seconds, want 5 (step %v ms)", measured, res.Summary.Target.Model.StepMS)
	}
	if r := res.Summary.Throughput.AckedRPS; r < 990 || r > 1010 {
		t.Errorf("acked %.1f/s, want about 1,000", r)
	}
	if _, err := Run(context.Background(), sc, Options{Step: 60 * time.Millisecond}); err == nil {
		t.Error("a 60 ms step was accepted")
	}
}

// TestUncorrectedStartsAtActualSend: e2e_uncorrected starts where the runner
// stamps a record's send time: an aggregated user record when it was packed
// (so on schedule it includes the linger, like e2e), a plain record at the
// start of the attempt that delivered it (so it leaves out the backoffs of
// throttled attempts, which e2e keeps).
func TestUncorrectedStartsAtActualSend(t *testing.T) {
	agg := parse(t, strings.Replace(small, "generator: payments\n    rate: {profile: constant, rps: 1000}",
		"generator: iot\n    rate: {profile: constant, rps: 1000}\n    aggregation: {max_records: 1000, linger: 100ms}", 1))
	res, err := Run(context.Background(), agg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	l := res.Summary.Latency
	e2e, unc, a2c := l["e2e"].P50, l["e2e_uncorrected"].P50, l["arrival_to_consumed"].P50
	t.Logf("aggregated: e2e p50 %.0f ms, e2e_uncorrected %.0f, arrival_to_consumed %.0f", e2e, unc, a2c)
	if unc < 0.85*e2e || unc > 1.15*e2e || unc < a2c+30 {
		t.Errorf("aggregated: e2e_uncorrected p50 %.0f ms, want about e2e's %.0f and above arrival_to_consumed's %.0f by the linger", unc, e2e, a2c)
	}

	hot := parse(t, strings.Replace(small, "rps: 1000}", "rps: 2000}\n    partition_key: fixed", 1))
	if res, err = Run(context.Background(), hot, Options{}); err != nil {
		t.Fatal(err)
	}
	l = res.Summary.Latency
	t.Logf("throttled: e2e p99 %.0f ms, e2e_uncorrected p99 %.0f", l["e2e"].P99, l["e2e_uncorrected"].P99)
	if l["e2e_uncorrected"].P99 > 0.5*l["e2e"].P99 {
		t.Errorf("throttled: e2e_uncorrected p99 %.0f ms, want well under e2e's %.0f (retries restamp the send time)", l["e2e_uncorrected"].P99, l["e2e"].P99)
	}
}
