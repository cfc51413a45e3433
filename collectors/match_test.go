package collectors

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/metrics"
)

func TestFieldValue(t *testing.T) {
	rec := []byte(`{"txn_id":"tx_1","amount":4.5,"ok":true,"source":{"txn_id":"tx_2","n":7},"esc":"a\"b"}`)
	for path, want := range map[string]string{
		"txn_id": "tx_1", "amount": "4.5", "ok": "true", "source.txn_id": "tx_2", "source.n": "7", "esc": `a"b`,
	} {
		if got, ok := FieldValue(rec, path); !ok || got != want {
			t.Errorf("FieldValue(%s) = %q, %v; want %q", path, got, ok, want)
		}
	}
	for _, path := range []string{"nope", "source", "source.nope", "txn_id.x"} {
		if got, ok := FieldValue(rec, path); ok {
			t.Errorf("FieldValue(%s) = %q, want none", path, got)
		}
	}
	if _, ok := FieldValue([]byte("not json"), "a"); ok {
		t.Error("FieldValue of non-JSON found a value")
	}
}

func TestInputIndexEvicts(t *testing.T) {
	x := NewInputIndex(3, int64(10*time.Second), 2)
	for i := range 5 {
		x.Add(fmt.Sprint(i), Input{Intended: int64(i)}, int64(i))
	}
	if _, _, ok := x.See("0", 0); ok {
		t.Error("the oldest record was kept beyond the capacity")
	}
	if in, prior, ok := x.See("4", 0); !ok || prior != 0 || in.Intended != 4 {
		t.Errorf("See(4) = %+v, %d, %v", in, prior, ok)
	}
	if _, prior, _ := x.See("4", 0); prior != 1 {
		t.Errorf("second See(4) prior = %d, want 1", prior)
	}
	if _, prior, _ := x.See("4", 1); prior != 0 {
		t.Errorf("See(4) of slot 1 prior = %d, want 0: slots count apart", prior)
	}
	// Age: a record older than maxAge goes at the next Add.
	x.Add("late", Input{Intended: int64(30 * time.Second)}, int64(30*time.Second))
	c := x.Counts(0)
	if c.Added != 6 || c.Evicted != 4 || c.Unseen != 1 {
		t.Errorf("counts %+v, want added 6, evicted 4 (0, 1, 2, 3 unseen), unseen 1", c)
	}
}

func TestMatcherOneByEnvelope(t *testing.T) {
	run := metrics.NewRun(1)
	tr := NewTracker(1)
	m := NewMatcher(MatchConfig{Expect: ExpectOne, RunID: 9, Tracker: tr, Deadline: 100 * time.Millisecond})
	m.Measure(1000, 0)
	for seq := range uint64(4) {
		run.AckedSet(0).Add(seq)
		run.Acked.Add(1)
	}
	out := func(seq uint64, intended int64) []byte {
		e := envelope.Envelope{RunID: 9, Seq: seq, Intended: intended, Sent: intended}
		return e.AppendField(nil, []byte(`{"x":1}`))
	}
	m.Add(out(0, 500), 600)                               // warmup: counted, not measured
	m.Add(out(1, 2000), 2000+int64(50*time.Millisecond))  // on time
	m.Add(out(2, 3000), 3000+int64(150*time.Millisecond)) // late
	m.Add(out(2, 3000), 3000+int64(160*time.Millisecond)) // duplicate
	m.Add([]byte(`{"x":1}`), 4000)                        // no envelope
	other := envelope.Envelope{RunID: 8}
	m.Add(other.Append(nil), 4000) // another run's
	c := m.Counts(run)
	want := MatchCounts{Outputs: 6, Matched: 4, Duplicates: 1, Unexpected: 2, Measured: 2, OnTime: 1, Expected: 4, Missing: 1,
		First: 600, Last: 3000 + int64(160*time.Millisecond)}
	if c != want {
		t.Errorf("counts\n %+v\nwant\n %+v", c, want)
	}
	if h := m.E2E.Rotate(); h.TotalCount() != 2 || h.Max() < int64(150*time.Millisecond) {
		t.Errorf("e2e histogram: %d values, max %d", h.TotalCount(), h.Max())
	}
}

func TestMatcherSomeByIncident(t *testing.T) {
	inc := NewIncidents()
	inputs := NewInputIndex(100, 0, 1)
	sec := int64(time.Second)
	// Two complete bursts on cards a and b, one cut short on c.
	for i, r := range []struct {
		key         string
		start, last bool
		at          int64
	}{{"a", true, false, 1 * sec}, {"a", false, true, 1*sec + 10}, {"b", true, false, 2 * sec}, {"b", false, true, 2*sec + 10}, {"c", true, false, 3 * sec}} {
		id := inc.Add(0, uint64(i), r.key, r.start, r.last, r.at, true)
		inputs.Add(fmt.Sprint("t", i), Input{Intended: r.at, Sent: r.at, Incident: id}, r.at)
	}
	m := NewMatcher(MatchConfig{Expect: ExpectSome, Output: "txn", Inputs: inputs, Key: "card", Window: 5 * time.Second, Incidents: inc})
	m.Measure(0, 0)
	m.Add([]byte(`{"card":"a","txn":"t1"}`), 1*sec+200) // alert for a, by its transaction
	m.Add([]byte(`{"card":"a","txn":"t1"}`), 1*sec+300) // again: duplicate
	m.Add([]byte(`{"card":"z","txn":"t9"}`), 2*sec)     // no incident on z: unexpected
	m.Add([]byte(`{"card":"a"}`), 9*sec)                // a, but outside the window
	m.Add([]byte(`{"card":"c","txn":"t4"}`), 3*sec+100) // the cut-short burst: matched, not expected
	c := m.Counts(nil)
	if c.Expected != 2 || c.Missing != 1 || c.Matched != 3 || c.Duplicates != 1 || c.Unexpected != 2 || c.Measured != 2 ||
		c.Unmeasured != 1 {
		t.Errorf("counts %+v: want expected 2 (a, b), missing 1 (b), matched 3, duplicates 1, unexpected 2, measured 2, "+
			"unmeasured 1 (c)", c)
	}
	if h := m.E2E.Rotate(); h.Min() > 300 || h.TotalCount() != 2 {
		t.Errorf("e2e: %d values from %d ns; want a's alert 190 ns after its second transaction", h.TotalCount(), h.Min())
	}
}

// TestMatcherSomeWarmupBurst: an alert answering a burst of the warmup is
// neither expected nor unexpected but unmeasured, a repeat of it is a
// duplicate, and the outputs add up: (expected − missing) + unmeasured +
// duplicates + unexpected.
func TestMatcherSomeWarmupBurst(t *testing.T) {
	inc := NewIncidents()
	sec := int64(time.Second)
	warmupEnd := 2 * sec
	// A burst on card w in the warmup, one on card m after it.
	for i, r := range []struct {
		key         string
		start, last bool
		at          int64
	}{{"w", true, false, 1 * sec}, {"w", false, true, 1*sec + 10}, {"m", true, false, 3 * sec}, {"m", false, true, 3*sec + 10}} {
		inc.Add(0, uint64(i), r.key, r.start, r.last, r.at, r.at >= warmupEnd)
	}
	m := NewMatcher(MatchConfig{Expect: ExpectSome, Key: "card", Window: 5 * time.Second, Incidents: inc})
	m.Measure(warmupEnd, 0)
	m.Add([]byte(`{"card":"w"}`), 1*sec+100) // the warmup burst's alert
	m.Add([]byte(`{"card":"w"}`), 1*sec+200) // and its repeat
	m.Add([]byte(`{"card":"m"}`), 3*sec+100) // the measured burst's alert
	m.Add([]byte(`{"card":"x"}`), 3*sec+200) // no burst on x
	c := m.Counts(nil)
	want := MatchCounts{Outputs: 4, Matched: 3, Duplicates: 1, Unexpected: 1, Unmeasured: 1, Measured: 1, Expected: 1,
		First: 1*sec + 100, Last: 3*sec + 200}
	if c != want {
		t.Errorf("counts\n %+v\nwant\n %+v", c, want)
	}
	if sum := c.Expected - c.Missing + c.Unmeasured + c.Duplicates + c.Unexpected; sum != c.Outputs {
		t.Errorf("outputs %d, but expected − missing + unmeasured + duplicates + unexpected = %d", c.Outputs, sum)
	}
}

func TestHTTPDestination(t *testing.T) {
	d, err := httpDestination.New(DestinationConfig{Name: "out"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan string, 10)
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx, func(b []byte, _ int64) { got <- string(b) }) }()
	post := func(body string) int {
		resp, err := http.Post(d.Address(), "application/x-ndjson", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(`{"a":1}` + "\n" + `{"a":2}` + "\n"); code != http.StatusNoContent {
		t.Errorf("POST: %d", code)
	}
	if code := post("{\n  \"a\": 3\n}"); code != http.StatusNoContent {
		t.Errorf("POST pretty: %d", code)
	}
	resp, err := http.Get(d.Address())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d, want 405", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	close(got)
	var outs []string
	for o := range got {
		outs = append(outs, o)
	}
	if len(outs) != 3 || outs[0] != `{"a":1}` || !strings.Contains(outs[2], `"a": 3`) {
		t.Errorf("outputs %q", outs)
	}
}

func TestStdoutDestination(t *testing.T) {
	r, w := io.Pipe()
	d, err := stdoutDestination.New(DestinationConfig{Name: "out", Stdout: r})
	if err != nil {
		t.Fatal(err)
	}
	var outs []string
	done := make(chan error, 1)
	go func() {
		done <- d.Run(context.Background(), func(b []byte, _ int64) { outs = append(outs, string(b)) })
	}()
	fmt.Fprint(w, "starting up\n{\"a\":1}\n  {\"a\":2}  \n[1,2]\n")
	w.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(outs) != 2 || outs[1] != `{"a":2}` {
		t.Errorf("outputs %q, want the two JSON objects", outs)
	}
}
