package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"sync/atomic"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/generators"
	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/scenarios"
)

// Putter is the part of the Kinesis client a producer uses; *kinesis.Client
// satisfies it. Build the client with SDK retries off (RetryMaxAttempts 1):
// the producer's RetryPolicy is the only retry loop, so every throttled
// attempt is seen and counted.
type Putter interface {
	PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, optFns ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error)
}

// lateSlack is how much later than its intended time, beyond the batch
// linger, a record may first go out before it counts in metrics.Run.Late.
// Lateness itself is recorded in full (linger and queueing included) in the
// lateness histogram, after warmup; Late counts every record, warmup
// included, that the producer was behind on: one that first went out more
// than linger + 10 ms after its intended time.
const lateSlack = 10 * time.Millisecond

// defaultGrace is how long PutRecords calls in flight may run on after the
// run is cancelled.
const defaultGrace = 2 * time.Second

// cutoffAllowance is how long after Duration + MaxOverrun (and the linger) a
// producer still starts calls: enough for the batch holding the last
// records due, handed to a sender just before Duration, to go out even on a
// busy machine, so a run that kept up ends with nothing unsent.
const cutoffAllowance = time.Second

// errOverrun is the cause of a producer's stop at its cutoff.
var errOverrun = errors.New("duration + max_overrun reached")

// ProducerConfig configures one producer instance.
type ProducerConfig struct {
	// ID is the producer instance id, dense from 0: the index of its
	// acknowledged-sequence set in Metrics and the envelope's producer id.
	ID uint32
	// RunID goes into every record's envelope.
	RunID uint64
	// Stream is the stream name, or its ARN if it starts with "arn:".
	Stream string
	// Generator makes the payloads, Keys the partition keys, Pacer the
	// intended send times. None of them needs to be safe for concurrent use.
	Generator generators.Generator
	Keys      generators.KeyStrategy
	Pacer     generators.Pacer
	// Start is the process-clock time (envelope.Now, Unix ns) at which the
	// run, and record offset 0, starts.
	Start int64
	// Duration bounds scheduling: records due at or after Start+Duration are
	// not scheduled.
	Duration time.Duration
	// Warmup: records intended before Start+Warmup are sent and counted but
	// kept out of the latency histograms.
	Warmup time.Duration
	// MaxOverrun bounds how long after Start+Duration a producer that fell
	// behind may go on: it stops at Start+Duration+MaxOverrun (plus
	// cutoffAllowance and Linger for the last batch), and counts what was
	// due but not sent by then as Unsent and Late. See Run.
	MaxOverrun time.Duration
	// MaxRecords is the most records per PutRecords call, 1..500.
	// MaxRecords, MaxBytes, Linger, InFlight and Retry are checked by the
	// scenario's rules (scenarios.Producer.SendProblems).
	MaxRecords int
	// MaxBytes is the most bytes (data + partition keys) per PutRecords
	// request, 1..5 MiB. A single record larger than MaxBytes (but within
	// MaxRecordSize) is sent alone.
	MaxBytes int
	// Linger is how long a partial batch waits for more records after its
	// first record arrived; 0 sends whatever is due as soon as the producer
	// would otherwise wait.
	Linger time.Duration
	// CallTimeout bounds each PutRecords call; 0 means none beyond the
	// client's own. A call that times out is failed (or retried), though
	// the target may have stored its records.
	CallTimeout time.Duration
	// InFlight is the most PutRecords calls in flight at once, 1..256.
	// A batch waiting out a retry backoff keeps its slot. With
	// OrderingPerKey it bounds the batches queued per shard instead: each
	// shard has one call in flight.
	InFlight int
	// Retry is the resend policy for failed records and calls.
	Retry RetryPolicy
	// Ordering is OrderingNone ("" too), OrderingPerKey or
	// OrderingPerKeyChain; see each. OrderingPerKeyChain needs a Putter
	// that is a RecordPutter too.
	Ordering string
	// ShardOf returns the shard id a record routes to, for attributing
	// throttles (a rejected record carries no shard id). It must be safe for
	// concurrent use. nil means every throttle is attributed to shard
	// "unknown".
	ShardOf func(partitionKey, explicitHashKey string) string
	// Packing aggregates and compresses records before batching (pack.go);
	// the zero value sends each record as generated.
	Packing Packing
	// Metrics receives every count and latency.
	Metrics *metrics.Run
	// Envelope is EnvelopePrefix (default when empty), EnvelopeField or
	// EnvelopeNone.
	Envelope string
	// Correlation is what the producer records about its inputs for an
	// application's destinations; the zero value records nothing.
	Correlation Correlation
	// Share is the part of the schedule this producer sends when a run is
	// split over workers; the zero value sends all of it.
	Share Share

	// cost is busy work per generated record, for tests that need a
	// producer slower than its target.
	cost time.Duration
}

// problems returns every problem with the configuration.
func (c *ProducerConfig) problems() []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if c.Stream == "" {
		add("Stream: must be set")
	}
	if c.Generator == nil {
		add("Generator: must be set")
	}
	if c.Keys == nil {
		add("Keys: must be set")
	}
	if c.Pacer == nil {
		add("Pacer: must be set")
	}
	if c.Metrics == nil {
		add("Metrics: must be set")
	} else if c.Metrics.AckedSet(c.ID) == nil {
		add("ID %d: Metrics was made for %d producers", c.ID, c.Metrics.Producers())
	}
	if c.Start <= 0 {
		add("Start %d: must be a process-clock time (envelope.Now)", c.Start)
	}
	if c.Duration <= 0 {
		add("Duration %v: must be positive", c.Duration)
	}
	if c.MaxOverrun < 0 {
		add("MaxOverrun %v: must not be negative", c.MaxOverrun)
	}
	if c.Warmup < 0 || c.Warmup >= c.Duration && c.Duration > 0 {
		add("Warmup %v: must be at least 0 and shorter than Duration (%v)", c.Warmup, c.Duration)
	}
	send := scenarios.Producer{
		Batch:    scenarios.Batch{MaxRecords: c.MaxRecords, MaxBytes: c.MaxBytes, Linger: c.Linger},
		InFlight: c.InFlight,
		Timeout:  c.CallTimeout,
		Retry:    scenarios.Retry(c.Retry),
		Ordering: c.Ordering,
	}
	c.Packing.describe(&send)
	for _, fe := range send.SendProblems() {
		out = append(out, fe.Error())
	}
	return out
}

// Producer sends one producer instance's records on an open-model schedule:
// every record goes out at its intended time whatever happened to the ones
// before it, and latency counts from that intended time.
type Producer struct {
	cfg ProducerConfig
	put Putter
	in  kinesis.PutRecordsInput // template: stream name or ARN

	// sleep waits before a record is due and backoff before a resend; both
	// return ctx.Err() when ctx is done first. Tests replace them.
	sleep, backoff func(ctx context.Context, d time.Duration) error
	grace          time.Duration // how long calls in flight run on after cancel
	started        atomic.Bool
	pk             *packer   // nil unless cfg.Packing is enabled
	stats          PackStats // written by the scheduling goroutine
	stamp          *stamper  // writes each record in its envelope mode
	user           []byte    // the record being generated, unpacked
	// sizes holds the size of every record generated; only the schedule
	// goroutine records into it.
	sizes *hdrhistogram.Histogram
	// tot is this instance's share of the run's counters.
	tot *metrics.ProducerTotals
}

// NewProducer validates cfg, reporting every problem at once, and returns a
// producer that sends through p.
func NewProducer(cfg ProducerConfig, p Putter) (*Producer, error) {
	probs := cfg.problems()
	var st *stamper
	if len(probs) == 0 {
		var err error
		if st, err = newStamper(&cfg); err != nil {
			probs = append(probs, err.Error())
		}
	}
	if p == nil {
		probs = append(probs, "Putter: must not be nil")
	} else if _, ok := p.(RecordPutter); !ok && cfg.Ordering == OrderingPerKeyChain {
		probs = append(probs, "Putter: ordering per_key_chain needs PutRecord")
	}
	if len(probs) > 0 {
		errs := make([]error, len(probs))
		for i, s := range probs {
			errs[i] = fmt.Errorf("runner: producer %d: %s", cfg.ID, s)
		}
		return nil, errors.Join(errs...)
	}
	pr := &Producer{cfg: cfg, put: p, sleep: sleepCtx, backoff: sleepCtx, grace: defaultGrace, stamp: st}
	pr.sizes = metrics.NewSizeHistogram()
	pr.tot = cfg.Metrics.ByProducer(cfg.ID)
	if cfg.Packing.enabled() {
		pk, err := newPacker(cfg.Packing, cfg.ShardOf, &pr.stats, st.stampSent)
		if err != nil {
			return nil, fmt.Errorf("runner: producer %d: %w", cfg.ID, err)
		}
		pr.pk = pk
	}
	stream := cfg.Stream
	if len(stream) > 4 && stream[:4] == "arn:" {
		pr.in.StreamARN = &stream
	} else {
		pr.in.StreamName = &stream
	}
	return pr, nil
}

// RecordBytes returns the histogram of the sizes, in bytes (envelope
// included, partition key not), of every record the producer generated.
// Read it after Run has returned.
func (p *Producer) RecordBytes() *hdrhistogram.Histogram { return p.sizes }

// Run schedules, sends and settles every record due within Duration. It
// blocks until every record is settled (acknowledged or failed), the cutoff
// comes, or ctx is cancelled, and may be called once.
//
// The cutoff is Start + Duration + MaxOverrun + Linger + 1 s: a producer
// that fell behind (a target slower than the schedule, or kbench itself)
// stops there whatever is still due, so the run's length does not depend on
// the target. Records generated but not sent (or not settled) by then are
// counted in Metrics.Unsent with cause overrun, records due but not yet
// generated with cause not_generated; both count as Late.
//
// Cancelling ctx stops scheduling at once; what was generated but not sent
// is counted in Metrics.Unsent with cause run_stopped. After either stop,
// PutRecords calls in flight get a grace period (2 s) to finish under a
// context of their own; their acknowledged records count as acked, and
// whatever is still unsettled after that (a call cut off, a record waiting
// to be resent) is counted as Unsent too: such a record may or may not have
// landed, which is why loss accounting trusts only acks. Whole-call errors
// are counted and retried, never returned: Run returns ctx.Err() when it was
// cancelled and nil otherwise. On return, for this producer's records,
// Produced + Unsent(not_generated) == Acked + Failed + Unsent.
func (p *Producer) Run(ctx context.Context) error {
	if !p.started.CompareAndSwap(false, true) {
		return errors.New("runner: Producer.Run called twice")
	}
	parent := ctx
	ctx, stop := context.WithDeadlineCause(ctx, time.Unix(0, p.cutoff()), errOverrun)
	defer stop()
	callCtx, stopCalls := context.WithCancel(context.WithoutCancel(ctx))
	defer stopCalls()
	done := make(chan struct{})
	go func() { // cut calls in flight off a grace period after the stop
		select {
		case <-done:
			return
		case <-ctx.Done():
		}
		t := time.NewTimer(p.grace)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
			stopCalls()
		}
	}()

	var wg sync.WaitGroup
	ls := p.newLanes(ctx, callCtx, &wg)
	p.schedule(ctx, ls)
	ls.close()
	wg.Wait()
	close(done)
	if c, ok := p.cfg.Generator.(io.Closer); ok {
		if err := c.Close(); err != nil && parent.Err() == nil {
			return err
		}
	}
	return parent.Err()
}

// cutoff is the process-clock time at which the producer stops, saturating
// instead of overflowing.
func (p *Producer) cutoff() int64 {
	c := &p.cfg
	at := c.Start
	for _, d := range []time.Duration{c.Duration, c.MaxOverrun, c.Linger, cutoffAllowance} {
		if d > 0 && at > math.MaxInt64-int64(d) {
			return math.MaxInt64
		}
		at += int64(d)
	}
	return at
}

// unsent counts n records generated but never sent (or never settled) under
// the cause of ctx's stop; late of them were never sent at all and, when
// the cutoff stopped them, count as Late.
func (p *Producer) unsent(ctx context.Context, n, late int64) {
	m := p.cfg.Metrics
	if errors.Is(context.Cause(ctx), errOverrun) {
		m.AddUnsent(metrics.UnsentOverrun, n)
		m.Late.Add(late)
		return
	}
	m.AddUnsent(metrics.UnsentRunStopped, n)
}

// notGenerated counts, when the cutoff stopped the schedule, the records
// from n on that were due within Duration but never generated: as Unsent
// (not_generated), as Late, and as scheduled when due after warmup. off is
// record n's offset, already drawn from the pacer.
func (p *Producer) notGenerated(ctx context.Context, n uint64, off time.Duration, ok bool) {
	if !errors.Is(context.Cause(ctx), errOverrun) {
		return
	}
	c := &p.cfg
	var k, measured int64
	for ; ok && off < c.Duration; off, ok = c.Pacer.Due(n) {
		k++
		if off >= c.Warmup {
			measured++
		}
		n = c.Share.next(n)
	}
	c.Metrics.AddUnsent(metrics.UnsentNotGenerated, k)
	c.Metrics.Late.Add(k)
	c.Metrics.AddScheduled(c.ID, measured)
}

// schedule is the open-model loop: it generates record n when it is due,
// never waiting for a reply, and hands full or lingered batches to their
// lanes' senders. When a lane's senders are busy and its queue is full it
// blocks on the queue; the records keep their intended times, so the
// backlog shows in lateness and delivery latency instead of being hidden.
// It returns when the schedule ends or ctx is done, after handing over or
// counting as Unsent every record it generated, and (at the cutoff) the
// ones it did not.
func (p *Producer) schedule(ctx context.Context, ls *lanes) {
	c := &p.cfg
	if c.Share.Elsewhere {
		return
	}
	m := c.Metrics
	env := envelope.Envelope{RunID: c.RunID, ProducerID: c.ID}
	defer m.SetDue(c.ID, 0)
	finite, _ := c.Generator.(generators.Finite)

	// flush hands a batch to its lane's senders, which may block, and
	// rereads the clock; false means cancelled (its records are then
	// counted as Unsent).
	var now int64
	flush := func(l *lane, b *batch) bool {
		if b == nil {
			return true
		}
		if !ls.hand(ctx, l, b) {
			p.unsent(ctx, b.userTotal(), b.userTotal())
			l.bt.recycle(b)
			return false
		}
		now = envelope.Now()
		return true
	}
	defer func() { // on cancel: what the open batches hold was never sent
		for _, l := range ls.all() {
			if b := l.bt.take(); b != nil {
				p.unsent(ctx, b.userTotal(), b.userTotal())
			}
		}
		if p.pk != nil {
			p.unsent(ctx, p.pk.pending(), p.pk.pending())
		}
	}()
	// added hands over what committing a record to l closed.
	added := func(l *lane, spill *batch) bool {
		return flush(l, spill) && (!l.bt.full() || flush(l, l.bt.take()))
	}
	emit := func(off int, pk, ehk string, users []member) bool { // a packed record
		l := ls.of(pk, ehk)
		spill, reject := l.bt.commitPacked(off, now, pk, ehk, users)
		if reject != "" {
			m.AddFailed(reject, int64(len(users)))
			p.tot.Failed.Add(int64(len(users)))
			for _, u := range users {
				m.GivenUpSets()[c.ID].Add(u.seq)
			}
			return true
		}
		return added(l, spill)
	}
	// lingered hands over every batch and aggregate whose linger ended and
	// returns the earliest linger end still ahead; alive is false when
	// cancelled.
	lingered := func() (next int64, has, alive bool) {
		for _, l := range ls.all() {
			dl, ok := l.bt.deadline()
			if ok && dl <= now {
				if !flush(l, l.bt.take()) {
					return 0, false, false
				}
				continue
			}
			if ok && (!has || dl < next) {
				next, has = dl, true
			}
		}
		if p.pk == nil {
			return next, has, true
		}
		dl, ok := p.pk.deadline()
		if ok && dl <= now {
			if !p.pk.flushDue(ls.batcherOf, now, false, emit) {
				return 0, false, false
			}
			return now, true, true // look again: the aggregates went into batches
		}
		if ok && (!has || dl < next) {
			next, has = dl, true
		}
		return next, has, true
	}

	now = envelope.Now()
	for n := c.Share.first(); ; n = c.Share.next(n) {
		off, ok := c.Pacer.Due(n)
		if !ok || off >= c.Duration { // compared as offsets: no overflow
			break
		}
		due := c.Start + int64(off)
		m.SetDue(c.ID, due)
		if due > now {
			now = envelope.Now()
		}
		for due > now { // not due yet: send what lingered or wait
			next, has, alive := lingered()
			if !alive {
				p.notGenerated(ctx, n, off, true)
				return
			}
			wake := due
			if has {
				if next <= now {
					continue
				}
				wake = min(wake, next)
			}
			if p.sleep(ctx, time.Duration(wake-now)) != nil {
				p.notGenerated(ctx, n, off, true)
				return
			}
			now = envelope.Now()
		}
		if c.Share.local(n)%64 == 0 && ctx.Err() != nil {
			p.notGenerated(ctx, n, off, true)
			return
		}
		if c.cost > 0 {
			for t := envelope.Now(); envelope.Now()-t < int64(c.cost); {
			}
		}
		if finite != nil && finite.Exhausted() {
			break
		}

		env.Seq, env.Intended = n, due
		if p.pk != nil { // generated apart, then packed into the batch
			var entity string
			p.pk.user, entity = p.stamp.append(p.pk.user[:0], &env, c.Generator, now)
			metrics.RecordSize(p.sizes, len(p.pk.user))
			pk, ehk := c.Keys.Key(entity)
			m.Produced.Add(1)
			p.tot.Produced.Add(1)
			if off >= c.Warmup {
				m.CountScheduled(c.ID)
			}
			if !p.pk.add(ls.batcherOf, n, due, now, pk, ehk, emit) {
				p.notGeneratedAfter(ctx, n)
				return
			}
			continue
		}
		// The key comes from the generated record, the lane from the key:
		// generate into scratch, then copy into the lane's batch.
		var entity string
		p.user, entity = p.stamp.append(p.user[:0], &env, c.Generator, now)
		metrics.RecordSize(p.sizes, len(p.user))
		pk, ehk := c.Keys.Key(entity)
		m.Produced.Add(1)
		p.tot.Produced.Add(1)
		if off >= c.Warmup {
			m.CountScheduled(c.ID)
		}
		p.stats.plain(len(p.user) + len(pk))
		l := ls.of(pk, ehk)
		b := l.bt.open()
		start := len(b.buf)
		b.buf = append(b.buf, p.user...)
		spill, reject := l.bt.commit(start, n, due, now, pk, ehk)
		if reject != "" {
			m.AddFailed(reject, 1)
			p.tot.Failed.Add(1)
			m.GivenUpSets()[c.ID].Add(n)
			continue
		}
		if !added(l, spill) {
			p.notGeneratedAfter(ctx, n)
			return
		}
	}
	if p.pk != nil && !p.pk.flushDue(ls.batcherOf, now, true, emit) {
		return
	}
	for _, l := range ls.all() {
		if !flush(l, l.bt.take()) {
			return
		}
	}
}

// notGeneratedAfter is notGenerated from the share's record after n, which
// was generated.
func (p *Producer) notGeneratedAfter(ctx context.Context, n uint64) {
	next := p.cfg.Share.next(n)
	off, ok := p.cfg.Pacer.Due(next)
	p.notGenerated(ctx, next, off, ok)
}

// PackStats returns what the producer's packing did (for a producer that
// does not pack, its records and bytes as sent); call it after Run
// returned.
func (p *Producer) PackStats() PackStats { return p.stats }
