package merge

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/runner"
)

// fakeWorker is what one synthetic worker's results hold.
type fakeWorker struct {
	index, count int
	runID        string
	acked, seen  []uint64 // of producer 0
	dups         int64    // seen twice by the worker itself
	order        results.Order
	late         []uint64 // the application's out-of-order keys (metrics.OrderKeyID)
	// The destinations of an application under test: the summary's
	// entries, the raw state and, by destination, the inputs seen (of
	// producer 0).
	dests    []results.DestinationStats
	wd       *runner.WorkerDestinations
	destSeen [][]uint64
}

// fakeStart is when every fake worker started.
var fakeStart = time.Unix(1_000_000, 0).UTC()

// write writes the worker's results directory under dir and returns it.
func (w fakeWorker) write(t *testing.T, dir string) results.Source {
	t.Helper()
	out := filepath.Join(dir, "w"+string(rune('0'+w.index)))
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	set := func(seqs []uint64) *metrics.SeqSet {
		s := new(metrics.SeqSet)
		for _, q := range seqs {
			s.Add(q)
		}
		return s
	}
	sum := &results.Summary{
		SchemaVersion: results.SchemaVersion, RunID: w.runID,
		Config:       results.RunInfo{Notes: []string{"worker note"}},
		Totals:       results.Totals{Produced: int64(len(w.acked)), Acked: int64(len(w.acked)), Order: w.order},
		Destinations: w.dests,
		Consumers:    []results.ConsumerStats{{Name: "collector", Primary: true, Consumed: int64(len(w.seen)), Order: w.order}},
		Worker:       &results.WorkerInfo{Index: w.index, Count: w.count, Host: "h", Clock: results.ClockInfo{OffsetMS: float64(w.index), UncertaintyMS: 0.5}},
	}
	st := &results.WorkerState{Index: w.index, Count: w.count, RunID: w.runID, Scenario: "fp", Producers: 1, StartAt: fakeStart,
		LastAck: 1e9, Apps: []results.WorkerApp{{Name: "collector", Duplicates: w.dups, TipAt: 3e9}}}
	seqs := &results.WorkerSeqs{Acked: []*metrics.SeqSet{set(w.acked)}, Seen: [][]*metrics.SeqSet{{set(w.seen)}},
		LateKeys: [][]uint64{w.late}}
	for _, d := range w.destSeen {
		seqs.Dests = append(seqs.Dests, []*metrics.SeqSet{set(d)})
	}
	if w.wd != nil {
		if err := runner.WriteWorkerDestinations(out, w.wd); err != nil {
			t.Fatal(err)
		}
	}
	for _, err := range []error{results.WriteSummary(out, sum), results.WriteWorkerState(out, st), results.WriteWorkerSeqs(out, seqs)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return results.DirSource(out)
}

// TestMergeAccountsAcrossWorkers: records produced on one worker and
// consumed on the other are neither lost nor duplicated; a record both
// workers read is a duplicate, one nobody read is lost.
func TestMergeAccountsAcrossWorkers(t *testing.T) {
	dir := t.TempDir()
	in := []results.Source{
		fakeWorker{index: 0, count: 2, runID: "r", acked: []uint64{0, 2, 4, 6}, seen: []uint64{1, 3, 0}, dups: 1}.write(t, dir),
		fakeWorker{index: 1, count: 2, runID: "r", acked: []uint64{1, 3, 5, 7}, seen: []uint64{2, 4, 5, 7, 3}}.write(t, dir),
	}
	out := t.TempDir()
	s, err := Merge(Options{Inputs: in, OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	tot := s.Totals
	// Acked 0..7; seen 0,1,2,3,4,5,7 (3 twice across workers); 6 lost.
	if tot.Acked != 8 || tot.Consumed != 7 || tot.Lost != 1 || tot.Duplicates != 2 || tot.Unread != 0 {
		t.Errorf("acked %d consumed %d lost %d duplicates %d unread %d, want 8 7 1 2 0",
			tot.Acked, tot.Consumed, tot.Lost, tot.Duplicates, tot.Unread)
	}
	if s.Workers == nil || s.Workers.Incomplete || s.Workers.ClockErrorMS != 2 {
		t.Errorf("workers = %+v, want complete with clock error 1 + 0.5 + 0.5 ms", s.Workers)
	}
	if _, err := os.Stat(filepath.Join(out, results.SummaryFile)); err != nil {
		t.Error(err)
	}
}

// TestMergeRefusesInconsistentInputs checks each inconsistency is refused
// with ErrInput naming it, and that --allow-partial merges the rest.
func TestMergeRefusesInconsistentInputs(t *testing.T) {
	dir := t.TempDir()
	w0 := fakeWorker{index: 0, count: 3, runID: "r", acked: []uint64{0}, seen: []uint64{0}}.write(t, dir)
	w1 := fakeWorker{index: 1, count: 3, runID: "r"}.write(t, dir)
	other := fakeWorker{index: 2, count: 3, runID: "other"}.write(t, t.TempDir())
	tests := []struct {
		name string
		in   []results.Source
		want string
	}{
		{"missing worker", []results.Source{w0, w1}, "worker 2 of 3 is missing"},
		{"other run", []results.Source{w0, w1, other}, "is run other"},
		{"twice the same", []results.Source{w0, w1, w1}, "are both worker 1"},
		{"not results", []results.Source{w0, w1, results.DirSource(t.TempDir())}, "no summary.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Merge(Options{Inputs: tt.in, OutDir: t.TempDir()})
			if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want ErrInput with %q", err, tt.want)
			}
		})
	}
	s, err := Merge(Options{Inputs: []results.Source{w0, w1}, OutDir: t.TempDir(), AllowPartial: true})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Workers.Incomplete || len(s.Workers.Missing) != 1 || s.Workers.Missing[0] != 2 {
		t.Errorf("workers = %+v, want incomplete, worker 2 missing", s.Workers)
	}
	if s.Totals.Lost != 0 {
		t.Errorf("lost %d in an incomplete merge: unseen records are unread", s.Totals.Lost)
	}
}

// TestMergeTotalsCoverEveryCount sets every count of two workers' totals
// and checks each is summed: a count added to results.Totals without a
// rule here fails.
func TestMergeTotalsCoverEveryCount(t *testing.T) {
	dir := t.TempDir()
	var in []results.Source
	for i := range 2 {
		src := fakeWorker{index: i, count: 2, runID: "r"}.write(t, dir)
		s, err := results.ReadSummary(string(src.(results.DirSource)))
		if err != nil {
			t.Fatal(err)
		}
		v := reflect.ValueOf(&s.Totals).Elem()
		for k := range v.NumField() {
			if f := v.Field(k); f.Kind() == reflect.Int64 {
				f.SetInt(5)
			}
		}
		if err := results.WriteSummary(string(src.(results.DirSource)), s); err != nil {
			t.Fatal(err)
		}
		in = append(in, src)
	}
	s, err := Merge(Options{Inputs: in, OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	// From the sequence sets (empty here), or derived from other counts.
	fromSeqs := map[string]bool{"Consumed": true, "Lost": true, "Unread": true, "FailedDelivered": true, "Duplicates": true, "Scheduled": true}
	v := reflect.ValueOf(s.Totals)
	for k := range v.NumField() {
		name := v.Type().Field(k).Name
		if f := v.Field(k); f.Kind() == reflect.Int64 && !fromSeqs[name] && f.Int() != 10 {
			t.Errorf("totals %s = %d, want the sum 10", name, f.Int())
		}
	}
}

// TestMergeOrderCountsAKeyOnce: a key two workers both read out of order
// (its records on a shard and on its child, read by different workers) is
// one out-of-order key, as in one process; late records add and the largest
// displacement is the largest.
func TestMergeOrderCountsAKeyOnce(t *testing.T) {
	dir := t.TempDir()
	a, b, c := metrics.OrderKeyID(0, "a"), metrics.OrderKeyID(0, "b"), metrics.OrderKeyID(0, "c")
	in := []results.Source{
		fakeWorker{index: 0, count: 2, runID: "r", late: []uint64{min(a, b), max(a, b)},
			order: results.Order{OutOfOrder: 3, OutOfOrderKeys: 2, OutOfOrderMaxDisplacement: 4, OutOfOrderExact: true, OutOfOrderKeyShare: 1}}.write(t, dir),
		fakeWorker{index: 1, count: 2, runID: "r", late: []uint64{min(b, c), max(b, c)},
			order: results.Order{OutOfOrder: 2, OutOfOrderKeys: 2, OutOfOrderMaxDisplacement: 7, OutOfOrderExact: true, OutOfOrderKeyShare: 1}}.write(t, dir),
	}
	s, err := Merge(Options{Inputs: in, OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	want := results.Order{OutOfOrder: 5, OutOfOrderKeys: 3, OutOfOrderMaxDisplacement: 7, OutOfOrderExact: true, OutOfOrderKeyShare: 1}
	if s.Totals.Order != want || s.Consumers[0].Order != want {
		t.Errorf("order: totals %+v, consumer %+v; want %+v", s.Totals.Order, s.Consumers[0].Order, want)
	}
}
