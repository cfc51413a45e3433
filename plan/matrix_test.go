package plan

import (
	"strings"
	"testing"

	"github.com/kbench/kbench/internal/textfmt"
	"github.com/kbench/kbench/results"
)

// TestAxisRole checks which matrix axes make workloads of their own, which
// the plan chooses itself and which it refuses, in either index syntax.
func TestAxisRole(t *testing.T) {
	for path, want := range map[string]axisRole{
		"producers[0].rate.rps": roleWorkload,
		"producers.0.rate.rps":  roleWorkload,
		"deadline":              roleWorkload,
		"consumers[1].count":    roleWorkload,
		"consumers[1].kind":     roleLayout,
		"consumers.1.kind":      roleLayout,
		"stream.shards":         roleLayout,
		"stream.mode":           roleLayout,
		"target.sim.latency":    roleTarget,
		"target.sim.put_delay":  roleTarget,
	} {
		if got := roleOf(canonicalPath(path)); got != want {
			t.Errorf("%s: role %d, want %d", path, got, want)
		}
	}
}

// TestSummarize checks the summary across a matrix's cells: the cell whose
// recommended layout has the most shards (the costlier on a tie), the
// cheapest, and the cells no layout meets.
func TestSummarize(t *testing.T) {
	cell := func(value string, shards int, usd float64) results.PlanCell {
		p := &results.Plan{Recommended: -1, Recommendation: "no layout tried meets the workload's needs"}
		if shards >= 0 {
			name := textfmt.Plural(shards, "shard") + ", polling"
			if shards == 0 {
				name = "on-demand, polling"
			}
			p.Layouts = []results.PlanLayout{{Name: name, Shards: shards, USDPerHour: usd, USDPerMonth: usd * results.HoursPerMonth}}
			p.Recommended, p.Recommendation = 0, name
		}
		return results.PlanCell{Cell: "producers[0].rate.rps=" + value, Values: []string{value}, Plan: p}
	}
	for _, tt := range []struct {
		name            string
		cells           []results.PlanCell
		most, cheapest  int
		want, wantLater string
	}{
		{"most and cheapest", []results.PlanCell{cell("800", 1, 0.05), cell("3000", 4, 0.21), cell("2000", 4, 0.20)}, 1, 0,
			"3 cells planned; the most shards: producers[0].rate.rps=3000 needs 4 shards, polling ($0.21/h, $153/month); the cheapest: producers[0].rate.rps=800 on 1 shard, polling ($0.05/h, $36.50/month)",
			"Per cell: producers[0].rate.rps=800: 1 shard, polling;"},
		{"on-demand and unmet", []results.PlanCell{cell("9", -1, 0), cell("800", 0, 0.9), cell("3000", 2, 0.3)}, 2, 2,
			"3 cells planned; the most shards: producers[0].rate.rps=3000 needs 2 shards, polling ($0.30/h, $219/month); 1 cell of 3 met by no layout tried",
			"producers[0].rate.rps=9: no layout tried meets"},
		{"none met", []results.PlanCell{cell("9", -1, 0)}, -1, -1, "1 cell planned; 1 cell of 1 met by no layout tried", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pm := &results.PlanMatrix{Axes: []string{"producers[0].rate.rps"}, Cells: tt.cells}
			summarize(pm)
			if pm.MostShards != tt.most || pm.Cheapest != tt.cheapest {
				t.Errorf("most shards %d, cheapest %d; want %d, %d", pm.MostShards, pm.Cheapest, tt.most, tt.cheapest)
			}
			if !strings.HasPrefix(pm.Recommendation, tt.want) {
				t.Errorf("recommendation %q\nwant it to start %q", pm.Recommendation, tt.want)
			}
			if !strings.Contains(pm.Reason, tt.wantLater) {
				t.Errorf("reason %q lacks %q", pm.Reason, tt.wantLater)
			}
		})
	}
}
