package sim

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kbench/kbench/latency"
)

// timePut returns how long one PutRecords call of one record takes through
// the SDK.
func timePut(c *kinesis.Client, stream string, i int) (time.Duration, error) {
	start := time.Now()
	_, err := c.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(stream),
		Records: []types.PutRecordsRequestEntry{{PartitionKey: aws.String(strconv.Itoa(i)), Data: []byte("x")}}})
	return time.Since(start), err
}

// TestLatencyProfilePut measures PutRecords through the SDK over HTTP
// against three simulators at once: one with a log-normal put profile, one
// without a profile (the HTTP round trip) and one with a fixed put of the
// log-normal's median (what a timer of that length costs on this machine
// now: under load timers fire late). Each worker calls each in turn, so all
// three see the same machine load. The profile's calls must take their
// drawn durations, plus no more than the overhead the fixed run showed.
func TestLatencyProfilePut(t *testing.T) {
	const median = 30 * time.Millisecond
	put, err := latency.LogNormal(median, 120*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	fixed, _ := latency.Fixed(median)
	start := func(p *latency.Profile) *kinesis.Client {
		cfg := testConfig()
		cfg.Quotas = QuotasOff
		cfg.Profile = p
		_, c := startSim(t, cfg)
		createStream(t, c, "lat", 1)
		return c
	}
	clients := []*kinesis.Client{start(nil), start(&latency.Profile{Name: "fixed", Put: fixed}), start(&latency.Profile{Name: "test", Put: put})}
	const calls, workers = 1600, 16
	took := [3][]time.Duration{make([]time.Duration, calls), make([]time.Duration, calls), make([]time.Duration, calls)}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < calls; i = int(next.Add(1) - 1) {
				for k, c := range clients {
					var err error
					if took[k][i], err = timePut(c, "lat", i); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	for k := range took {
		slices.Sort(took[k])
	}
	none, fixedRun, with := took[0], took[1], took[2]
	// The server's draws are the first `calls` of a sequence seeded by
	// Config.Seed, whatever order the calls came in: draw them here too.
	cfg := testConfig()
	cfg.Profile = &latency.Profile{Name: "test", Put: put}
	d, err := newDelays(cfg)
	if err != nil {
		t.Fatal(err)
	}
	drawn := make([]time.Duration, calls)
	for i := range drawn {
		drawn[i] = d.putDuration()
	}
	slices.Sort(drawn)
	for _, q := range []float64{0.5, 0.99} {
		i := int(q * calls)
		// A call lasts at least its draw (timers never fire early). It
		// lasts at most the draw plus the overhead a fixed put of the same
		// machine showed; for independent draw and overhead, the
		// q-quantile of their sum is at most the sum of their
		// (1+q)/2-quantiles (P(X+O > a+b) <= P(X > a) + P(O > b)).
		j := int((1 + q) / 2 * calls)
		lo := drawn[i] - 100*time.Microsecond
		hi := drawn[j] + fixedRun[j] - median + 2*time.Millisecond
		if got := with[i]; got < lo || got > hi {
			t.Errorf("put p%v = %v, want within [%v, %v]: drawn p%v %v, p%v %v; a fixed %v put took %v at p%v",
				q*100, got, lo, hi, q*100, drawn[i], (1+q)/2*100, drawn[j], median, fixedRun[j], (1+q)/2*100)
		}
		// The draws themselves follow the profile (sampling error of 1,600
		// draws, about two standard errors).
		tol := map[float64]float64{0.5: 0.04, 0.99: 0.12}[q]
		if want := put.Quantile(q); math.Abs(float64(drawn[i]-want)) > tol*float64(want) {
			t.Errorf("drawn p%v = %v, want %v ± %.0f%%", q*100, drawn[i], want, tol*100)
		}
		t.Logf("p%v: profile %v, drawn %v, measured %v; fixed %v measured %v; without a profile %v",
			q*100, put.Quantile(q), drawn[i], with[i], median, fixedRun[i], none[i])
	}
	if none[calls/2] >= median/2 {
		t.Errorf("without a profile the median call took %v: a delay was applied", none[calls/2])
	}
}

// TestLatencyProfileVisibility writes a record every 5 ms with log-normal
// propagation and fan-out delays, reads them by polling GetRecords and by
// SubscribeToShard, and checks that every record comes in order and that
// the delays from arrival to receipt have about the profile's quantiles.
func TestLatencyProfileVisibility(t *testing.T) {
	prop, _ := latency.LogNormal(100*time.Millisecond, 300*time.Millisecond)
	fan, _ := latency.LogNormal(40*time.Millisecond, 120*time.Millisecond)
	cfg := testConfig()
	cfg.Quotas = QuotasOff
	cfg.Profile = &latency.Profile{Name: "test", Propagation: prop, FanOut: fan}
	_, c := startSim(t, cfg)
	createStream(t, c, "vis", 1)
	carn := registerConsumer(t, c, "vis", "app")
	const shard, n = "shardId-000000000000", 1000
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	sub, err := c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: aws.String(carn), ShardId: aws.String(shard),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}})
	if err != nil {
		t.Fatal(err)
	}
	it := iter(t, c, "vis", shard, types.ShardIteratorTypeTrimHorizon, "", nil)

	// receive appends each record's delay (receipt − arrival) and checks
	// the records come in order.
	receive := func(what string, recs []types.Record, got *[]time.Duration) error {
		now := time.Now()
		for _, r := range recs {
			if want := strconv.Itoa(len(*got)); string(r.Data) != want {
				return fmt.Errorf("%s: record %q where %s was due", what, r.Data, want)
			}
			*got = append(*got, now.Sub(aws.ToTime(r.ApproximateArrivalTimestamp)))
		}
		return nil
	}
	var polled, pushed []time.Duration
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	wg.Go(func() {
		for len(polled) < n && ctx.Err() == nil {
			out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String(it)})
			if err == nil {
				err = receive("GetRecords", out.Records, &polled)
			}
			if err != nil {
				errs <- err
				return
			}
			it = aws.ToString(out.NextShardIterator)
			time.Sleep(2 * time.Millisecond)
		}
	})
	wg.Go(func() {
		stream := sub.GetStream()
		defer stream.Close()
		for len(pushed) < n {
			ev, ok := <-stream.Events()
			if !ok {
				errs <- fmt.Errorf("subscription ended after %d records: %v", len(pushed), stream.Err())
				return
			}
			if e, isEvent := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent); isEvent {
				if err := receive("SubscribeToShard", e.Value.Records, &pushed); err != nil {
					errs <- err
					return
				}
			}
		}
	})
	tick := time.NewTicker(5 * time.Millisecond)
	for i := range n {
		<-tick.C
		if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("vis"), PartitionKey: aws.String("k"), Data: []byte(strconv.Itoa(i))}); err != nil {
			t.Fatal(err)
		}
	}
	tick.Stop()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Delays of records close in time are correlated (latency.Ordered), so
	// 5 seconds hold a few dozen independent stretches: the quantiles come
	// within about 25%. The receipt adds the poll period (2 ms plus the call)
	// or the event's trip.
	for _, c := range []struct {
		what string
		got  []time.Duration
		d    latency.Dist
	}{{"GetRecords", polled, prop}, {"SubscribeToShard", pushed, fan}} {
		slices.Sort(c.got)
		for _, q := range []float64{0.5, 0.9} {
			want, got := c.d.Quantile(q), c.got[int(q*n)]
			if got < time.Duration(0.75*float64(want))-time.Millisecond || got > time.Duration(1.25*float64(want))+10*time.Millisecond {
				t.Errorf("%s p%v delay = %v, want about %v", c.what, q*100, got, want)
			}
			t.Logf("%s p%v: profile %v, measured %v", c.what, q*100, want, got)
		}
	}
}

func TestLatencyConfig(t *testing.T) {
	cfg := testConfig()
	cfg.Latency = "aws"
	cfg.PutDelay = 10 * time.Millisecond
	if err := cfg.validate(); err == nil || !strings.Contains(err.Error(), "sim: latency: profile aws cannot be combined with put_delay") {
		t.Errorf("aws with put_delay: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("put: {kind: lognormal, median: 30ms}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg = testConfig()
	cfg.Latency = bad
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), bad+":1:6: put.p99: missing") {
		t.Errorf("bad profile file: %v", err)
	}
	cfg.Latency = "aws"
	s, err := New(cfg)
	if err != nil || s.LatencyProfile() == nil || s.LatencyProfile().Name != "aws" {
		t.Errorf("aws: %v", err)
	}
	cfg.Latency = "none"
	if s, err := New(cfg); err != nil || s.LatencyProfile() != nil {
		t.Errorf("none: %v", err)
	}
	var fe *FieldError
	cfg.Latency = filepath.Join(t.TempDir(), "missing.yaml")
	if errs := cfg.Problems(); len(errs) != 1 || !errors.As(errs[0], &fe) || fe.Field != "latency" || !strings.Contains(fe.Problem, "missing.yaml") {
		t.Errorf("missing file: %v", errs)
	}
}
