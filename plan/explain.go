package plan

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/kbench/kbench/internal/textfmt"
	"github.com/kbench/kbench/results"
)

// recommend picks the cheapest layout that meets the workload's needs
// (fewer shards, then polling, on a tie) and says why in p.Recommendation
// and p.Reason.
func recommend(p *results.Plan) {
	best := -1
	for i, l := range p.Layouts {
		if !l.Meets {
			continue
		}
		if best < 0 || cheaper(l, p.Layouts[best]) {
			best = i
		}
	}
	p.Recommended = best
	w := p.Workload
	recs, bytes := rate(w.PeakRPS)+" records/s", bytesText(w.PeakBytesPerS)+"/s"
	if w.PeakKinesisRPS > 0 && (w.PeakKinesisRPS < 0.98*w.PeakRPS || math.Abs(w.PeakSentBytesPerS-w.PeakBytesPerS) > 0.02*w.PeakBytesPerS) {
		// Packed: the quotas count Kinesis records and bytes as sent.
		recs = fmt.Sprintf("%s user records/s in %s Kinesis records/s", rate(w.PeakRPS), rate(w.PeakKinesisRPS))
		bytes = bytesText(w.PeakSentBytesPerS) + "/s sent"
	}
	avg := fmt.Sprintf("%s on average (%s over %s records/s per shard; %s over 1 MiB/s)",
		textfmt.Plural(w.MinShards, "shard"), recs, textfmt.Int(1000), bytes)
	if best < 0 {
		p.Recommendation = "no layout tried meets the workload's needs"
		var why []string
		for _, l := range p.Layouts {
			why = append(why, l.Name+": "+l.Miss)
		}
		p.Reason = fmt.Sprintf("The quotas allow %s, but every layout tried misses: %s.", avg, strings.Join(why, "; "))
		if w.HotMinShards == 0 {
			p.Reason += " No shard count keeps the hottest shard under its quota: one partition key carries more than a shard takes; spread that key (add a suffix, or pick another key)."
		}
		return
	}
	l := p.Layouts[best]
	p.Recommendation = fmt.Sprintf("%s: %s/h (%s/month)", l.Name, usd(l.USDPerHour), usd(l.USDPerMonth))
	var b strings.Builder
	switch {
	case l.Mode == modeOnDemand:
		fmt.Fprintf(&b, "The quotas allow %s, but on-demand is the cheapest layout that meets the workload's needs", avg)
	case l.Shards > w.MinShards && w.HotUseAtMin > 1-p.Headroom:
		fmt.Fprintf(&b, "%s would do on average (%s, %s), but the hottest shard of %s would run at %s of its quota there",
			textfmt.Plural(w.MinShards, "shard"), recs, bytes, w.Keys, pct(w.HotUseAtMin))
		if w.HotUseAtMin <= 1 {
			fmt.Fprintf(&b, ", leaving less than the %s headroom the plan keeps", pct(p.Headroom))
		}
	case l.Shards > w.MinShards:
		fmt.Fprintf(&b, "The quotas allow %s, but fewer shards miss the workload's needs", avg)
	default:
		fmt.Fprintf(&b, "The quotas allow %s", avg)
	}
	fmt.Fprintf(&b, "; %s %s", l.Name, summary(l))
	if p.Workload.DeadlineMS > 0 {
		fmt.Fprintf(&b, " and %s on time within %s ms", pct(l.OnTimeRatio), textfmt.Value(p.Workload.DeadlineMS))
	}
	fmt.Fprintf(&b, ", for %s/h (%s/month).", usd(l.USDPerHour), usd(l.USDPerMonth))
	// The cheaper layouts that miss, the nearest in cost first (the
	// table lists them all).
	var cheaperMisses []results.PlanLayout
	for _, o := range p.Layouts {
		if !o.Meets && o.USDPerHour < l.USDPerHour {
			cheaperMisses = append(cheaperMisses, o)
		}
	}
	slices.SortStableFunc(cheaperMisses, func(a, b results.PlanLayout) int { return cmp.Compare(b.USDPerHour, a.USDPerHour) })
	var why []string
	for _, o := range cheaperMisses[:min(len(cheaperMisses), maxMisses)] {
		why = append(why, fmt.Sprintf("%s (%s/h): %s", o.Name, usd(o.USDPerHour), o.Miss))
	}
	switch {
	case len(cheaperMisses) > maxMisses:
		fmt.Fprintf(&b, " The %d cheaper layouts miss; the nearest: %s.", len(cheaperMisses), strings.Join(why, "; "))
	case len(why) > 0:
		fmt.Fprintf(&b, " Cheaper layouts miss: %s.", strings.Join(why, "; "))
	}
	p.Reason = b.String()
}

// maxMisses is how many cheaper layouts the reason names.
const maxMisses = 3

// cheaper orders layouts meeting the needs: cost, then fewer shards, then
// polling before fan-out.
func cheaper(a, b results.PlanLayout) bool {
	if math.Abs(a.USDPerHour-b.USDPerHour) > 1e-9 {
		return a.USDPerHour < b.USDPerHour
	}
	if a.Shards != b.Shards {
		return a.Shards < b.Shards
	}
	return slices.Index([]string{labelPolling, labelAsIs, labelFanOut}, a.Consumers) <
		slices.Index([]string{labelPolling, labelAsIs, labelFanOut}, b.Consumers)
}

// summary is a layout's predicted figures in a few words.
func summary(l results.PlanLayout) string {
	s := ""
	if l.Mode != modeOnDemand {
		s = fmt.Sprintf("keeps the hottest shard at %s, ", pct(l.HotUse))
	}
	s += fmt.Sprintf("with %s of writes throttled", pct(l.ThrottleRatio))
	if l.Measured {
		s += fmt.Sprintf(", e2e p99 %s ms", textfmt.Value(math.Round(l.E2EP99MS)))
	}
	return s
}

// pct formats a ratio as a percentage, rounded down as the reports round
// it.
func pct(ratio float64) string {
	if ratio > 0 && ratio < 0.001 {
		return "<0.1%"
	}
	return fmt.Sprintf("%.1f%%", math.Floor(ratio*1000)/10)
}

func rate(v float64) string { return textfmt.Int(int64(math.Round(v))) }

func usd(v float64) string {
	if v >= 100 {
		return "$" + textfmt.Int(int64(math.Round(v)))
	}
	return fmt.Sprintf("$%.2f", v)
}

func bytesText(bps float64) string {
	switch {
	case bps >= 1<<20:
		return fmt.Sprintf("%.1f MiB", bps/(1<<20))
	case bps >= 1<<10:
		return fmt.Sprintf("%.1f KiB", bps/(1<<10))
	}
	return fmt.Sprintf("%.0f B", bps)
}
