package reports

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kbench/kbench/results"
)

// manyShardStats is n (at least 8) shards of 1,000 records each, but for
// shard 7 (9,000 records, 400 throttled), shard n/2 (5,000, 100
// throttled) and the last (3,000).
func manyShardStats(n int) []results.ShardStats {
	shards := make([]results.ShardStats, n)
	for i := range shards {
		shards[i] = results.ShardStats{ShardID: fmt.Sprintf("shardId-%012d", i), Records: 1000}
	}
	shards[7].Records, shards[7].Throttled, shards[7].ThrottleRatio = 9000, 400, 0.04
	shards[n/2].Records, shards[n/2].Throttled, shards[n/2].ThrottleRatio = 5000, 100, 0.02
	shards[n-1].Records = 3000
	return shards
}

// TestShardFigureMany checks that a stream of many shards is drawn as the
// spread of its load with the busiest and most throttled shards named, and
// a stream of a few as a bar a shard, as before.
func TestShardFigureMany(t *testing.T) {
	for _, tt := range []struct {
		n     int
		title string
	}{
		{8, "Per shard: records, bytes and throttles (whole run)"},
		{manyShards, "Per shard: records, bytes and throttles (whole run)"},
		{manyShards + 1, "Per shard: how the load spreads over 65 shards (whole run)"},
		{1000, "Per shard: how the load spreads over 1,000 shards (whole run)"},
	} {
		var fs figureSet
		shardFigure(&fs, &results.Summary{PerShard: manyShardStats(tt.n)})
		if len(fs.figs) != 1 || len(fs.problems) > 0 {
			t.Fatalf("%d shards: %d figures, problems %q", tt.n, len(fs.figs), fs.problems)
		}
		if f := fs.figs[0]; f.Title != tt.title || f.File != PNGShards || !strings.Contains(string(f.SVG), "<svg") {
			t.Errorf("%d shards: figure %q in %s, want %q in %s", tt.n, f.Title, f.File, tt.title, PNGShards)
		}
	}

	shards := manyShardStats(1000)
	ch, err := manyShardFigure(shards)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, p := range ch.panels {
		titles = append(titles, p.Title.Text)
	}
	want := []string{"Every shard's records, sorted", "Busiest 8: records (× mean)", "Most throttled 2: attempts (ratio)"}
	if !slices.Equal(titles, want) {
		t.Errorf("panels %q, want %q", titles, want)
	}
	byRecords := rankShards(shards, func(sh results.ShardStats) int64 { return sh.Records })
	busiest := topBars(shards, byRecords, hotShards(shards), func(sh results.ShardStats) (float64, string) { return float64(sh.Records), "" })
	if want := []string{"7", "500", "999", "0", "1", "2", "3", "4"}; !slices.Equal(busiest.labels, want) {
		t.Errorf("busiest shards %q, want %q", busiest.labels, want)
	}
	if want := []bool{true, true, true, false, false, false, false, false}; !slices.Equal(busiest.hot, want) {
		t.Errorf("hot %v, want %v", busiest.hot, want)
	}
	if got := shortRatio(9000/1008.0, "×") + " " + shortRatio(15.46, "×") + " " + shortRatio(4, "%"); got != "8.9× 15× 4.0%" {
		t.Errorf("bar texts %q", got)
	}

	// No shard throttled: the third panel says so instead of an empty
	// axis.
	for i := range shards {
		shards[i].Throttled = 0
	}
	if ch, err = manyShardFigure(shards); err != nil {
		t.Fatal(err)
	}
	if got := ch.panels[2].Title.Text; got != "Throttled attempts: none" {
		t.Errorf("third panel %q without throttles", got)
	}
	if _, err := pngOf(ch, panelSize); err != nil {
		t.Error(err)
	}
}

// TestRenderManyShards renders a run of 1,000 shards: the per-shard plot
// draws the spread, and the shards table starts folded; a run of two
// shards keeps the bars and the open table.
func TestRenderManyShards(t *testing.T) {
	for _, tt := range []struct {
		shards       int
		plot, folded string
	}{
		{2, "Per shard: records, bytes and throttles", ""},
		{1000, "Per shard: how the load spreads over 1,000 shards", "<details><summary>every shard's figures, 1000 rows"},
	} {
		dir := fixtureDir(t, "run-shards2", 2)
		if tt.shards != 2 {
			s, err := results.ReadSummary(dir)
			if err != nil {
				t.Fatal(err)
			}
			s.PerShard = manyShardStats(tt.shards)
			if err := results.WriteSummary(dir, s); err != nil {
				t.Fatal(err)
			}
		}
		if err := Render(dir); err != nil {
			t.Fatal(err)
		}
		page := string(must(os.ReadFile(filepath.Join(dir, HTMLFile))))
		if !strings.Contains(page, tt.plot) {
			t.Errorf("%d shards: report.html lacks %q", tt.shards, tt.plot)
		}
		if got := strings.Contains(page, "<details><summary>every shard's figures"); got != (tt.folded != "") || !strings.Contains(page, tt.folded) {
			t.Errorf("%d shards: shards table folded %v, want %q", tt.shards, got, tt.folded)
		}
		checkPNGs(t, dir, PNGShards)
	}
}
