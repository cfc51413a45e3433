package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kbench/kbench/reports"
	"github.com/kbench/kbench/results"
)

// planMatrixScenario is a scenario whose matrix varies the rate (the
// workload) and the shard count (the plan's own choice): two workloads,
// 800 and 3,000 records/s of about 1 KB under uniform keys. The matrix's
// first value is on line 12.
const planMatrixScenario = `name: mx
stream: {shards: 1}
duration: 5s
deadline: 1s
producers:
  - {name: p, generator: blob, options: {bytes: 960}, rate: {profile: constant, rps: 800}, partition_key: random}
consumers:
  - {name: reader, kind: polling}
thresholds: ["totals.lost == 0"]
matrix:
  stream.shards: [1, 2]
  producers[0].rate.rps: [800, 3000]
`

// TestPlanMatrix plans a scenario with a matrix through the CLI: one plan
// per workload cell, each in its own directory, and a summary across them
// naming the cell needing the most shards; an axis over the stream only
// is left out (its shard counts tried), and one over the target refused.
func TestPlanMatrix(t *testing.T) {
	file := writeScenario(t, planMatrixScenario)

	t.Run("per cell", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "plan")
		code, stdout, stderr := kbench(t, "plan", file, "--out", out, "--window", "3s", "--no-on-demand")
		if code != exitOK {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		var pm results.PlanMatrix
		if err := json.Unmarshal(must(os.ReadFile(filepath.Join(out, results.PlanFile))), &pm); err != nil {
			t.Fatal(err)
		}
		if len(pm.Cells) != 2 || !slices.Equal(pm.Axes, []string{"producers[0].rate.rps"}) {
			t.Fatalf("cells %d over axes %q; want 2 over the rate (the shard count is the plan's)", len(pm.Cells), pm.Axes)
		}
		wantShards := map[string]int{"800": 1, "3000": 4}
		for _, c := range pm.Cells {
			if len(c.Values) != 1 || c.Cell != "producers[0].rate.rps="+c.Values[0] {
				t.Fatalf("cell %q with values %q", c.Cell, c.Values)
			}
			// The cell's directory holds its own whole plan.
			cp, err := results.ReadPlan(filepath.Join(out, c.Dir, results.PlanFile))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"plan.md", "plan.html", "plan.png"} {
				if fi, err := os.Stat(filepath.Join(out, c.Dir, f)); err != nil || fi.Size() == 0 {
					t.Errorf("%s/%s: %v", c.Dir, f, err)
				}
			}
			if cp.Cell != c.Cell || cp.Workload.PeakRPS != c.Plan.Workload.PeakRPS || cp.Recommendation != c.Plan.Recommendation {
				t.Errorf("%s/plan.json is not the cell's plan: cell %q, %g records/s", c.Dir, cp.Cell, cp.Workload.PeakRPS)
			}
			if cp.Recommended < 0 {
				t.Fatalf("%s: no recommendation: %s", c.Cell, cp.Reason)
			}
			if got := cp.Layouts[cp.Recommended].Shards; got != wantShards[c.Values[0]] {
				t.Errorf("%s: recommended %d shards, want %d", c.Cell, got, wantShards[c.Values[0]])
			}
			// The matrix's shard counts are tried besides the plan's own.
			if !slices.ContainsFunc(cp.Layouts, func(l results.PlanLayout) bool { return l.Shards == 2 }) {
				t.Errorf("%s: the matrix's 2 shards were not tried", c.Cell)
			}
			if cp.Verify != "" {
				t.Errorf("%s: a verify command %q, but kbench run would run every cell", c.Cell, cp.Verify)
			}
			if !strings.Contains(string(must(os.ReadFile(filepath.Join(out, reports.PlanMarkdownFile)))), c.Dir+"/plan.html") {
				t.Errorf("plan.md does not link %s", c.Dir)
			}
		}
		if pm.MostShards != 1 || pm.Cheapest != 0 {
			t.Errorf("most shards: cell %d, cheapest: cell %d; want the 3,000 records/s cell and the 800 one", pm.MostShards, pm.Cheapest)
		}
		if !strings.Contains(pm.Recommendation, "the most shards: producers[0].rate.rps=3000 needs 4 shards") {
			t.Errorf("the summary does not name the cell needing the most shards: %s", pm.Recommendation)
		}
		if !strings.Contains(strings.Join(pm.Notes, " "), "stream.shards (line 11)") {
			t.Errorf("no note naming the stream.shards axis and its line: %q", pm.Notes)
		}
		html := string(must(os.ReadFile(filepath.Join(out, reports.PlanHTMLFile))))
		for _, want := range []string{"most shards", "cheapest", "3000", "800"} {
			if !strings.Contains(html, want) {
				t.Errorf("plan.html lacks %q", want)
			}
		}
		if !strings.Contains(stdout, pm.Recommendation) || !strings.Contains(stdout, "4 shards, polling") {
			t.Errorf("stdout does not print the summary and the cells:\n%s", stdout)
		}
	})

	t.Run("stream axis only", func(t *testing.T) {
		// Without the rate axis every cell is one workload: a plain plan.
		one := writeScenario(t, strings.Replace(planMatrixScenario, "  producers[0].rate.rps: [800, 3000]\n", "", 1))
		p, _, _ := planDir(t, one, "--window", "3s")
		if p.Cell != "" || !slices.ContainsFunc(p.Layouts, func(l results.PlanLayout) bool { return l.Shards == 2 }) {
			t.Errorf("cell %q; layouts %d; want a plain plan trying the matrix's 2 shards", p.Cell, len(p.Layouts))
		}
		if !strings.Contains(strings.Join(p.Notes, " "), "stream.shards (line 11)") {
			t.Errorf("no note naming the stream.shards axis: %q", p.Notes)
		}
	})

	for _, tt := range []struct {
		name, body, want string
	}{
		{"target axis", strings.Replace(planMatrixScenario, "  stream.shards: [1, 2]\n", "  target.sim.latency: [none, aws]\n", 1),
			"scenario.yaml:11:24: target.sim.latency: kbench plan cannot plan a matrix over the target"},
		{"cell refused by the model", planMatrixScenario + "  producers[0].ordering: [none, per_key]\n",
			"scenario.yaml:13:33: producers[0].ordering: the model target does not represent ordering per_key"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := writeScenario(t, tt.body)
			out := filepath.Join(t.TempDir(), "plan")
			code, stdout, stderr := kbench(t, "plan", file, "--out", out, "--window", "3s")
			if code != exitUsage || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d (want %d), stderr without %q:\n%s\n%s", code, exitUsage, tt.want, stdout, stderr)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s written on bad input", out)
			}
			if strings.Contains(stderr, "plan: cell") {
				t.Errorf("cells were planned before the refusal:\n%s", stderr)
			}
		})
	}
}
