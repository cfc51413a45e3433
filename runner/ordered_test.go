package runner

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kbench/kbench/metrics"
)

// TestProducerOrdering throttles some records on their first attempts and
// checks the order in which each key's records were accepted: with
// per_key always their sequence order, with none (the test's control) not.
func TestProducerOrdering(t *testing.T) {
	twoShards := func(pk, _ string) string {
		if pk == "a" || pk == "b" {
			return "shard-0"
		}
		return "shard-1"
	}
	for _, tc := range []struct {
		ordering string
		inOrder  bool
	}{{OrderingPerKey, true}, {OrderingPerKeyChain, true}, {OrderingNone, false}} {
		t.Run(tc.ordering, func(t *testing.T) {
			m := metrics.NewRun(1)
			cfg := prodConfig(m, fakePacer{gap: time.Millisecond, limit: 400})
			cfg.MaxRecords, cfg.InFlight, cfg.Ordering, cfg.ShardOf = 6, 4, tc.ordering, twoShards
			cfg.Retry = RetryPolicy{MaxAttempts: 10, Base: 5 * time.Millisecond, Cap: 20 * time.Millisecond}
			fp := &fakePutter{delay: 2 * time.Millisecond, code: func(seq uint64, attempt int) string {
				if seq%7 == 3 && attempt <= 2 || seq%11 == 5 && attempt == 1 {
					return codeThroughput
				}
				return ""
			}}
			prodRun(t, cfg, fp, nil)
			if m.Acked.Load() != 400 {
				t.Fatalf("acked %d of 400", m.Acked.Load())
			}
			last := map[string]uint64{}
			late := 0
			for _, r := range fp.accepted {
				if prev, ok := last[r.pk]; ok && r.seq < prev {
					late++
				}
				last[r.pk] = max(last[r.pk], r.seq)
			}
			if tc.inOrder != (late == 0) {
				t.Errorf("%d records accepted after a later record of their key", late)
			}
			if !tc.inOrder {
				return
			}
			if tc.ordering == OrderingPerKeyChain {
				checkChains(t, fp, cfg.InFlight)
				return
			}
			if got := fp.maxInflight.Load(); got > 2 {
				t.Errorf("%d calls in flight at once, want at most one per shard (2)", got)
			}
			for i, call := range fp.sentCalls() {
				keys := map[string]bool{}
				for _, r := range call {
					if keys[r.pk] || twoShards(r.pk, "") != twoShards(call[0].pk, "") {
						t.Fatalf("call %d mixes shards or repeats key %s: %+v", i, r.pk, call)
					}
					keys[r.pk] = true
				}
			}
		})
	}
}

// checkChains checks a per_key_chain run: one record per call, at most
// inFlight calls at once, and every record sent after its key's previous
// one was acknowledged, naming it as SequenceNumberForOrdering unless the
// key had nothing queued in between.
func checkChains(t *testing.T, fp *fakePutter, inFlight int) {
	t.Helper()
	if got := fp.maxInflight.Load(); got > int64(inFlight) {
		t.Errorf("%d calls in flight at once, want at most %d", got, inFlight)
	}
	for i, call := range fp.sentCalls() {
		if len(call) != 1 {
			t.Fatalf("call %d sent %d records, want 1", i, len(call))
		}
	}
	last := map[string]uint64{}
	named := 0
	for _, r := range fp.accepted {
		if after := fp.after[r.seq]; after != "" {
			named++
			if after != fmt.Sprint(last[r.pk]) {
				t.Errorf("record %d of key %s named %s, want its key's last acknowledged record %d", r.seq, r.pk, after, last[r.pk])
			}
		}
		last[r.pk] = r.seq
	}
	if named == 0 {
		t.Error("no record named a SequenceNumberForOrdering")
	}
	if len(fp.after) != 400 {
		t.Errorf("%d records acknowledged by PutRecord, want 400", len(fp.after))
	}
}

func TestProducerUnknownOrdering(t *testing.T) {
	cfg := prodConfig(metrics.NewRun(1), fakePacer{gap: time.Millisecond, limit: 1})
	cfg.Ordering = "strict"
	if _, err := NewProducer(cfg, &fakePutter{}); err == nil || !strings.Contains(err.Error(), `unknown ordering "strict"`) {
		t.Errorf("err = %v, want unknown ordering", err)
	}
}
