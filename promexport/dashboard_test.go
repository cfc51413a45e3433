package promexport

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/runner"
	"github.com/kbench/kbench/sim"
)

// exported returns every metric name kbench's collectors export, with the
// _bucket, _sum and _count series of histograms, from a run with one of
// everything and a simulator with a stream.
func exported(t *testing.T) map[string]dto.MetricType {
	t.Helper()
	m := metrics.NewRun(1)
	m.Shard("shardId-000000000000").Records.Add(1)
	m.AddUnsent(metrics.UnsentOverrun, 1)
	live := &runner.Live{RunID: "r", Scenario: "s", Metrics: m, Producers: []string{"p"}, Apps: []*metrics.App{metrics.NewApp("c")}}
	run := NewRun(prometheus.Labels{"worker": "0"})
	run.Observe(live)
	stats := func() sim.Stats {
		return sim.Stats{Streams: []sim.StreamStats{{StreamName: "s", Shards: []sim.ShardStats{{ShardID: "shardId-000000000000"}}}}}
	}
	reg, err := NewRegistry(run, NewSim(stats, nil))
	if err != nil {
		t.Fatal(err)
	}
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]dto.MetricType{}
	for _, mf := range fams {
		names[mf.GetName()] = mf.GetType()
		if mf.GetType() == dto.MetricType_HISTOGRAM {
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				names[mf.GetName()+suffix] = dto.MetricType_UNTYPED
			}
		}
	}
	return names
}

var (
	promString   = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	promMatchers = regexp.MustCompile(`\{[^}]*\}|\[[^\]]*\]`)
	promNumber   = regexp.MustCompile(`\b[0-9][0-9.]*(?:e[+-]?[0-9]+|ms|[smhdwy])*\b`)
	promGrouping = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	promIdent    = regexp.MustCompile(`\$?[a-zA-Z_:][a-zA-Z0-9_:]*\s*\(?`)
	labelValues  = regexp.MustCompile(`^label_values\((.*),\s*\w+\)$`)
	promKeywords = []string{"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset"}
)

// metricNames parses the metric names out of a PromQL expression (or a
// Grafana label_values query): identifiers outside strings, label matchers,
// ranges, grouping clauses and numbers (durations included) that are neither
// functions, keywords nor Grafana variables.
func metricNames(expr string) []string {
	if m := labelValues.FindStringSubmatch(expr); m != nil {
		expr = m[1]
	}
	s := promString.ReplaceAllString(expr, `""`)
	s = promMatchers.ReplaceAllString(s, " ")
	s = promGrouping.ReplaceAllString(s, " ")
	s = promNumber.ReplaceAllString(s, " ")
	var names []string
	for _, id := range promIdent.FindAllString(s, -1) {
		if strings.HasSuffix(id, "(") || strings.HasPrefix(id, "$") || slices.Contains(promKeywords, strings.TrimSpace(id)) {
			continue
		}
		names = append(names, strings.TrimSpace(id))
	}
	return names
}

func TestMetricNames(t *testing.T) {
	for expr, want := range map[string][]string{
		`sum by (shard) (rate(kbench_x_total{run_id=~"$run_id", a="b{c}"}[$__rate_interval]))`: {"kbench_x_total"},
		`histogram_quantile(0.99, sum by (le) (rate(kbench_y_bucket[5m])))`:                    {"kbench_y_bucket"},
		`scalar(sum(a)) - sum by (consumer) (b) / on() group_left c`:                           {"a", "b", "c"},
		`label_values(kbench_run_ended{x="y"}, run_id)`:                                        {"kbench_run_ended"},
		`max(up offset 5m) > bool 0`:                                                           {"up"},
	} {
		if got := metricNames(expr); !slices.Equal(got, want) {
			t.Errorf("metricNames(%s) = %v, want %v", expr, got, want)
		}
	}
}

// dashboard is the part of a Grafana dashboard's JSON the test reads.
type dashboard struct {
	Title  string `json:"title"`
	UID    string `json:"uid"`
	Panels []struct {
		ID      int    `json:"id"`
		Type    string `json:"type"`
		Title   string `json:"title"`
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
	Templating struct {
		List []struct {
			Name  string          `json:"name"`
			Query json.RawMessage `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

// TestDashboard decodes the Grafana dashboard and checks that every PromQL
// expression in it names only metrics kbench exports, and that it has the
// panels a distributed run needs.
func TestDashboard(t *testing.T) {
	data, err := os.ReadFile("../deploy/grafana/kbench-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("kbench-dashboard.json: %v", err)
	}
	names := exported(t)
	var exprs []string
	for _, v := range d.Templating.List {
		var q struct {
			Query string `json:"query"`
		}
		if json.Unmarshal(v.Query, &q) == nil && q.Query != "" {
			exprs = append(exprs, q.Query)
		}
	}
	heatmaps := 0
	ids := map[int]bool{}
	if d.UID == "" || d.Title == "" {
		t.Errorf("dashboard uid %q title %q: want both", d.UID, d.Title)
	}
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel %q: id %d used twice", p.Title, p.ID)
		}
		ids[p.ID] = true
		if p.Type == "heatmap" {
			heatmaps++
		}
		if p.Type != "row" && len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	used := map[string]bool{}
	for _, e := range exprs {
		found := metricNames(e)
		if len(found) == 0 {
			t.Errorf("%s: names no metric", e)
		}
		for _, n := range found {
			if _, ok := names[n]; !ok {
				t.Errorf("%s: kbench exports no metric %s", e, n)
			}
			used[n] = true
		}
	}
	for _, want := range []string{"kbench_records_sent_total", "kbench_records_throttled_total", "kbench_e2e_latency_seconds",
		"kbench_consumer_behind_latest_seconds", "kbench_shard_records_acked_total", "kbench_sim_records_accepted_total"} {
		if !used[want] {
			t.Errorf("the dashboard does not show %s", want)
		}
	}
	if heatmaps == 0 {
		t.Error("no per-shard heatmap")
	}
}

// TestMetricsDocumented: docs/metrics.md names every metric kbench exports
// and no other kbench_ metric.
func TestMetricsDocumented(t *testing.T) {
	data, err := os.ReadFile("../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	names := exported(t)
	for n, typ := range names {
		if strings.HasPrefix(n, "kbench_") && typ != dto.MetricType_UNTYPED && !strings.Contains(string(data), "`"+n+"`") {
			t.Errorf("docs/metrics.md does not document %s", n)
		}
	}
	for _, n := range regexp.MustCompile("`(kbench_[a-z0-9_]+)").FindAllStringSubmatch(string(data), -1) {
		if _, ok := names[n[1]]; !ok {
			t.Errorf("docs/metrics.md names %s, which kbench does not export", n[1])
		}
	}
}
