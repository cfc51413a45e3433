package benchmarks

import (
	"context"
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"math/bits"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// batch returns n PutRecords entries of size data bytes each, whose
// partition keys are distinct (as far as n allows with one key per shard at
// least) and spread evenly over a stream of the given shard count: entry i
// lands on shard (first+i) mod shards. Entries share one read-only data
// slice.
func batch(first, n, size, shards int) []types.PutRecordsRequestEntry {
	data := make([]byte, size)
	for i := range data {
		data[i] = byte('a' + i%26)
	}
	perShard := (n + shards - 1) / shards
	keys := spreadKeys(shards, perShard)
	entries := make([]types.PutRecordsRequestEntry, n)
	for i := range entries {
		k := first + i
		entries[i] = types.PutRecordsRequestEntry{Data: data, PartitionKey: aws.String(keys[k%shards][k/shards%perShard])}
	}
	return entries
}

// spreadKeys returns perShard partition keys for each shard of a stream
// with evenly split hash key ranges (as CreateStream makes them): the MD5
// of keys[j][...], read as a 128-bit number, falls in shard j's range. Only
// the top 64 bits are compared, which misplaces a key only within 2^-64 of
// a range boundary.
func spreadKeys(shards, perShard int) [][]string {
	keys := make([][]string, shards)
	left := shards * perShard
	for i := 0; left > 0; i++ {
		k := "pk-" + strconv.Itoa(i)
		sum := md5.Sum([]byte(k))
		j, _ := bits.Mul64(binary.BigEndian.Uint64(sum[:8]), uint64(shards))
		if len(keys[j]) < perShard {
			keys[j] = append(keys[j], k)
			left--
		}
	}
	return keys
}

// recordBytes is what one entry counts against the write quota: data plus
// partition key.
func recordBytes(e types.PutRecordsRequestEntry) int64 {
	return int64(len(e.Data) + len(aws.ToString(e.PartitionKey)))
}

// putResult is what one PutRecords call achieved.
type putResult struct {
	accepted, throttled int64
	acceptedBytes       int64
}

// put sends one PutRecords call and sorts its records into accepted and
// throttled. Any other per-record error code fails it, as does a failed call.
func put(ctx context.Context, c *kinesis.Client, stream string, entries []types.PutRecordsRequestEntry) (putResult, error) {
	out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
	if err != nil {
		return putResult{}, err
	}
	if len(out.Records) != len(entries) {
		return putResult{}, fmt.Errorf("PutRecords returned %d results for %d records", len(out.Records), len(entries))
	}
	var r putResult
	for i, rec := range out.Records {
		switch code := aws.ToString(rec.ErrorCode); code {
		case "":
			r.accepted++
			r.acceptedBytes += recordBytes(entries[i])
		case "ProvisionedThroughputExceededException":
			r.throttled++
		default:
			return r, fmt.Errorf("record %d failed: %s: %s", i, code, aws.ToString(rec.ErrorMessage))
		}
	}
	return r, nil
}

// closedLoop sends calls PutRecords calls of entries (per worker, made by
// mk) from workers goroutines, each sending its next call as soon as the
// last returned. It returns the records accepted and throttled.
func closedLoop(ctx context.Context, c *kinesis.Client, stream string, workers int, calls int64, mk func(worker int) []types.PutRecordsRequestEntry) (putResult, error) {
	var (
		left     atomic.Int64
		acc, thr atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
		batches  = make([][]types.PutRecordsRequestEntry, workers)
	)
	ctx2, bad := context.WithCancel(ctx)
	defer bad()
	for w := range batches {
		batches[w] = mk(w)
	}
	left.Store(calls)
	for w := range workers {
		wg.Go(func() {
			for left.Add(-1) >= 0 && ctx2.Err() == nil {
				r, err := put(ctx2, c, stream, batches[w])
				acc.Add(r.accepted)
				thr.Add(r.throttled)
				if err != nil {
					errOnce.Do(func() { firstErr = err; bad() })
					return
				}
			}
		})
	}
	wg.Wait()
	return putResult{accepted: acc.Load(), throttled: thr.Load()}, firstErr
}

// offer describes a paced (open-model) PutRecords load: calls of the same
// entries sent on a fixed schedule whatever the replies, so an overloaded
// target sees the offered rate.
type offer struct {
	// entries is the records of every call.
	entries []types.PutRecordsRequestEntry
	// callsPerSec is the offered call rate (records/s = callsPerSec × len(entries)).
	callsPerSec float64
	// workers is how many calls may be in flight at once.
	workers int
	// warmup is the start of the run whose results are not counted (the
	// quota's initial burst); measure is the counted part after it.
	warmup, measure time.Duration
}

// offerResult is what a paced load achieved over its measured part, and
// how many calls were sent late (more than one interval after schedule).
type offerResult struct {
	putResult
	calls, late int64
	seconds     float64
}

// run sends the paced load until warmup+measure has passed or ctx ends. A
// call's outcome counts when its scheduled send time falls in the measured
// part, so tokens refilled during the warm-up are not counted.
func (o offer) run(ctx context.Context, c *kinesis.Client, stream string) (offerResult, error) {
	interval := time.Duration(float64(time.Second) / o.callsPerSec)
	start := time.Now()
	from, end := start.Add(o.warmup), start.Add(o.warmup+o.measure)
	var (
		next               atomic.Int64
		acc, thr, accBytes atomic.Int64
		calls, late        atomic.Int64
		wg                 sync.WaitGroup
		errOnce            sync.Once
		firstErr           error
	)
	ctx2, bad := context.WithCancel(ctx)
	defer bad()
	for range o.workers {
		wg.Go(func() {
			t := time.NewTimer(0)
			defer t.Stop()
			for ctx2.Err() == nil {
				at := start.Add(time.Duration(next.Add(1)-1) * interval)
				if !at.Before(end) {
					return
				}
				if d := time.Until(at); d > 0 {
					t.Reset(d)
					select {
					case <-ctx2.Done():
						return
					case <-t.C:
					}
				} else if -d > interval {
					late.Add(1)
				}
				r, err := put(ctx2, c, stream, o.entries)
				if err != nil {
					errOnce.Do(func() { firstErr = err; bad() })
					return
				}
				if !at.Before(from) {
					calls.Add(1)
					acc.Add(r.accepted)
					thr.Add(r.throttled)
					accBytes.Add(r.acceptedBytes)
				}
			}
		})
	}
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	return offerResult{
		putResult: putResult{accepted: acc.Load(), throttled: thr.Load(), acceptedBytes: accBytes.Load()},
		calls:     calls.Load(),
		late:      late.Load(),
		seconds:   o.measure.Seconds(),
	}, firstErr
}
