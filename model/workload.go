package model

import (
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"math/bits"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/generators"
	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/scenarios"
)

// sample is what the model learned of one producer's records by drawing
// them from its own generator and key strategy: where each landed in the
// hash key space (the top 64 bits of the MD5 of its partition key, or of
// its explicit hash key) and how big it was.
type sample struct {
	hashes []uint64
	// bytes is each record's data and partition key: what the write quota
	// and the results count.
	bytes []int32
	// sizes is the record-size histogram (data only, envelope included), as
	// a producer records it for record-bytes.hlog.
	sizes *hdrhistogram.Histogram
	mean  float64 // mean of bytes
}

// defaultSamples picks the sample size: enough that a shard's share of a
// uniform key space is known to a few percent.
func defaultSamples(shards int) int {
	return min(max(100_000, 2_000*shards), 2_000_000)
}

// drawSample draws n records of producer i of sc, for a stream of shards
// shards (the explicit key strategy spreads its keys over them).
func drawSample(sc *scenarios.Scenario, i, shards, n int) (*sample, error) {
	ps := sc.Producers[i]
	seed := ps.Seed * 1000003 // instance 0's seed, as the runner makes it
	gen, err := generators.New(ps.Options, seed)
	if err != nil {
		return nil, fmt.Errorf("producers[%d].options: %w", i, err)
	}
	if c, ok := gen.(interface{ Close() error }); ok {
		defer func() { _ = c.Close() }()
	}
	keys, err := generators.NewKeyStrategy(ps.PartitionKey, generators.KeyConfig{
		Shards: max(shards, 1), Seed: seed, HotKeys: ps.Keys.HotKeys, Skew: ps.Keys.Skew, Fixed: ps.Keys.Fixed,
	})
	if err != nil {
		return nil, fmt.Errorf("producers[%d].partition_key: %w", i, err)
	}
	s := &sample{hashes: make([]uint64, n), bytes: make([]int32, n), sizes: metrics.NewSizeHistogram()}
	s.sizes.SetTag(ps.Name)
	var buf []byte
	var total float64
	for k := range n {
		var entity string
		buf, entity = gen.Next(buf[:0], int64(k)*1e6)
		pk, ehk := keys.Key(entity)
		if ehk != "" {
			h, err := explicitHash(ehk)
			if err != nil {
				return nil, fmt.Errorf("producers[%d]: %w", i, err)
			}
			s.hashes[k] = h
		} else {
			sum := md5.Sum([]byte(pk))
			s.hashes[k] = binary.BigEndian.Uint64(sum[:8])
		}
		data := envelope.Size + len(buf)
		metrics.RecordSize(s.sizes, data)
		s.bytes[k] = int32(data + len(pk))
		total += float64(data + len(pk))
	}
	s.mean = total / float64(max(n, 1))
	return s, nil
}

// explicitHash returns the top 64 bits of a decimal explicit hash key.
func explicitHash(ehk string) (uint64, error) {
	var hi, lo uint64
	bad := len(ehk) == 0 || len(ehk) > 39
	for i := 0; i < len(ehk) && !bad; i++ {
		c := ehk[i]
		if c < '0' || c > '9' {
			bad = true
			break
		}
		// (hi, lo) = (hi, lo)·10 + digit, refusing what passes 2^128-1.
		h1, l1 := bits.Mul64(lo, 10)
		h0, top := bits.Mul64(hi, 10)
		var carry, over uint64
		lo, carry = bits.Add64(l1, uint64(c-'0'), 0)
		hi, over = bits.Add64(top, h1, carry)
		bad = h0 != 0 || over != 0
	}
	if bad {
		return 0, fmt.Errorf("explicit hash key %q is not a decimal in 0..2^128-1", ehk)
	}
	return hi, nil
}

// layout is how one producer's records spread over n shards split evenly
// over the hash key space (as CreateStream and UpdateShardCount split it):
// each shard's share of the records and their mean size there.
type layout struct {
	weight []float64
	bytes  []float64 // mean record bytes (data + key) on each shard
}

// spread returns the sample's layout over n evenly split shards.
func (s *sample) spread(n int) layout {
	l := layout{weight: make([]float64, n), bytes: make([]float64, n)}
	width := ^uint64(0)/uint64(n) + 1
	if n == 1 {
		width = 0
	}
	for k, h := range s.hashes {
		i := 0
		if width > 0 {
			i = min(int(h/width), n-1)
		}
		l.weight[i]++
		l.bytes[i] += float64(s.bytes[k])
	}
	total := float64(len(s.hashes))
	for i := range n {
		if l.weight[i] > 0 {
			l.bytes[i] /= l.weight[i]
		} else {
			l.bytes[i] = s.mean
		}
		l.weight[i] /= total
	}
	return l
}
