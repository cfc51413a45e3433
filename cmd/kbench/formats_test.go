package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/kbench/kbench/results"
)

// TestFormatsOnSim runs one producer per record format on the simulator,
// and two more whose records are aggregated (and compressed): the
// collectors find every record's envelope, so nothing is lost or counted
// as foreign, and every producer's record sizes are reported.
func TestFormatsOnSim(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scenario := filepath.Join(dir, "formats.yaml")
	src := `name: formats
stream: {shards: 2}
duration: 3s
drain: 10s
producers:
  - {generator: payments, options: {format: json}, rate: {profile: constant, rps: 150}}
  - {generator: iot, options: {format: avro}, rate: {profile: constant, rps: 150}}
  - {generator: payments, options: {format: protobuf}, rate: {profile: constant, rps: 150}}
  - {generator: iot, options: {format: csv}, rate: {profile: constant, rps: 150}}
  - {generator: payments, rate: {profile: constant, rps: 150}}
  - {generator: iot, options: {format: avro}, rate: {profile: constant, rps: 150}, aggregation: {max_records: 50, linger: 50ms}, compression: {codec: zstd}}
  - {generator: payments, options: {format: json}, rate: {profile: constant, rps: 150}, aggregation: {max_records: 50, linger: 50ms}}
`
	if err := os.WriteFile(scenario, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	code, stdout, stderr := kbench(t, "run", scenario, "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	s := checkAccounting(t, out)
	if f := num(t, s, "totals.foreign"); f != 0 {
		t.Errorf("totals.foreign = %v; want 0: the collectors found every format's envelope", f)
	}
	checkRecordBytes(t, out, s, []string{"json", "avro", "protobuf", "csv", "prefixed", "avro", "json"})
	if text := readFile(t, filepath.Join(out, "report.md")); !strings.Contains(text, "### Producers") {
		t.Error("report.md has no Producers table")
	}
}

// checkRecordBytes checks producers[].record_bytes against the histograms
// of record-bytes.hlog, which must hold one per producer, tagged with its
// name: the summary's figures come from them.
func checkRecordBytes(t *testing.T, dir string, s map[string]any, formats []string) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "record-bytes.hlog"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	byTag := map[string]*hdrhistogram.Histogram{}
	lr := hdrhistogram.NewHistogramLogReader(f)
	for {
		h, err := lr.NextIntervalHistogram()
		if err != nil {
			t.Fatal(err)
		}
		if h == nil {
			break
		}
		byTag[h.Tag()] = h
	}
	prods, _ := s["producers"].([]any)
	if len(prods) != len(formats) || len(byTag) != len(formats) {
		t.Fatalf("%d producers in summary.json, %d histograms in record-bytes.hlog; want %d", len(prods), len(byTag), len(formats))
	}
	for i, p := range prods {
		pm := p.(map[string]any)
		name := pm["name"].(string)
		h := byTag[name]
		if h == nil {
			t.Fatalf("record-bytes.hlog has no histogram tagged %s", name)
		}
		if format, _ := pm["format"].(string); format != formats[i] {
			t.Errorf("producers[%d].format = %q; want %q", i, format, formats[i])
		}
		rb := pm["record_bytes"].(map[string]any)
		for key, want := range map[string]int64{"count": h.TotalCount(), "min": h.Min(), "p50": h.ValueAtQuantile(50),
			"p99": h.ValueAtQuantile(99), "max": h.Max()} {
			if got := int64(rb[key].(float64)); got != want {
				t.Errorf("producers[%d].record_bytes.%s = %d; the histogram says %d", i, key, got, want)
			}
		}
		if rb["min"].(float64) < 100 || rb["max"].(float64) > 1000 {
			t.Errorf("producers[%d].record_bytes = %v; want payments and IoT records of 100 to 1,000 bytes", i, rb)
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReplayOnSim replays the example's exported transactions: looping at
// the scenario's rate, and once through, where the producer stops at the
// file's end with every line sent.
func TestReplayOnSim(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := kbench(t, "run", "../../scenarios/replay.yaml", "--out", dir,
		"--set", "duration=3s", "--set", "warmup=0s", "--set", "thresholds=[]")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	s := checkAccounting(t, dir)
	if p := num(t, s, "totals.produced"); p < 1100 {
		t.Errorf("looping replay produced %v records in 3 s at 400/s; want more than the file's 1,000", p)
	}

	once := filepath.Join(dir, "once")
	code, stdout, stderr = kbench(t, "run", "../../scenarios/replay.yaml", "--out", once,
		"--set", "duration=5s", "--set", "warmup=0s", "--set", "thresholds=[]",
		"--set", "producers[0].options.loop=false", "--set", "producers[0].rate.rps=1000")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	s = checkAccounting(t, once)
	if p := num(t, s, "totals.produced"); p != 1000 {
		t.Errorf("replay once produced %v records; want the file's 1,000", p)
	}
}

// TestReplayRecordedOnSim replays the example transactions at their own
// times, a hundred times as fast (203.6 recorded seconds in about 2 s):
// every line is sent once, and nothing else; a time field that holds no
// times is refused before the run with the data file's line (exit 2).
func TestReplayRecordedOnSim(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, stdout, stderr := kbench(t, "run", "../../scenarios/replay-recorded.yaml", "--out", dir,
		"--set", "duration=3s", "--set", "producers[0].options.speed=100")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	s := checkAccounting(t, dir)
	for _, key := range []string{"totals.produced", "totals.acked", "totals.consumed"} {
		if n := num(t, s, key); n != 1000 {
			t.Errorf("%s = %v; want the file's 1,000 records", key, n)
		}
	}
	if rows := readRows(t, dir); len(rows) == 0 || rows[0].TargetRPS <= 0 {
		t.Errorf("timeseries %+v: want the file's schedule as the target rate", rows)
	}

	// At the example's speed 7, each second of the run carries the records
	// of 7 recorded seconds: the target line is that schedule, exactly.
	paced := filepath.Join(dir, "paced")
	code, stdout, stderr = kbench(t, "run", "../../scenarios/replay-recorded.yaml", "--out", paced, "--set", "duration=4s")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	s = checkAccounting(t, paced)
	want := []float64{32, 38, 34, 32} // the file's records per 7 s from its first
	var got []float64
	for _, r := range readRows(t, paced) {
		if r.Phase == results.PhaseMeasure {
			got = append(got, r.TargetRPS)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("target_rps per second %v, want the file's %v", got, want)
	}
	if n := num(t, s, "totals.scheduled"); n != 136 {
		t.Errorf("totals.scheduled = %v, want the 136 records recorded in the first 28 s", n)
	}

	code, _, stderr = kbench(t, "run", "../../scenarios/replay-recorded.yaml", "--out", filepath.Join(dir, "bad"),
		"--set", "producers[0].options.time_field=$.pan_token")
	bad := `card-transactions.jsonl:1: time_field $.pan_token: "\"pt_a4a92ad64ce9\"" is not a time`
	if code != exitUsage || !strings.Contains(stderr, bad) || !strings.Contains(stderr, "producers[0].options.file") {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 2 naming %s", code, stderr, bad)
	}
}
