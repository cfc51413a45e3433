package reports

import (
	"strings"

	"github.com/kbench/kbench/results"
)

// hotShards marks the shards that stand out: the most throttled ones
// (within 10% of the most throttled; all of them when they are throttled
// alike, as when the stream is too small) and any carrying more than 1.5
// times the mean records.
func hotShards(shards []results.ShardStats) []bool {
	hot := make([]bool, len(shards))
	var maxThr, sumRec int64
	for _, sh := range shards {
		maxThr, sumRec = max(maxThr, sh.Throttled), sumRec+sh.Records
	}
	for i, sh := range shards {
		hot[i] = (maxThr > 0 && float64(sh.Throttled) >= 0.9*float64(maxThr)) ||
			(len(shards) > 1 && float64(sh.Records) > 1.5*float64(sumRec)/float64(len(shards)))
	}
	return hot
}

// hotLegend explains the highlighted bars.
const hotLegend = "hot shard: (nearly) the most throttled, or over 1.5× the mean records"

// shardFigure draws records, bytes and throttled attempts per shard, the
// hot shards in red; a stream of more than manyShards shards gets
// manyShardFigure instead.
func shardFigure(fs *figureSet, s *results.Summary) {
	n := len(s.PerShard)
	if n == 0 {
		return
	}
	if n > manyShards {
		ch, err := manyShardFigure(s.PerShard)
		fs.add("Per-shard distribution", PNGShards, panelSize, ch, err)
		return
	}
	labels := make([]string, n)
	recs, mib, thr := make([]float64, n), make([]float64, n), make([]float64, n)
	for i, sh := range s.PerShard {
		labels[i] = shortShard(sh.ShardID)
		recs[i], mib[i], thr[i] = float64(sh.Records), float64(sh.Bytes)/(1<<20), float64(sh.Throttled)
	}
	hot := hotShards(s.PerShard)
	ch := &chart{title: "Per shard: records, bytes and throttles (whole run)"}
	for _, b := range []bars{
		{title: "Records acknowledged", yLabel: "records", values: recs},
		{title: "Bytes acknowledged", yLabel: "MiB", values: mib},
		{title: "Throttled attempts", yLabel: "record-attempts", values: thr},
	} {
		b.xLabel, b.labels, b.hot, b.room = "shard", labels, hot, 220
		b.color, b.hotColor = palette[0], red
		p, err := barPanel(b)
		if err != nil {
			fs.add("Per-shard bars", PNGShards, panelSize, nil, err)
			return
		}
		ch.panels = append(ch.panels, p)
	}
	ch.addLegend("shard", palette[0], false, true)
	for _, h := range hot {
		if h {
			ch.addLegend(hotLegend, red, false, true)
			break
		}
	}
	fs.add("Per-shard bars", PNGShards, panelSize, ch, nil)
}

// shortShard shortens "shardId-000000000003" to "3" for axis labels.
func shortShard(id string) string {
	n := strings.TrimLeft(strings.TrimPrefix(id, "shardId-"), "0")
	if n == "" && strings.HasPrefix(id, "shardId-") {
		return "0"
	}
	if n == "" {
		return id
	}
	return n
}
