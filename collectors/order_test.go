package collectors

import (
	"testing"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/metrics"
)

// TestSinkOrder feeds constructed records through the sinks of a parent
// shard and its child and checks the out-of-order counts of the
// application, the run and each shard exactly.
func TestSinkOrder(t *testing.T) {
	type rec struct {
		shard    string
		producer uint32
		seq      uint64
		key      string
	}
	type counts struct{ late, keys, disp int64 }
	// span is key a's records from to to-1 of producer 0, read from shard.
	span := func(shard string, from, to uint64) []rec {
		var out []rec
		for s := from; s < to; s++ {
			out = append(out, rec{shard, 0, s, "a"})
		}
		return out
	}
	tests := []struct {
		name          string
		recs          []rec
		total         counts
		parent, child counts
	}{
		{"parent then child", []rec{
			{"parent", 0, 1, "a"}, {"parent", 0, 2, "a"}, {"parent", 0, 3, "b"},
			{"child", 0, 4, "a"}, {"child", 0, 5, "b"}, {"child", 0, 6, "a"},
		}, counts{}, counts{}, counts{}},
		// A child read before its parent is done: the parent's remaining
		// records of key a come behind the child's two.
		{"child read early", []rec{
			{"parent", 0, 1, "a"}, {"child", 0, 4, "a"}, {"child", 0, 6, "a"},
			{"parent", 0, 2, "a"}, {"parent", 0, 3, "a"}, {"parent", 0, 5, "b"},
		}, counts{2, 1, 2}, counts{2, 1, 2}, counts{}},
		// A resent record: 7 of key c lands after 8 and 9 on the child.
		{"resent record", []rec{
			{"child", 1, 8, "c"}, {"child", 1, 9, "c"}, {"child", 1, 7, "c"}, {"child", 1, 7, "c"},
			{"child", 0, 7, "c"},
		}, counts{1, 1, 2}, counts{}, counts{1, 1, 2}},
		{"parent then child, 10000", append(span("parent", 0, 5000), span("child", 5000, 10000)...),
			counts{}, counts{}, counts{}},
		// The child's 5,000 read after 2,000 of its parent's: the parent's
		// last 3,000 each come behind all 5,000.
		{"child read early, 10000", append(append(span("parent", 0, 2000), span("child", 5000, 10000)...), span("parent", 2000, 5000)...),
			counts{3000, 1, 5000}, counts{3000, 1, 5000}, counts{}},
		// Held back behind 10,000 on one shard, then delivered again.
		{"behind 10000", append(append(span("child", 1, 10001), rec{"child", 0, 0, "a"}), rec{"child", 0, 0, "a"}),
			counts{1, 1, 10000}, counts{}, counts{1, 1, 10000}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			run := metrics.NewRun(2)
			app := metrics.NewApp("t")
			tr := NewTracker(2)
			cfg, err := Config{Stream: "s", RunID: testRun, Primary: true, Metrics: run, Tracker: tr, App: app}.withDefaults()
			if err != nil {
				t.Fatal(err)
			}
			c := newCore(cfg)
			sinks := map[string]*sink{"parent": c.newSink("parent"), "child": c.newSink("child")}
			for _, r := range tc.recs {
				e := envelope.Envelope{RunID: testRun, ProducerID: r.producer, Seq: r.seq, Intended: 1, Sent: 1}
				sinks[r.shard].record(2, e.Append(nil), r.key, 0)
			}
			get := func(o *metrics.OrderCounts) counts {
				return counts{o.OutOfOrder.Load(), o.OutOfOrderKeys.Load(), o.MaxDisplacement.Load()}
			}
			if got := get(&app.OrderCounts); got != tc.total {
				t.Errorf("application: %+v, want %+v", got, tc.total)
			}
			if got := get(&run.OrderCounts); got != tc.total {
				t.Errorf("run: %+v, want %+v", got, tc.total)
			}
			for id, want := range map[string]counts{"parent": tc.parent, "child": tc.child} {
				if got := get(&run.Shard(id).OrderCounts); got != want {
					t.Errorf("run shard %s: %+v, want %+v", id, got, want)
				}
				if got := get(&app.Shard(id).OrderCounts); got != want {
					t.Errorf("application shard %s: %+v, want %+v", id, got, want)
				}
			}
			if !tr.OrderExact() {
				t.Error("not exact with a few keys")
			}
		})
	}
}
