package collectors

import (
	"testing"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/metrics"
)

// FuzzSinkRecord feeds arbitrary record data (outside input: anything on the
// stream) to the per-record path: it must never panic, and every record must
// end in exactly one bucket.
func FuzzSinkRecord(f *testing.F) {
	e := envelope.Envelope{RunID: testRun, ProducerID: 1, Seq: 7, Intended: 1e9, Sent: 2e9}
	f.Add(e.Append(nil))
	f.Add(append(e.Append(nil), "payload"...))
	f.Add([]byte("KB"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		run := metrics.NewRun(2)
		cfg, err := Config{Stream: "s", RunID: testRun, Primary: true, Metrics: run, Tracker: NewTracker(2), App: metrics.NewApp("t"), WarmupEnd: 5}.withDefaults()
		if err != nil {
			t.Fatal(err)
		}
		c := newCore(cfg)
		s := c.newSink("shard-0")
		s.record(3e9, data, "card", 2e9)
		s.record(3e9, data, "card", 2e9)
		st := c.stats()
		if st.Seen+st.Duplicates+st.Foreign != 2 {
			t.Fatalf("stats %+v: two records, not two buckets", st)
		}
		if st.Seen != st.Duplicates || run.Consumed.Load() != st.Seen || run.Foreign.Load() != st.Foreign {
			t.Fatalf("stats %+v, consumed %d foreign %d", st, run.Consumed.Load(), run.Foreign.Load())
		}
	})
}
