package model

import (
	"fmt"
	"math"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/generators"
	"github.com/kbench/kbench/pack"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/scenarios"
)

// packSamples is how many user records the model draws from a packing
// producer's generator to measure its aggregates and their compression.
const packSamples = 2000

// runEpoch is a Unix time in ns for the sampled envelopes' times.
const runEpoch = 1_796_000_000_000_000_000

// packing is how a producer packs user records into Kinesis records, as
// the model sees it: how many user records share a Kinesis record on a
// shard and how many bytes each then sends. The model has no payloads, so
// the sizes come once from real records: packSamples records of the
// producer's own generator, aggregated by pack.Aggregate and compressed by
// the real codec, as the runner packs them.
type packing struct {
	aggregate bool
	maxRecs   float64
	linger    int64
	// full is how many user records an aggregate holds when only
	// max_records and max_bytes close it.
	full float64
	raw  float64 // a user record's data and key, unpacked
	// sentBy is the Kinesis bytes (data and key) sent per user record when
	// k user records share a Kinesis record, measured for k = 1, 2, 4, …
	// up to full; between them it interpolates.
	sentBy map[int]float64
}

// newPacking measures producer i's packing; nil when it packs nothing.
func newPacking(sc *scenarios.Scenario, i int) (*packing, error) {
	ps := sc.Producers[i]
	agg := ps.Aggregation
	var codec *pack.Codec
	if c := ps.Compression; c != nil && c.Codec != scenarios.CodecNone {
		cd, ok := pack.Codecs.Lookup(c.Codec)
		if !ok {
			return nil, fmt.Errorf("producers[%d].compression.codec: unknown codec %q", i, c.Codec)
		}
		codec = &cd
	}
	if agg == nil && codec == nil {
		return nil, nil
	}
	seed := ps.Seed * 1000003
	gen, err := generators.New(ps.Options, seed)
	if err != nil {
		return nil, fmt.Errorf("producers[%d].options: %w", i, err)
	}
	if c, ok := gen.(interface{ Close() error }); ok {
		defer func() { _ = c.Close() }()
	}
	keys, err := generators.NewKeyStrategy(ps.PartitionKey, generators.KeyConfig{
		Shards: max(sc.Stream.Shards, 1), Seed: seed, HotKeys: ps.Keys.HotKeys, Skew: ps.Keys.Skew, Fixed: ps.Keys.Fixed,
	})
	if err != nil {
		return nil, fmt.Errorf("producers[%d].partition_key: %w", i, err)
	}
	type rec struct {
		data    []byte
		pk, ehk string
	}
	recs := make([]rec, packSamples)
	var raw float64
	for k := range recs {
		// The envelope as the runner stamps it: a sequence number and
		// times a third of a millisecond apart, which compress as theirs.
		at := int64(k) * 333_333
		env := envelope.Envelope{RunID: uint64(seed), ProducerID: 1, Seq: uint64(k), Intended: runEpoch + at, Sent: runEpoch + at + 1e6}
		buf, entity := gen.Next(env.Append(nil), at)
		pk, ehk := keys.Key(entity)
		recs[k] = rec{data: buf, pk: pk, ehk: ehk}
		raw += float64(len(buf) + len(pk))
	}
	pk := &packing{raw: raw / packSamples, full: 1, maxRecs: 1, sentBy: map[int]float64{}}
	var enc pack.Encoder
	if codec != nil {
		if enc, err = codec.NewEncoder(ps.Compression.Level); err != nil {
			return nil, fmt.Errorf("producers[%d].compression: %s level %d: %w", i, codec.Name, ps.Compression.Level, err)
		}
	}
	compressed := func(b []byte) float64 {
		if enc == nil {
			return float64(len(b))
		}
		out, err := enc.Encode(nil, b)
		if err != nil {
			return float64(len(b))
		}
		return float64(len(out))
	}
	// measure packs the sample into Kinesis records of at most k user
	// records (and max_bytes) and returns the records per Kinesis record
	// and the bytes sent per user record.
	measure := func(k int) (per, sent float64) {
		var a pack.Aggregate
		var kin, users int
		var out float64
		var first rec
		flush := func() {
			switch a.Len() {
			case 0:
				return
			case 1:
				out += compressed(first.data) + float64(len(first.pk))
			default:
				out += compressed(a.AppendTo(nil)) + float64(len(a.PartitionKey()))
			}
			kin++
			a.Reset()
		}
		for _, r := range recs {
			if agg != nil && a.Len() > 0 && a.SizeWith(r.pk, r.ehk, len(r.data)) > agg.MaxBytes {
				flush()
			}
			if a.Len() == 0 {
				first = r
			}
			a.Add(r.pk, r.ehk, r.data)
			users++
			if a.Len() >= k || (agg != nil && a.Size() >= agg.MaxBytes) {
				flush()
			}
		}
		// The last, partial aggregate counts only when it is the only one.
		if kin == 0 {
			flush()
		} else {
			users -= a.Len()
		}
		return float64(users) / float64(kin), out / float64(users)
	}
	if agg == nil {
		_, pk.sentBy[1] = measure(1)
		return pk, nil
	}
	pk.aggregate, pk.maxRecs, pk.linger = true, float64(agg.MaxRecords), int64(agg.Linger)
	pk.full, _ = measure(agg.MaxRecords)
	for k := 1; ; k *= 2 {
		k = min(k, int(math.Ceil(pk.full)))
		_, pk.sentBy[k] = measure(k)
		if float64(k) >= pk.full {
			break
		}
	}
	return pk, nil
}

// users returns how many user records share a Kinesis record on a shard
// that one instance sends rate user records per second: an aggregate
// closes full or when its linger ends.
func (pk *packing) users(rate float64) float64 {
	if pk == nil || !pk.aggregate {
		return 1
	}
	return max(min(pk.full, 1+rate*float64(pk.linger)/1e9), 1)
}

// sent returns the Kinesis bytes sent per user record when k user records
// share a Kinesis record.
func (pk *packing) sent(k float64) float64 {
	lo, hi := 1, 1
	for m := range pk.sentBy {
		if float64(m) <= k && m > lo {
			lo = m
		}
	}
	hi = lo
	for m := range pk.sentBy {
		if float64(m) > k && (hi == lo || m < hi) {
			hi = m
		}
	}
	if hi == lo {
		return pk.sentBy[lo]
	}
	// Overheads are per Kinesis record: interpolate in 1/k.
	f := (1/float64(lo) - 1/k) / (1/float64(lo) - 1/float64(hi))
	return pk.sentBy[lo] + f*(pk.sentBy[hi]-pk.sentBy[lo])
}

// wait is how long, at most, a user record waits in its aggregate on a
// shard taking rate user records per second from one instance.
func (pk *packing) wait(rate float64) int64 {
	if pk == nil || !pk.aggregate || rate <= 0 {
		return 0
	}
	k := pk.users(rate)
	return min(int64((k-1)/rate*1e9), pk.linger)
}

// stats is the producer's packing figures for summary.json, as the runner
// fills them: produced is its user records generated (all instances).
func (p *producer) stats(generator string, produced int64) results.ProducerStats {
	st := results.ProducerStats{Name: p.name, Generator: generator, Records: produced,
		KinesisRecords: produced, RecordsPerKinesisRecord: 1,
		BytesPerRecordRaw: p.smp.mean, BytesPerRecordSent: p.smp.mean, CompressionRatio: 1,
		RecordBytes: results.SizeFrom(p.smp.sizes)}
	if p.pk == nil {
		return st
	}
	sc := p.e.sc.Producers[p.idx]
	st.Aggregation = sc.Aggregation != nil
	if c := sc.Compression; c != nil && c.Codec != scenarios.CodecNone {
		st.Codec = c.Codec
	}
	per, size := p.per, p.size
	if p.kinesis > 0 {
		per, size = p.users/p.kinesis, p.sent/p.users
	}
	st.KinesisRecords = int64(math.Round(float64(produced) / per))
	st.RecordsPerKinesisRecord = per
	st.BytesPerRecordRaw = p.smp.mean
	st.BytesPerRecordSent = size
	if size > 0 {
		st.CompressionRatio = p.smp.mean / size
	}
	return st
}
