package main

import (
	"testing"
)

// TestPerKeyOrderingOnSim runs the payments scenario over one shard's write
// quota with ordering: per_key: writes are throttled and resent, and the
// consumer still sees every card's payments in order. The producers may
// overrun the duration (max_overrun) so that every record is sent.
func TestPerKeyOrderingOnSim(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := kbench(t, "run", "../../scenarios/payments.yaml", "--out", dir,
		"--set", "duration=5s", "--set", "max_overrun=30s", "--set", "warmup=0s", "--set", "drain=15s", "--set", "thresholds=[]",
		"--set", "stream.shards=1", "--set", "producers[0].rate.rps=1500", "--set", "producers[0].options.cards=300",
		"--set", "producers[0].ordering=per_key")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	s := checkAccounting(t, dir)
	if num(t, s, "totals.throttled") == 0 {
		t.Fatal("nothing throttled: the test needs resends")
	}
	if n := num(t, s, "totals.out_of_order"); n != 0 {
		t.Errorf("totals.out_of_order = %v with ordering per_key, want 0", n)
	}
	if get(t, s, "totals.out_of_order_exact") != true {
		t.Error("order counts not exact with 300 cards")
	}
}

// TestAggregatedPerKeyOrderingOnSim runs KPL-aggregated hydrophone frames
// (about 13 kB each, so 200 frames/s is over the shard's 1 MiB/s and
// aggregates are throttled) with ordering none and per_key: resent
// aggregates land behind later ones without ordering, never with it.
func TestAggregatedPerKeyOrderingOnSim(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ordering string
		late     bool
	}{{"none", true}, {"per_key", false}} {
		t.Run(tc.ordering, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			code, stdout, stderr := kbench(t, "run", "../../scenarios/acoustic.yaml", "--out", dir,
				"--set", "duration=5s", "--set", "max_overrun=30s", "--set", "warmup=0s", "--set", "drain=15s",
				"--set", "thresholds=[]", "--set", "stream.shards=1", "--set", "producers[0].rate.rps=200",
				"--set", "producers[0].aggregation={}", "--set", "producers[0].ordering="+tc.ordering)
			if code != exitOK {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			s := readSummary(t, dir)
			if num(t, s, "totals.throttled") == 0 || num(t, s, "totals.kinesis_records") >= num(t, s, "totals.acked") {
				t.Fatalf("throttled %v, %v Kinesis records for %v acked: the test needs throttled aggregates",
					get(t, s, "totals.throttled"), get(t, s, "totals.kinesis_records"), get(t, s, "totals.acked"))
			}
			if n := num(t, s, "totals.out_of_order"); (n > 0) != tc.late {
				t.Errorf("totals.out_of_order = %v with ordering %s, want late records: %v", n, tc.ordering, tc.late)
			}
			if n := num(t, s, "totals.lost"); n != 0 {
				t.Errorf("lost %v", n)
			}
		})
	}
}

// TestRestartEventOnSim stops the consumer of the failover scenario before
// it ever checkpoints (the interval is an hour) and resumes it: it reads
// again everything it had consumed, and exactly that many duplicates show.
func TestRestartEventOnSim(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, stdout, stderr := kbench(t, "run", "../../scenarios/failover.yaml", "--out", dir,
		"--set", "duration=6s", "--set", "warmup=0s", "--set", "drain=10s", "--set", "thresholds=[]",
		"--set", "events[0].at=3s", "--set", "events[0].restart.after=1s",
		"--set", "consumers[0].checkpoint_interval=1h")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	s := readSummary(t, dir)
	c := s["consumers"].([]any)[0].(map[string]any)
	rewound, dups := num(t, c, "rewound"), num(t, s, "totals.duplicates")
	if rewound < 1000 || dups != rewound || num(t, c, "restarts") != 1 {
		t.Errorf("rewound %v, duplicates %v, restarts %v: want about 3 s of records re-read, all of them duplicates, one restart",
			rewound, dups, c["restarts"])
	}
	if lost := num(t, s, "totals.lost"); lost != 0 {
		t.Errorf("lost %v", lost)
	}
	events := s["events"].([]any)
	if len(events) != 2 || events[0].(map[string]any)["action"] != "restart" || events[1].(map[string]any)["action"] != "resume" {
		t.Errorf("events = %v, want restart then resume", events)
	}
}
