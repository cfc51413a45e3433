package model

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/kbench/kbench/scenarios"
)

// Kinesis's per-shard write quotas, as the model and the simulator enforce
// them: records/s and bytes/s (data and partition key).
const (
	ShardWriteRecords = shardWriteRecords
	ShardWriteBytes   = shardWriteBytes
)

// Workload is what the model learns of a scenario's records before it runs
// them: each producer's peak rate and its key and size distribution, drawn
// from its own generator and key strategy as Run draws them. kbench plan
// sizes a stream with it and hands it to every Run (Options.Workload). It
// is not changed after SampleWorkload returns, so runs may share it.
type Workload struct {
	peaks   []float64
	samples []*sample
	// packs are the producers' packings (nil: none) and inst their
	// instance counts: an instance aggregates its own records.
	packs []*packing
	inst  []float64
}

// SampleWorkload draws n records (0: as many as Run would for the
// scenario's shard count) of every producer of sc. The explicit key
// strategy spreads its keys over the scenario's own shard count.
func SampleWorkload(sc *scenarios.Scenario, n int) (*Workload, error) {
	if n <= 0 {
		n = defaultSamples(sc.Stream.Shards)
	}
	w := &Workload{}
	for i := range sc.Producers {
		s, err := drawParallel(sc, i, n)
		if err != nil {
			return nil, fmt.Errorf("model: %w", err)
		}
		// The producer's peak, its rate events included.
		one := *sc
		one.Producers = sc.Producers[i : i+1]
		w.peaks = append(w.peaks, one.PeakRate())
		w.samples = append(w.samples, s)
		pk, err := newPacking(sc, i)
		if err != nil {
			return nil, fmt.Errorf("model: %w", err)
		}
		w.packs = append(w.packs, pk)
		w.inst = append(w.inst, float64(max(sc.Producers[i].Concurrency, 1)))
	}
	return w, nil
}

// drawParallel draws n records of producer i in parallel parts of 250,000
// or more (at most 16; the count depends on n alone, so the sample is the
// same on every machine): part j is drawn as drawSample draws, with the
// producer's seed moved on by j (part 0 is what Run would draw first), and
// the parts are joined.
func drawParallel(sc *scenarios.Scenario, i, n int) (*sample, error) {
	parts := min(max(n/250_000, 1), 16)
	smps := make([]*sample, parts)
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for j := range parts {
		c := *sc
		c.Producers = slices.Clone(sc.Producers)
		c.Producers[i].Seed += int64(j) * 7919
		size := n / parts
		if j == 0 {
			size += n % parts
		}
		wg.Go(func() { smps[j], errs[j] = drawSample(&c, i, sc.Stream.Shards, size) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	s := smps[0]
	total := s.mean * float64(len(s.hashes))
	for _, o := range smps[1:] {
		s.hashes = append(s.hashes, o.hashes...)
		s.bytes = append(s.bytes, o.bytes...)
		s.sizes.Merge(o.sizes)
		total += o.mean * float64(len(o.hashes))
	}
	s.mean = total / float64(max(len(s.hashes), 1))
	return s, nil
}

// ShardLoad is the write load offered to one shard.
type ShardLoad struct {
	// RecordsPerS is Kinesis records per second, the write quota's unit,
	// and UserRecordsPerS the user records they carry (the same without
	// aggregation).
	RecordsPerS, UserRecordsPerS float64
	// BytesPerS is bytes per second, data and partition keys, as sent
	// (aggregated and compressed).
	BytesPerS float64
}

// Offered returns the load each of n shards splitting the hash key space
// evenly is offered when every producer sends at its peak rate.
func (w *Workload) Offered(n int) []ShardLoad {
	out := make([]ShardLoad, max(n, 1))
	for i, s := range w.samples {
		l := s.spread(len(out))
		pk := w.packs[i]
		for k := range out {
			recs := w.peaks[i] * l.weight[k]
			out[k].UserRecordsPerS += recs
			if pk == nil {
				out[k].RecordsPerS += recs
				out[k].BytesPerS += recs * l.bytes[k]
				continue
			}
			per := pk.users(recs / w.inst[i])
			out[k].RecordsPerS += recs / per
			out[k].BytesPerS += recs * pk.sent(per)
		}
	}
	return out
}

// PeakRate is the producers' peak rates added up, in records per second.
func (w *Workload) PeakRate() float64 {
	var r float64
	for _, p := range w.peaks {
		r += p
	}
	return r
}

// Sent is the producers' peak load in Kinesis records per second and
// their bytes per second as sent, on n shards.
func (w *Workload) Sent(n int) (recsPerS, bytesPerS float64) {
	for _, l := range w.Offered(n) {
		recsPerS += l.RecordsPerS
		bytesPerS += l.BytesPerS
	}
	return recsPerS, bytesPerS
}

// MeanRecordBytes is the mean record size (data and partition key) over
// every producer, weighted by its peak rate.
func (w *Workload) MeanRecordBytes() float64 {
	var recs, bytes float64
	for i, s := range w.samples {
		recs += w.peaks[i]
		bytes += w.peaks[i] * s.mean
	}
	if recs == 0 {
		return 0
	}
	return bytes / recs
}
