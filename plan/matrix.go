package plan

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kbench/kbench/internal/textfmt"
	"github.com/kbench/kbench/model"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/scenarios"
)

// Matrix is a scenario's matrix as a plan sees it: the distinct workloads
// its cells describe. Axes over what the plan chooses itself (the stream,
// the consumers' kinds) do not make workloads of their own.
type Matrix struct {
	// Cells are the workloads in the matrix's order: one without a matrix,
	// or when the matrix varies only what the plan chooses.
	Cells []Cell
	// Axes are the matrix paths that vary the workload.
	Axes []string
	// Shards are the values of a stream.shards axis: shard counts a plan
	// tries besides its own candidates (Options.Also).
	Shards []int
	// Notes say which axes the plan left out, and why.
	Notes []string
}

// Cell is one workload of a matrix.
type Cell struct {
	// Label names the workload by its axes' values, as in
	// "producers[0].rate.rps=800" ("" for the only workload), and Values
	// are those values alone, in the order of Matrix.Axes.
	Label  string
	Values []string
	// Scenario is the first matrix cell with those values.
	Scenario *scenarios.Scenario
}

// axisRole is what a matrix axis is to a plan.
type axisRole int

const (
	roleWorkload axisRole = iota // the workload: a plan per value
	roleLayout                   // the plan's own choice: left out
	roleTarget                   // the endpoint: refused
)

var consumerKind = regexp.MustCompile(`^consumers\[\d+\]\.kind$`)

// canonicalPath writes a --set path's indexes in brackets, as
// "consumers[0].kind" for "consumers.0.kind".
func canonicalPath(p string) string {
	parts := strings.Split(p, ".")
	var b strings.Builder
	for i, part := range parts {
		if _, err := strconv.Atoi(part); err == nil && i > 0 {
			b.WriteString("[" + part + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(part)
	}
	return b.String()
}

// roleOf is what the matrix axis path (canonical) is to a plan.
func roleOf(path string) axisRole {
	switch {
	case path == "target" || strings.HasPrefix(path, "target."):
		return roleTarget
	case path == "stream" || strings.HasPrefix(path, "stream.") || consumerKind.MatchString(path):
		return roleLayout
	}
	return roleWorkload
}

// SplitMatrix sorts cells, a scenario's matrix cells as
// scenarios.Scenario.Cells returns them, into the workloads a plan plans.
// An axis over the stream (stream.shards, stream.mode, …) or a consumer's
// kind is the plan's own choice: it is left out with a note, and a
// stream.shards axis's counts go into Shards, unless shardsGiven (the
// user named the counts to try). An axis over the target varies the
// endpoint, not the workload, and a plan predicts Kinesis on the model
// with one latency profile for every layout: it is refused with a
// scenarios.Problems naming the axis's line.
func SplitMatrix(cells []*scenarios.Scenario, shardsGiven bool) (*Matrix, error) {
	m := &Matrix{}
	first := cells[0]
	if len(first.Matrix) == 0 || len(cells) == 1 {
		m.Cells = []Cell{{Scenario: first}}
		return m, nil
	}
	var refused scenarios.Problems
	roles := make([]axisRole, len(first.Matrix))
	for i, a := range first.Matrix {
		path := canonicalPath(a.Path)
		roles[i] = roleOf(path)
		switch roles[i] {
		case roleTarget:
			refused = append(refused, first.ProblemAt(path, "kbench plan cannot plan a matrix over the target: a plan predicts Kinesis itself on the model, "+
				"with one latency profile for every layout; plan each value on its own (--set "+a.Path+"=VALUE, or --latency-profile)"))
		case roleLayout:
			m.Notes = append(m.Notes, layoutNote(path, first.ProblemAt(path, "").Line, a.Values, shardsGiven))
			if path == "stream.shards" && !shardsGiven {
				for _, v := range a.Values {
					if n, err := strconv.Atoi(v); err == nil && n > 0 {
						m.Shards = append(m.Shards, n)
					}
				}
			}
		default:
			m.Axes = append(m.Axes, a.Path)
		}
	}
	if len(refused) > 0 {
		return nil, refused
	}
	seen := map[string]bool{}
	for k, c := range cells {
		var label, values []string
		for j, i := range scenarios.CellIndexes(first.Matrix, k) {
			if roles[j] == roleWorkload {
				a := first.Matrix[j]
				label = append(label, a.Path+"="+a.Values[i])
				values = append(values, a.Values[i])
			}
		}
		l := strings.Join(label, ",")
		if !seen[l] {
			seen[l] = true
			m.Cells = append(m.Cells, Cell{Label: l, Values: values, Scenario: c})
		}
	}
	return m, nil
}

// layoutNote says why the plan leaves out the layout axis path (on line
// line of the scenario) with its values.
func layoutNote(path string, line int, values []string, shardsGiven bool) string {
	at := "The matrix axis " + path
	if line > 0 {
		at += fmt.Sprintf(" (line %d)", line)
	}
	switch {
	case path == "stream.shards" && shardsGiven:
		return at + " is left out: the plan chooses the shard count, and tries the counts --shards names."
	case path == "stream.shards":
		return fmt.Sprintf("%s is left out as a workload: the plan chooses the shard count, and tries %s besides its own candidates.",
			at, strings.Join(values, ", "))
	case consumerKind.MatchString(path):
		return at + " is left out: the plan tries every application polling and on enhanced fan-out itself."
	}
	return at + " is left out: the plan chooses the stream's layout itself (provisioned shard counts and on-demand)."
}

// MakeMatrix plans every workload of m in turn (each with Make, its
// layouts in parallel) and sums them up. It blocks until every cell is
// planned; cancelling ctx stops it with ctx's error. A cell the model does
// not represent stops it, before any cell is planned, with an error
// wrapping model.ErrRefused.
func MakeMatrix(ctx context.Context, m *Matrix, o Options) (*results.PlanMatrix, error) {
	began := time.Now()
	pm := &results.PlanMatrix{
		SchemaVersion: results.PlanSchemaVersion, Scenario: m.Cells[0].Scenario.Name, Source: o.Source, Axes: m.Axes,
		PlanAbout: results.PlanAbout{Notes: slices.Clone(m.Notes), Model: model.Note, GeneratedAt: began.UTC(), KbenchVersion: o.Version},
	}
	if len(m.Shards) > 0 && len(o.Shards) == 0 {
		o.Also = m.Shards
	}
	// Refuse a cell the model does not represent before planning any.
	var refused scenarios.Problems
	for _, c := range m.Cells {
		base, _ := prepare(c.Scenario, o.Window)
		for _, pr := range model.Check(base) {
			if !slices.Contains(refused, pr) { // cells share a value's line
				refused = append(refused, pr)
			}
		}
	}
	if len(refused) > 0 {
		return nil, fmt.Errorf("%w: %w", model.ErrRefused, refused)
	}
	for i, c := range m.Cells {
		if o.Log != nil {
			fmt.Fprintf(o.Log, "plan: cell %d/%d: %s\n", i+1, len(m.Cells), c.Label)
		}
		p, err := Make(ctx, c.Scenario, o)
		if err != nil {
			return nil, fmt.Errorf("matrix cell %s: %w", c.Label, err)
		}
		p.Cell = c.Label
		p.Notes = append(slices.Clone(m.Notes), p.Notes...)
		pm.Cells = append(pm.Cells, results.PlanCell{Cell: c.Label, Values: c.Values, Plan: p})
	}
	summarize(pm)
	pm.ElapsedS = time.Since(began).Seconds()
	return pm, nil
}

// summarize finds the cell needing the most shards and the cheapest, and
// says what each cell needs in pm.Recommendation and pm.Reason.
func summarize(pm *results.PlanMatrix) {
	pm.MostShards, pm.Cheapest = -1, -1
	unmet := 0
	for i, c := range pm.Cells {
		p := c.Plan
		if p.Recommended < 0 {
			unmet++
			continue
		}
		l := p.Layouts[p.Recommended]
		if best := pm.Cheapest; best < 0 || l.USDPerHour < recommended(pm.Cells[best]).USDPerHour {
			pm.Cheapest = i
		}
		if l.Shards == 0 {
			continue
		}
		if most := pm.MostShards; most < 0 {
			pm.MostShards = i
		} else if ml := recommended(pm.Cells[most]); l.Shards > ml.Shards || l.Shards == ml.Shards && l.USDPerHour > ml.USDPerHour {
			pm.MostShards = i
		}
	}
	var line []string
	if i := pm.MostShards; i >= 0 {
		l := recommended(pm.Cells[i])
		line = append(line, fmt.Sprintf("the most shards: %s needs %s (%s/h, %s/month)", cellText(pm, i), l.Name, usd(l.USDPerHour), usd(l.USDPerMonth)))
	}
	if i := pm.Cheapest; i >= 0 && i != pm.MostShards {
		l := recommended(pm.Cells[i])
		line = append(line, fmt.Sprintf("the cheapest: %s on %s (%s/h, %s/month)", cellText(pm, i), l.Name, usd(l.USDPerHour), usd(l.USDPerMonth)))
	}
	if unmet > 0 {
		line = append(line, fmt.Sprintf("%s of %d met by no layout tried", textfmt.Plural(unmet, "cell"), len(pm.Cells)))
	}
	pm.Recommendation = textfmt.Plural(len(pm.Cells), "cell") + " planned; " + strings.Join(line, "; ")
	var why []string
	for i, c := range pm.Cells {
		why = append(why, cellText(pm, i)+": "+c.Plan.Recommendation)
	}
	pm.Reason = "Per cell: " + strings.Join(why, "; ") + "."
}

// cellText names cell i of pm in a sentence, as
// "producers[0].rate.rps=800, producers[0].compression.codec=zstd".
func cellText(pm *results.PlanMatrix, i int) string {
	var kv []string
	for j, v := range pm.Cells[i].Values {
		kv = append(kv, pm.Axes[j]+"="+v)
	}
	return strings.Join(kv, ", ")
}

// recommended is a planned cell's recommended layout; the cell must have
// one.
func recommended(c results.PlanCell) results.PlanLayout {
	return c.Plan.Layouts[c.Plan.Recommended]
}
