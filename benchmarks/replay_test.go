package benchmarks

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// The replay memory workload: a file of replayBytesDefault bytes of JSON
// lines (about 1 KB each), replayed once through at replayRate records/s by
// `kbench run` on its in-process simulator, whose retained records are
// capped well below the file (replayShardBytes per shard).
const (
	replayBytesDefault = 1 << 30
	replayLine         = 1000
	replayRate         = 25000
	replayShards       = 4
	replayShardBytes   = 4 << 20
	replaySample       = 250 * time.Millisecond
	envReplayBytes     = "KBENCH_REPLAY_BYTES" // replay a file of this many bytes instead of 1 GiB
)

// BenchmarkReplayMemory replays a 1 GiB JSON-lines file (KBENCH_REPLAY_BYTES
// to change it) through `kbench run` on the simulator and samples the
// process's resident size (VmRSS) every 250 ms: the replay generator streams
// the file through a bounded queue, so memory stays flat however large the
// file. It reports the largest VmRSS, its growth from the run's first
// quarter to its end, and the rate reached, and fails if the run did not
// send every line or memory grew with the file. It runs once per process.
func BenchmarkReplayMemory(b *testing.B) {
	if _, done := memRan.LoadOrStore(b.Name(), true); done {
		b.Skip("measured once already in this process")
	}
	size := int64(replayBytesDefault)
	if s := os.Getenv(envReplayBytes); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < replayLine {
			b.Fatalf("%s=%q: want a number of bytes", envReplayBytes, s)
		}
		size = n
	}
	bin := kbenchBinary(b)
	dir := b.TempDir()
	lines := writeReplayFile(b, filepath.Join(dir, "records.jsonl"), size)
	scenario := filepath.Join(dir, "replay.yaml")
	src := fmt.Sprintf(`name: replay-memory
target: {kind: sim, sim: {quotas: off, shard_max_bytes: %d}}
stream: {shards: %d}
duration: %ds
drain: 10s
producers:
  - generator: replay
    options: {file: records.jsonl, key_field: $.card.token, fields: {card: $.card.token, amount: $.amt, ts: $.ts, note: $.note}}
    rate: {profile: constant, rps: %d}
    in_flight: 16
`, replayShardBytes, replayShards, 3*lines/replayRate+30, replayRate)
	if err := os.WriteFile(scenario, []byte(src), 0o600); err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	cmd := exec.Command(bin, "run", scenario, "--quiet", "--out", out)
	logf, err := os.Create(filepath.Join(dir, "run.log"))
	if err != nil {
		b.Fatal(err)
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	b.ResetTimer()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	var samples []float64
	tick := time.NewTicker(replaySample)
	defer tick.Stop()
	var runErr error
loop:
	for {
		select {
		case <-tick.C:
			if rss, err := procStatusMiB(cmd.Process.Pid, "VmRSS"); err == nil {
				samples = append(samples, rss)
			}
		case runErr = <-waited:
			break loop
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if runErr != nil {
		log, _ := os.ReadFile(logf.Name())
		b.Fatalf("kbench run: %v\n%s", runErr, log)
	}
	var sum struct {
		Totals struct {
			Produced, Lost int64
		} `json:"totals"`
	}
	data, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err == nil {
		err = json.Unmarshal(data, &sum)
	}
	if err != nil {
		b.Fatal(err)
	}
	if sum.Totals.Produced != lines || sum.Totals.Lost != 0 {
		b.Errorf("produced %d records, lost %d; want every one of the file's %d lines, none lost", sum.Totals.Produced, sum.Totals.Lost, lines)
	}
	if len(samples) < 8 {
		b.Fatalf("only %d VmRSS samples", len(samples))
	}
	early, late := 0.0, 0.0
	for i, s := range samples {
		if i < len(samples)/4 {
			early = max(early, s)
		} else {
			late = max(late, s)
		}
	}
	fileMiB := float64(size) / (1 << 20)
	b.ReportMetric(max(early, late), "max-RSS-MiB")
	b.ReportMetric(late-early, "RSS-growth-MiB")
	b.ReportMetric(fileMiB, "file-MiB")
	b.ReportMetric(float64(lines)/elapsed.Seconds(), "records/s")
	b.Logf("%d lines (%.0f MiB) replayed in %v; VmRSS every %v (MiB): %s", lines, fileMiB, elapsed.Round(time.Second), replaySample, fmtSamples(samples))
	// Flat: what the last three quarters add to the first quarter's peak is
	// small next to the file, which streams through.
	if late-early > 64 || max(early, late) > fileMiB/2 && fileMiB >= 512 {
		b.Errorf("VmRSS grew from %.0f to %.0f MiB replaying a %.0f MiB file: memory is not flat", early, late, fileMiB)
	}
}

// writeReplayFile writes JSON lines of about replayLine bytes until the
// file holds size bytes, and returns how many lines it wrote.
func writeReplayFile(b *testing.B, path string, size int64) int64 {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	pad := make([]byte, replayLine)
	for i := range pad {
		pad[i] = 'a' + byte(i%26)
	}
	var written, lines int64
	for written < size {
		n, err := fmt.Fprintf(w, `{"id":%d,"ts":"2026-11-27T10:%02d:%02d.000Z","card":{"token":"tok_%06d"},"amt":%d.%02d,"note":"%s"}`+"\n",
			lines, lines/60%60, lines%60, lines%100000, lines%977, lines%100, pad[:replayLine-120])
		if err != nil {
			b.Fatal(err)
		}
		written += int64(n)
		lines++
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return lines
}
