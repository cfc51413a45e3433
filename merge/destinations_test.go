package merge

import (
	"testing"
	"time"

	"github.com/kbench/kbench/collectors"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/runner"
)

// at is a process-clock time d after the fake workers' start.
func at(d time.Duration) int64 { return fakeStart.Add(d).UnixNano() }

// TestMergeDestinationByEnvelope: outputs matched by envelope are
// combined from each worker's own counts and sequence sets. An input
// produced on one worker and output to another is matched; an input whose
// outputs both workers read is a duplicate; an input nobody saw an output
// of is missing.
func TestMergeDestinationByEnvelope(t *testing.T) {
	dest := []results.DestinationStats{{Name: "web", Kind: "http", Expect: collectors.ExpectOne, Correlation: "envelope"}}
	wd := func(c collectors.MatchCounts) *runner.WorkerDestinations {
		return &runner.WorkerDestinations{Dests: []runner.WorkerDest{{Name: "web", Expect: collectors.ExpectOne, Counts: c}}}
	}
	dir := t.TempDir()
	in := []results.Source{
		fakeWorker{index: 0, count: 2, runID: "r", acked: []uint64{0, 2, 4, 6}, dests: dest, destSeen: [][]uint64{{1, 2, 3}},
			wd: wd(collectors.MatchCounts{Outputs: 3, Matched: 3, Measured: 3, OnTime: 2, First: at(time.Second), Last: at(3 * time.Second)})}.write(t, dir),
		fakeWorker{index: 1, count: 2, runID: "r", acked: []uint64{1, 3, 5, 7}, dests: dest, destSeen: [][]uint64{{3, 5}},
			wd: wd(collectors.MatchCounts{Outputs: 3, Matched: 2, Unexpected: 1, Measured: 2, OnTime: 2, First: at(2 * time.Second), Last: at(5 * time.Second)})}.write(t, dir),
	}
	s, err := Merge(Options{Inputs: in, OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Destinations) != 1 {
		t.Fatalf("%d destinations, want 1", len(s.Destinations))
	}
	d := s.Destinations[0]
	// Acked 0..7; outputs of 1, 2, 3, 5 seen (3 on both workers).
	if d.Outputs != 6 || d.Expected != 8 || d.Missing != 4 || d.Unexpected != 1 || d.Duplicates != 1 {
		t.Errorf("outputs %d expected %d missing %d unexpected %d duplicates %d; want 6 8 4 1 1",
			d.Outputs, d.Expected, d.Missing, d.Unexpected, d.Duplicates)
	}
	if d.Recall != 0.5 || d.Precision != 5.0/6 || d.OutputsRPS != 5.0/4 {
		t.Errorf("recall %v precision %v outputs/s %v; want 0.5, 5/6, 5/4", d.Recall, d.Precision, d.OutputsRPS)
	}
}

// TestMergeDestinationReplayed: outputs matched by a correlation field,
// with expect: some, are matched again from every worker's log against
// every worker's inputs and incidents: an alert read on worker 0 for a
// burst of worker 1's generator (and the other way round) is matched, a
// second alert of a burst is a duplicate, one of no burst unexpected.
func TestMergeDestinationReplayed(t *testing.T) {
	dest := []results.DestinationStats{{Name: "alerts", Kind: "kinesis", Expect: collectors.ExpectSome, Correlation: "field:txn=txn, incidents by card"}}
	spec := runner.WorkerDest{Name: "alerts", Expect: collectors.ExpectSome, Output: "txn", Key: "card", Window: 10 * time.Second, Replayed: true}
	input := func(seq uint64, d time.Duration) collectors.Input {
		return collectors.Input{Seq: seq, Intended: at(d), Sent: at(d), Incident: 0}
	}
	burst := func(key string, from, to time.Duration, seq uint64) []collectors.IncidentRecord {
		return []collectors.IncidentRecord{{Key: key, First: at(from), Last: at(to), Measured: true, Complete: true,
			Members: []collectors.InputRef{{Seq: seq}}}}
	}
	alert := func(d time.Duration, txn, card string) collectors.Output {
		return collectors.Output{Arrival: at(d), HasValue: txn != "", Value: txn, HasKey: true, Key: card}
	}
	w0 := &runner.WorkerDestinations{RunID: 1, WarmupEnd: at(time.Second), MeasureEnd: at(20 * time.Second),
		Inputs: []collectors.IndexEntry{{Value: "t1", Input: input(10, 10*time.Second)}}, InputsAdded: 1, InputsEvicted: []int64{0},
		Incidents: burst("c1", 9*time.Second, 10*time.Second, 10), Dests: []runner.WorkerDest{spec}}
	w0.Dests[0].Outputs = []collectors.Output{alert(5500*time.Millisecond, "t9", "c2")}
	w1 := &runner.WorkerDestinations{RunID: 1, WarmupEnd: w0.WarmupEnd, MeasureEnd: w0.MeasureEnd,
		Inputs: []collectors.IndexEntry{{Value: "t9", Input: input(11, 5*time.Second)}}, InputsAdded: 1, InputsEvicted: []int64{0},
		Incidents: burst("c2", 4*time.Second, 5*time.Second, 11), Dests: []runner.WorkerDest{spec}}
	w1.Dests[0].Outputs = []collectors.Output{alert(10300*time.Millisecond, "t1", "c1"), alert(11*time.Second, "", "c1"), alert(12*time.Second, "t5", "c3")}
	dir := t.TempDir()
	in := []results.Source{
		fakeWorker{index: 0, count: 2, runID: "r", dests: dest, wd: w0}.write(t, dir),
		fakeWorker{index: 1, count: 2, runID: "r", dests: dest, wd: w1}.write(t, dir),
	}
	s, err := Merge(Options{Inputs: in, OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	d := s.Destinations[0]
	if d.Outputs != 4 || d.Expected != 2 || d.Missing != 0 || d.Unexpected != 1 || d.Duplicates != 1 || d.Precision != 0.75 {
		t.Errorf("outputs %d expected %d missing %d unexpected %d duplicates %d precision %v; want 4 2 0 1 1 0.75",
			d.Outputs, d.Expected, d.Missing, d.Unexpected, d.Duplicates, d.Precision)
	}
	// The first alert of each burst is measured from the transaction it names.
	if e := d.Latency["e2e"]; e.Count != 2 || e.Max < 499 || e.Max > 501 {
		t.Errorf("e2e %+v: want 2 alerts, the slower 500 ms after its transaction", e)
	}
}
