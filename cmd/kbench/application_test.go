package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kbench/kbench/results"
)

const fraudScenario = "../../examples/fraud-detector/scenario.yaml"

// buildFraudDetector builds the example detector once for the tests.
func buildFraudDetector(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "fraud-detector")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = "../../examples/fraud-detector"
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build fraud-detector: %v\n%s", err, out)
	}
	return bin
}

// runFraud runs the fraud-detector example against the simulator with the
// built detector and extra --set overrides, and checks the exit code.
func runFraud(t *testing.T, bin string, wantCode int, sets ...string) (string, map[string]any) {
	t.Helper()
	dir := t.TempDir()
	args := []string{"run", fraudScenario, "--out", dir, "--quiet",
		"--set", "duration=12s", "--set", "warmup=2s", "--set", "application.command=[" + bin + "]"}
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	code, stdout, stderr := kbench(t, args...)
	if code != wantCode {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, wantCode, stdout, stderr)
	}
	return dir, readSummary(t, dir)
}

// firstDestination is summary.json's destinations[0].
func firstDestination(t *testing.T, s map[string]any) map[string]any {
	t.Helper()
	ds, _ := get(t, s, "destinations").([]any)
	if len(ds) == 0 {
		t.Fatal("summary.json has no destinations")
	}
	return ds[0].(map[string]any)
}

// TestFraudDetectorExample runs examples/fraud-detector as kbench's
// application under test: the healthy detector finds the payments' fraud
// bursts within the deadline; slowed down, its alert latency fails the
// scenario's threshold; crashed mid-run, the run ends with exit 3 and keeps
// its results and the detector's log; with the payments stream resharded
// mid-run it finds every burst, polling or by enhanced fan-out (whose
// subscriptions the simulator ends every 3 s); without fraud, recall and
// precision are no data.
func TestFraudDetectorExample(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the example three times (about a minute)")
	}
	bin := buildFraudDetector(t)

	t.Run("healthy", func(t *testing.T) {
		t.Parallel()
		dir, s := runFraud(t, bin, 0)
		d := firstDestination(t, s)
		if d["name"] != "alerts" {
			t.Fatalf("destination %v, want alerts", d["name"])
		}
		expected, outputs := num(t, d, "expected"), num(t, d, "outputs")
		if expected < 5 || outputs < expected*0.9 {
			t.Errorf("expected %v bursts, %v alerts: want at least 5 bursts, alerted", expected, outputs)
		}
		if r := num(t, d, "recall"); r < 0.9 {
			t.Errorf("recall %v < 0.9 (missing %v)", r, num(t, d, "missing"))
		}
		if p := num(t, d, "precision"); p < 0.9 {
			t.Errorf("precision %v < 0.9 (unexpected %v)", p, num(t, d, "unexpected"))
		}
		// Alerts of the warmup's bursts are unmeasured, and every alert is
		// in one bucket.
		alerted, rest := expected-num(t, d, "missing"), num(t, d, "unmeasured")+num(t, d, "duplicates")+num(t, d, "unexpected")
		if alerted+rest != outputs {
			t.Errorf("%v alerts, but %v bursts alerted + %v unmeasured, duplicates and unexpected", outputs, alerted, rest)
		}
		p50, p99 := num(t, d, "latency.e2e.p50_ms"), num(t, d, "latency.e2e.p99_ms")
		if p50 <= 0 || p99 < p50 || p99 >= 1500 {
			t.Errorf("alert latency p50 %v ms, p99 %v ms: want 0 < p50 <= p99 < 1500", p50, p99)
		}
		if exit := get(t, s, "application.exit"); exit != "stopped" {
			t.Errorf("application.exit %v, want stopped", exit)
		}
		log, err := os.ReadFile(filepath.Join(dir, "application.log"))
		if err != nil || !strings.Contains(string(log), "fraud-detector: started") || !strings.Contains(string(log), "fraud-detector: stopped") {
			t.Errorf("application.log (%v) lacks the start and the graceful stop:\n%s", err, log)
		}
		for _, f := range []string{"destination-alerts-e2e.hlog", "destination-alerts-application.hlog", "destinations.png"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Error(err)
			}
		}
		// Every alert arrived in some second of timeseries.csv, and the
		// last second has none missing.
		run, err := results.LoadRun(dir)
		if err != nil {
			t.Fatal(err)
		}
		var perSecond int64
		for _, row := range run.Rows {
			if len(row.Destinations) != 1 || row.Destinations[0].Name != "alerts" {
				t.Fatalf("second %d: destinations %+v, want alerts", row.Second, row.Destinations)
			}
			perSecond += row.Destinations[0].Outputs
		}
		if last := run.Rows[len(run.Rows)-1].Destinations[0]; perSecond != int64(outputs) || last.Missing != int64(num(t, d, "missing")) {
			t.Errorf("timeseries: %d outputs over the seconds, %d missing at the end; summary: %v outputs, %v missing",
				perSecond, last.Missing, outputs, num(t, d, "missing"))
		}
	})
	t.Run("slowed", func(t *testing.T) {
		t.Parallel()
		_, s := runFraud(t, bin, 1, "application.env.FRAUD_DETECTOR_DELAY=2s")
		if p99 := num(t, firstDestination(t, s), "latency.e2e.p99_ms"); p99 < 2000 {
			t.Errorf("slowed detector's alert p99 %v ms, want at least the 2000 ms it was slowed by", p99)
		}
		if ok := get(t, s, "thresholds").([]any)[0].(map[string]any)["ok"]; ok != false {
			t.Errorf("latency threshold ok = %v, want false", ok)
		}
	})
	for _, read := range []string{"poll", "fanout"} {
		t.Run(read+" across a reshard", func(t *testing.T) {
			t.Parallel()
			dir, s := runFraud(t, bin, 0, "application.env.FRAUD_DETECTOR_READ="+read,
				"target.sim.subscription_duration=3s", "events=[{at: 5s, update_shard_count: 4}]")
			d := firstDestination(t, s)
			if r, p := num(t, d, "recall"), num(t, d, "precision"); r != 1 || p != 1 || num(t, d, "expected") < 5 {
				t.Errorf("recall %v, precision %v of %v bursts (missing %v, unexpected %v): want 1 and 1 of at least 5",
					r, p, d["expected"], d["missing"], d["unexpected"])
			}
			if exit := get(t, s, "application.exit"); exit != "stopped" {
				t.Errorf("application.exit %v, want stopped", exit)
			}
			if read != "fanout" {
				return
			}
			log, err := os.ReadFile(filepath.Join(dir, "application.log"))
			if err != nil {
				t.Fatal(err)
			}
			// Subscriptions of the children (shards 2 to 5) end and are
			// renewed too: they were read.
			for _, want := range []string{"by enhanced fan-out", "ended; resubscribing", "consumer fraud-detector deregistered"} {
				if !strings.Contains(string(log), want) {
					t.Errorf("application.log lacks %q:\n%s", want, log)
				}
			}
			if !regexp.MustCompile(`subscription to shard shardId-00000000000[2-5]`).Match(log) {
				t.Errorf("application.log shows no subscription of a child shard:\n%s", log)
			}
		})
	}
	t.Run("no fraud", func(t *testing.T) {
		// No burst generated and no alert raised: recall, precision and the
		// on-time share are statistics of nothing, and their thresholds
		// fail as "no data" instead of judging a 0; a count of 0 is data.
		t.Parallel()
		dir, s := runFraud(t, bin, 1, "producers[0].options.fraud_rate=0",
			"thresholds=[destinations.alerts.recall >= 0.95, destinations.alerts.precision >= 0.95, "+
				"destinations.alerts.deadline.on_time_ratio >= 0.9, destinations.alerts.outputs == 0]")
		d := firstDestination(t, s)
		if num(t, d, "expected") != 0 || num(t, d, "outputs") != 0 {
			t.Fatalf("expected %v, outputs %v: the test needs neither bursts nor alerts", d["expected"], d["outputs"])
		}
		for i, th := range get(t, s, "thresholds").([]any) {
			th := th.(map[string]any)
			if wantNoData := i < 3; th["ok"] == wantNoData || (th["no_data"] == true) != wantNoData {
				t.Errorf("threshold %v: ok %v, no_data %v; want no data: %v", th["expr"], th["ok"], th["no_data"], wantNoData)
			}
		}
		md, err := os.ReadFile(filepath.Join(dir, "report.md"))
		if err != nil || !strings.Contains(string(md), "| alerts | kinesis, some | 0 | 0 | 0 | 0 | 0 | no data | no data |") {
			t.Errorf("report.md (%v) does not show the alerts' recall and precision as no data:\n%s", err, md)
		}
	})
	t.Run("crashed", func(t *testing.T) {
		t.Parallel()
		dir, s := runFraud(t, bin, 3, "application.env.FRAUD_DETECTOR_CRASH_AFTER=4s")
		if exit, _ := get(t, s, "application.exit").(string); !strings.HasPrefix(exit, "exited early") {
			t.Errorf("application.exit %q, want exited early", exit)
		}
		log, err := os.ReadFile(filepath.Join(dir, "application.log"))
		if err != nil || !strings.Contains(string(log), "crashing as asked") {
			t.Errorf("application.log (%v) lacks the crash:\n%s", err, log)
		}
	})
}

// TestEchoDestinations runs an application that copies every input to an
// HTTP and a stdout destination: with envelope none the inputs are matched
// by txn_id (and kbench's own consumer beside the application knows them by
// txn_id too), with the binary prefix by the envelope the application
// copies out; either way every input has its one output, none is
// unexpected, and the latency is measured from the intended send times.
func TestEchoDestinations(t *testing.T) {
	if testing.Short() {
		t.Skip("runs an application twice")
	}
	bin := filepath.Join(t.TempDir(), "echoapp")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/echoapp").CombinedOutput(); err != nil {
		t.Fatalf("go build echoapp: %v\n%s", err, out)
	}
	for _, tc := range []struct {
		name string
		sets []string
	}{
		// The application polls each shard every 300 ms and the reader every
		// second: 4.3 calls/s, within a shard's 5, so neither waits out the
		// other's throttling.
		{"field", []string{"consumers=[{name: reader, poll_interval: 1s}]"}},
		{"envelope", []string{"producers[0].envelope=prefix", "destinations[0].correlate={}", "destinations[1].correlate={}"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"run", "testdata/echo.yaml", "--out", dir, "--quiet", "--set", "application.command=[" + bin + "]"}
			for _, s := range tc.sets {
				args = append(args, "--set", s)
			}
			code, stdout, stderr := kbench(t, args...)
			if code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
			s := readSummary(t, dir)
			ds := get(t, s, "destinations").([]any)
			if len(ds) != 2 {
				t.Fatalf("%d destinations, want 2", len(ds))
			}
			acked := num(t, s, "totals.acked")
			if tc.name == "field" { // kbench's own consumer knows the records by txn_id too
				if c, f := num(t, s, "totals.consumed"), num(t, s, "totals.foreign"); c != acked || f != 0 || num(t, s, "latency.e2e.count") == 0 {
					t.Errorf("consumer of envelope-less records: consumed %v of %v, foreign %v, e2e count %v", c, acked, f, num(t, s, "latency.e2e.count"))
				}
			}
			for _, d := range ds {
				d := d.(map[string]any)
				if num(t, d, "expected") != acked || num(t, d, "outputs") != acked || num(t, d, "missing") != 0 ||
					num(t, d, "unexpected") != 0 || num(t, d, "duplicates") != 0 {
					t.Errorf("%v: %v outputs, %v expected, %v missing, %v unexpected, %v duplicates; want %v, none missing or extra",
						d["name"], d["outputs"], d["expected"], d["missing"], d["unexpected"], d["duplicates"], acked)
				}
				if p99 := num(t, d, "latency.e2e.p99_ms"); p99 <= 0 || p99 > 2000 {
					t.Errorf("%v: e2e p99 %v ms", d["name"], p99)
				}
			}
		})
	}
}

// TestAcousticDetectorExample runs examples/acoustic-detector, a Node.js
// application on the AWS SDK for JavaScript v3, against the simulator: it
// finds the frames' transients and POSTs its detections to kbench's HTTP
// destination. It skips when Node.js or the SDK (make acoustic-detector) is
// missing.
func TestAcousticDetectorExample(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a Node.js application for about 20 s")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH: the acoustic-detector example needs Node.js")
	}
	if _, err := os.Stat("../../.cache/acoustic-detector/node_modules/@aws-sdk/client-kinesis/package.json"); err != nil {
		t.Skip("the AWS SDK for JavaScript is not installed: run make acoustic-detector (npm) first")
	}
	dir := t.TempDir()
	code, stdout, stderr := kbench(t, "run", "../../examples/acoustic-detector/scenario.yaml", "--out", dir, "--quiet",
		"--set", "duration=10s")
	if code != 0 {
		log, _ := os.ReadFile(filepath.Join(dir, "application.log"))
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s\napplication.log:\n%s", code, stdout, stderr, log)
	}
	d := firstDestination(t, readSummary(t, dir))
	if d["name"] != "detections" || d["kind"] != "http" {
		t.Fatalf("destination %v (%v), want detections (http)", d["name"], d["kind"])
	}
	if num(t, d, "expected") < 5 || num(t, d, "recall") < 0.9 || num(t, d, "precision") < 0.9 {
		t.Errorf("expected %v transients, recall %v, precision %v: want at least 5, both at least 0.9",
			d["expected"], d["recall"], d["precision"])
	}
	if p99 := num(t, d, "latency.e2e.p99_ms"); p99 <= 0 || p99 >= 1000 {
		t.Errorf("detection latency p99 %v ms, want within the 1 s deadline", p99)
	}
}
