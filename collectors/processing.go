package collectors

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/kbench/kbench/internal/kind"
)

// Processing is the simulated time a consumer application spends on each
// record it reads. The zero value means none: records count as consumed
// when they are received.
//
// A shard reader processes a batch serially: record i of a batch counts as
// consumed at the time processing began plus the processing times of records
// 0..i, and the reader reads its shard again only after the whole batch is
// processed. So slow processing shows up where it would in a real
// application: as end-to-end latency, as lag (MillisBehindLatest), and for
// fan-out as back-pressure on the subscription.
type Processing struct {
	// Fixed, when positive, is every record's processing time.
	Fixed time.Duration
	// Median and P99, when Median is positive, make processing times
	// log-normal with that median and 99th percentile (P99 >= Median;
	// P99 == Median means every record takes Median).
	Median, P99 time.Duration
	// Seed seeds the log-normal draws; each shard reader draws from its
	// own stream of it.
	Seed int64
}

// maxProcessing bounds one record's drawn processing time: a log-normal's
// tail is unbounded, and a draw past it would only stall the reader.
const maxProcessing = time.Hour

// z99 is the standard normal distribution's 99th percentile.
const z99 = 2.3263478740408408

// FieldError is one problem with a field of the consumer settings; Field
// is its yaml name in a scenario (fixed, median, p99).
type FieldError = kind.FieldError

// Problems returns the problems with p, each at its field: negative times,
// fixed combined with median and p99, half a log-normal, p99 below median,
// times above an hour per record.
func (p Processing) Problems() []*FieldError {
	var out []*FieldError
	bad := func(field, format string, args ...any) {
		out = append(out, &FieldError{Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	negative := false
	for _, f := range []struct {
		field string
		v     time.Duration
	}{{"fixed", p.Fixed}, {"median", p.Median}, {"p99", p.P99}} {
		if f.v < 0 {
			bad(f.field, "must not be negative, got %s", f.v)
			negative = true
		}
	}
	switch {
	case negative:
	case p.Fixed > 0 && (p.Median > 0 || p.P99 > 0):
		bad("fixed", "cannot be combined with median and p99: processing is either fixed or log-normal")
	case p.Median > 0 && p.P99 == 0:
		bad("p99", "is required with median (%s): a log-normal needs both", p.Median)
	case p.P99 > 0 && p.Median == 0:
		bad("median", "is required with p99 (%s): a log-normal needs both", p.P99)
	case p.P99 < p.Median:
		bad("p99", "must be at least median (%s), got %s", p.Median, p.P99)
	case p.Fixed > maxProcessing:
		bad("fixed", "must be at most %s per record, got %s", maxProcessing, p.Fixed)
	case p.P99 > maxProcessing:
		bad("p99", "must be at most %s per record, got %s", maxProcessing, p.P99)
	}
	return out
}

// String describes p: "none", "fixed 2ms" or "lognormal median 2ms p99 20ms".
func (p Processing) String() string {
	switch {
	case p.Fixed > 0:
		return "fixed " + p.Fixed.String()
	case p.Median > 0:
		return fmt.Sprintf("lognormal median %v p99 %v", p.Median, p.P99)
	}
	return "none"
}

// processor draws one shard reader's processing times. It belongs to one
// goroutine.
type processor struct {
	fixed     time.Duration
	mu, sigma float64    // log-normal parameters, when rng is not nil
	rng       *rand.Rand // nil unless log-normal
}

// newProcessor returns a processor for p drawing from stream number stream
// of p.Seed.
func newProcessor(p Processing, stream uint64) processor {
	if p.Median <= 0 {
		return processor{fixed: p.Fixed}
	}
	return processor{
		mu:    math.Log(float64(p.Median)),
		sigma: math.Log(float64(p.P99)/float64(p.Median)) / z99,
		rng:   rand.New(rand.NewPCG(uint64(p.Seed), stream)),
	}
}

// enabled reports whether records take any processing time.
func (p *processor) enabled() bool { return p.fixed > 0 || p.rng != nil }

// next returns the next record's processing time.
func (p *processor) next() time.Duration {
	if p.rng == nil {
		return p.fixed
	}
	d := math.Exp(p.mu + p.sigma*p.rng.NormFloat64())
	if d >= float64(maxProcessing) {
		return maxProcessing
	}
	return time.Duration(d)
}
