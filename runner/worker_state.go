package runner

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/scenarios"
)

// writeWorkerFiles writes what kbench merge needs beside a worker's
// results: its raw counters, its sequence sets and the whole-run histograms
// the summary keeps per consumer application and per shard.
func (r *run) writeWorkerFiles(sum *results.Summary, smp *sampler) error {
	m := r.m
	st := &results.WorkerState{
		Index: r.o.Worker.Index, Count: r.o.Worker.Count, RunID: sum.RunID,
		Scenario: ScenarioFingerprint(r.sc), StartAt: time.Unix(0, r.start).UTC(),
		Producers: r.producers, ProducedBytes: m.ProducedBytes.Load(), OpenShards: r.shards.Len(), LastAck: m.LastAck(),
		Shards: map[string][2]int64{}, MeasureS: smp.measureS,
	}
	for _, id := range m.ShardIDs() {
		first, last := m.Shard(id).Writes()
		st.Shards[id] = [2]int64{first, last}
	}
	for i := range r.sc.Producers {
		var ps results.PackSums
		for id, spec := range r.specOf {
			if spec != i || id >= len(r.prods) {
				continue
			}
			p := r.prods[id].PackStats()
			ps.Records += p.Records
			ps.RawBytes += p.RawBytes
			ps.Kinesis += p.Kinesis
			ps.SentBytes += p.SentBytes
			ps.EncodeNs += p.EncodeNs
		}
		st.Pack = append(st.Pack, ps)
	}
	seqs := &results.WorkerSeqs{}
	for p := range r.producers {
		seqs.Acked = append(seqs.Acked, m.AckedSet(uint32(p)))
	}
	for i, t := range r.trackers {
		ps := r.pollers[i].Stats()
		st.Apps = append(st.Apps, results.WorkerApp{
			Name: r.consumers[i].Name, Duplicates: t.Duplicates(),
			TipAt: ps.TipAt, Reading: i < len(r.reading) && r.reading[i],
			Decoded: ps.Decoded, DecodeNs: ps.DecodeNs,
		})
		var seen []*metrics.SeqSet
		for p := range r.producers {
			seen = append(seen, t.SeenSet(uint32(p)))
		}
		seqs.Seen = append(seqs.Seen, seen)
		seqs.LateKeys = append(seqs.LateKeys, t.LateKeys())
	}
	var destErr error
	if r.app != nil {
		for _, d := range r.app.dests {
			var sets []*metrics.SeqSet
			if d.tracker != nil {
				for p := range r.producers {
					sets = append(sets, d.tracker.SeenSet(uint32(p)))
				}
			}
			seqs.Dests = append(seqs.Dests, sets)
		}
		destErr = r.writeWorkerDestinations(smp)
	}
	return errors.Join(
		results.WriteWorkerState(r.o.OutDir, st),
		results.WriteWorkerSeqs(r.o.OutDir, seqs),
		r.writeWorkerHists(sum),
		destErr,
	)
}

// writeWorkerHists writes worker/hists.hlog: each consumer application's
// whole-run latency histograms, and its per-shard end-to-end ones.
func (r *run) writeWorkerHists(sum *results.Summary) error {
	start, end := time.Unix(0, r.start), sum.Config.EndedAt
	if err := os.MkdirAll(filepath.Join(r.o.OutDir, results.WorkerDir), 0o755); err != nil {
		return fmt.Errorf("runner: %w", err)
	}
	f, err := os.Create(filepath.Join(r.o.OutDir, filepath.FromSlash(results.WorkerHistsFile)))
	if err != nil {
		return fmt.Errorf("runner: %w", err)
	}
	w, err := results.NewHlogWriter(f, start)
	put := func(tag string, h *hdrhistogram.Histogram) {
		if err != nil || h.TotalCount() == 0 {
			return
		}
		h.SetTag(tag)
		err = w.Write(h, start, end)
	}
	for i, app := range r.apps {
		for _, l := range app.Latencies() {
			put(results.AppHistTag(i, "", l.Name()), l.Total())
		}
		for _, id := range r.m.ShardIDs() {
			put(results.AppHistTag(i, id, metrics.LatE2E), app.Shard(id).E2E.Total())
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// ScenarioFingerprint identifies a resolved scenario: the workers of one
// run must all have run the same one.
func ScenarioFingerprint(sc *scenarios.Scenario) string {
	b, err := json.Marshal(sc.Resolved())
	if err != nil {
		return ""
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8])
}
