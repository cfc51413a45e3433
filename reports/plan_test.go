package reports

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbench/kbench/results"
)

// planFixture is a plan of three provisioned layouts, two consumer variants
// and on-demand, with the middle one recommended.
func planFixture() *results.Plan {
	p := &results.Plan{
		SchemaVersion: results.PlanSchemaVersion, Scenario: "fixture", Source: "flags", Headroom: 0.1,
		Workload: results.PlanWorkload{PeakRPS: 3000, MeanRecordBytes: 1016, PeakBytesPerS: 3048000, Keys: "zipf(1.1) over 1,000 keys",
			MinShards: 3, MinShardsRecords: 3, MinShardsBytes: 3, HotMinShards: 6, RoomMinShards: 8, HotUseAtMin: 1.12, DeadlineMS: 500,
			Producers: []string{"producer: 1 instance(s) × 8 calls in flight, batches of up to 500 records"},
			Consumers: []results.PlanConsumer{{Name: "app", Kind: "polling", Count: 2}}},
		Window:         results.PlanWindow{WarmupS: 2, DurationS: 12, DrainS: 5},
		Thresholds:     []string{"latency.e2e.p99_ms < 500"},
		Recommended:    4,
		Recommendation: "8 shards, polling: $0.27/h ($198/month)",
		Reason:         "3 shards would do on average, but the hottest shard of zipf(1.1) keys would run at 112% of its quota there.",
		PlanAbout:      results.PlanAbout{Notes: []string{"A note."}, Model: "MODEL: predicted, not measured"},
	}
	for i, n := range []int{3, 6, 8} {
		for k, v := range []string{"polling", "fan-out"} {
			p.Layouts = append(p.Layouts, results.PlanLayout{
				Name: fmt.Sprintf("%d shards, %s", n, v), Mode: "provisioned", Shards: n, Consumers: v,
				HotUse: 3.4 / float64(n), TargetRPS: 3000, AckedRPS: 3000 - float64(200*(2-i)), ThrottleRatio: 0.02 * float64(2-i),
				E2EP50MS: 100 - 40*float64(k), E2EP99MS: 400 - 20*float64(i) - 200*float64(k), Measured: true, OnTimeRatio: 0.99,
				USDPerHour: 0.2 + 0.015*float64(n) + 0.2*float64(k), Meets: i == 2, Miss: map[bool]string{true: "", false: "throttled"}[i == 2],
				Cost: []results.PlanCostItem{{What: "shard-hours", Quantity: float64(n), PriceUSD: 0.015, USD: 0.015 * float64(n)}},
			})
		}
	}
	p.Layouts = append(p.Layouts, results.PlanLayout{Name: "on-demand, polling", Mode: "on-demand", Consumers: "polling", USDPerHour: 1.3, Miss: "throttled"})
	for i := range p.Layouts {
		p.Layouts[i].USDPerMonth = p.Layouts[i].USDPerHour * results.HoursPerMonth
	}
	return p
}

func TestRenderPlan(t *testing.T) {
	dir := t.TempDir()
	p := planFixture()
	if err := RenderPlan(p, dir); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, PlanMarkdownFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{p.Recommendation, p.Reason, "| * | 8 shards, polling |", "![cost and e2e p99", "A note."} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("plan.md lacks %q:\n%s", want, md)
		}
	}
	html, err := os.ReadFile(filepath.Join(dir, PlanHTMLFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<svg", "recommended", "on-demand cost", "deadline 500 ms", "MODEL: predicted"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("plan.html lacks %q", want)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, PlanPNGFile)); err != nil || fi.Size() < 5000 {
		t.Errorf("plan.png: %v", err)
	}
	var text bytes.Buffer
	WritePlanText(&text, p)
	if !strings.Contains(text.String(), "*  8 shards, polling") && !strings.Contains(text.String(), "*   8 shards, polling") {
		t.Errorf("the text table does not mark the recommended layout:\n%s", text.String())
	}
}

func TestPlanPageInChromium(t *testing.T) {
	bin := chromiumBinary()
	if bin == "" {
		t.Skip("no chromium, chromium-browser or google-chrome on PATH: the headless screenshot test is skipped")
	}
	dir := t.TempDir()
	if err := RenderPlan(planFixture(), dir); err != nil {
		t.Fatal(err)
	}
	img := screenshot(t, bin, filepath.Join(dir, PlanHTMLFile), "plan.png")
	content, ink, colours := pageStats(img)
	t.Logf("plan.html: %.1f%% of pixels not background, %.1f%% dark, %d colours", 100*content, 100*ink, colours)
	if content < 0.05 || ink < 0.005 {
		t.Errorf("the page looks blank: %.1f%% of pixels not background, %.1f%% dark", 100*content, 100*ink)
	}
	if colours < 40 {
		t.Errorf("the page has only %d colours: the plot or styles are missing", colours)
	}
}

// planMatrixFixture is a matrix plan of two cells: planFixture's plan, and
// the same with no layout meeting the needs.
func planMatrixFixture() *results.PlanMatrix {
	met, unmet := planFixture(), planFixture()
	met.Cell, unmet.Cell = "producers[0].rate.rps=3000", "producers[0].rate.rps=9000"
	unmet.Recommended, unmet.Recommendation = -1, "no layout tried meets the workload's needs"
	return &results.PlanMatrix{
		SchemaVersion: results.PlanSchemaVersion, Scenario: "fixture", Source: "fixture.yaml", Axes: []string{"producers[0].rate.rps"},
		Cells: []results.PlanCell{
			{Cell: met.Cell, Values: []string{"3000"}, Dir: "producers[0]_rate_rps-3000", Plan: met},
			{Cell: unmet.Cell, Values: []string{"9000"}, Dir: "producers[0]_rate_rps-9000", Plan: unmet},
		},
		MostShards: 0, Cheapest: 0,
		Recommendation: "2 cells planned; the most shards: producers[0].rate.rps=3000 needs 8 shards, polling; 1 cell of 2 met by no layout tried",
		Reason:         "Per cell: …",
		PlanAbout:      results.PlanAbout{Notes: []string{"A matrix note."}, Model: "MODEL: predicted, not measured"},
	}
}

func TestRenderPlanMatrix(t *testing.T) {
	dir := t.TempDir()
	pm := planMatrixFixture()
	if err := RenderPlanMatrix(pm, dir); err != nil {
		t.Fatal(err)
	}
	md := string(must(os.ReadFile(filepath.Join(dir, PlanMarkdownFile))))
	for _, want := range []string{pm.Recommendation, "| ▲$ | [3000](producers[0]_rate_rps-3000/plan.html) | 3,000 | 3 | 8 shards, polling |",
		"| ✘ | [9000](producers[0]_rate_rps-9000/plan.html) |", "none meets", "A matrix note.", "- **9000**: 3 shards would do"} {
		if !strings.Contains(md, want) {
			t.Errorf("plan.md lacks %q:\n%s", want, md)
		}
	}
	html := string(must(os.ReadFile(filepath.Join(dir, PlanHTMLFile))))
	for _, want := range []string{`href="producers[0]_rate_rps-3000/plan.html"`, "most shards", "cheapest", "✘ none meets", "MODEL: predicted"} {
		if !strings.Contains(html, want) {
			t.Errorf("plan.html lacks %q", want)
		}
	}
	var text bytes.Buffer
	WritePlanMatrixText(&text, pm)
	if !strings.Contains(text.String(), "cells by producers[0].rate.rps") || !strings.Contains(text.String(), "▲$  3000") {
		t.Errorf("the text table does not list and mark the cells:\n%s", text.String())
	}
	if bin := chromiumBinary(); bin != "" {
		content, ink, _ := pageStats(screenshot(t, bin, filepath.Join(dir, PlanHTMLFile), "plan-matrix.png"))
		if content < 0.05 || ink < 0.005 {
			t.Errorf("the matrix page looks blank: %.1f%% of pixels not background, %.1f%% dark", 100*content, 100*ink)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
