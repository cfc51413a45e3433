package merge

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/kbench/kbench/gate"
	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/runner"
)

// merger holds one merge's inputs and what it has merged so far.
type merger struct {
	ins          []*input
	out          string
	missing      []int
	skipped      []string
	start, ended time.Time
	// acked is every worker's acknowledged records, by producer instance.
	acked []*metrics.SeqSet
}

// run merges the files and computes the summary.
func (m *merger) run() (*results.Summary, error) {
	m.start, m.ended = m.ins[0].state.StartAt, m.ins[0].sum.Config.EndedAt
	for _, in := range m.ins {
		if in.state.StartAt.Before(m.start) {
			m.start = in.state.StartAt
		}
		if in.sum.Config.EndedAt.After(m.ended) {
			m.ended = in.sum.Config.EndedAt
		}
	}
	lat := map[string]*series{}
	for _, name := range latencyNames {
		s, err := m.mergeHlog(name + results.HlogExt)
		if err != nil {
			return nil, err
		}
		lat[name] = s
	}
	rows, err := m.mergeTimeseries(lat[metrics.LatE2E], lat[metrics.LatPut])
	if err != nil {
		return nil, err
	}
	sizes, err := m.mergeTagged(results.RecordBytesFile, metrics.NewSizeHistogram)
	if err != nil {
		return nil, err
	}
	if err := m.writeRecordBytes(sizes); err != nil {
		return nil, err
	}
	apps, err := m.mergeTagged(results.WorkerHistsFile, metrics.NewHistogram)
	if err != nil {
		return nil, err
	}
	s, err := m.summary(lat, rows, sizes, apps)
	if err != nil {
		return nil, err
	}
	if err := m.writeTimeseries(rows); err != nil {
		return nil, err
	}
	if err := results.WriteSummary(m.out, s); err != nil {
		return nil, err
	}
	return s, nil
}

// latencyNames are the run's latency histograms, as .hlog stems.
var latencyNames = []string{
	metrics.LatPut, metrics.LatDelivery, metrics.LatE2E, metrics.LatE2EUncorrected,
	metrics.LatLateness, metrics.LatSendToArrival, metrics.LatArrivalToConsumed,
}

// crossHost are the latencies measured on two hosts' clocks (a record
// produced on one worker and consumed on another).
var crossHost = []string{metrics.LatE2E, metrics.LatE2EUncorrected}

// summary computes the merged summary.json.
func (m *merger) summary(lat map[string]*series, rows []results.Row, sizes, apps *tagged) (*results.Summary, error) {
	first := m.ins[0].sum
	s := &results.Summary{
		SchemaVersion: results.SchemaVersion, RunID: first.RunID, Scenario: first.Scenario, Target: first.Target,
		Config: first.Config, Latency: map[string]results.LatencyStats{}, Events: first.Events,
	}
	s.Config.StartedAt, s.Config.EndedAt = m.start, m.ended
	var hosts []string
	for _, in := range m.ins {
		if h := in.sum.Config.Host; !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
		for _, e := range in.sum.Errors {
			s.Errors = append(s.Errors, fmt.Sprintf("worker %d: %s", in.state.Index, e))
		}
	}
	s.Config.Host = strings.Join(hosts, ",")
	s.Config.Notes = []string{fmt.Sprintf("merged from %d of %d workers by kbench merge: histograms added interval by interval, "+
		"loss and duplicates computed across workers", len(m.ins), first.Worker.Count)}
	// Each worker's first note says it is one worker; the others are the
	// run's, each kept once.
	for _, in := range m.ins {
		for i, n := range in.sum.Config.Notes {
			if i > 0 && !slices.Contains(s.Config.Notes, n) {
				s.Config.Notes = append(s.Config.Notes, n)
			}
		}
	}
	for name, l := range lat {
		if l != nil {
			s.Latency[name] = results.LatencyFrom(l.total)
		}
	}
	m.totals(s)
	m.accounting(s, apps)
	s.Throughput = results.ThroughputOf(rows)
	m.perShard(s, apps)
	m.producers(s, sizes)
	m.deadline(s, apps)
	if err := m.destinations(s, rows); err != nil {
		return nil, err
	}
	if err := m.application(s); err != nil {
		return nil, err
	}
	s.Bottleneck = m.bottleneck(rows, s)
	onDemand := false
	if st, ok := s.Scenario["stream"].(map[string]any); ok {
		onDemand = st["mode"] == "on-demand"
	}
	var ackedBytes int64
	for _, in := range m.ins {
		ackedBytes += in.state.ProducedBytes
	}
	s.Cost = runner.Cost(s.Totals.Acked, s.Totals.KinesisRecords, ackedBytes, s.Throughput.AckedRPS, m.ins[0].state.OpenShards, onDemand)
	m.workers(s)
	var thresholds []string
	if ts, ok := s.Scenario["thresholds"].([]any); ok {
		for _, t := range ts {
			if t, ok := t.(string); ok {
				thresholds = append(thresholds, t)
			}
		}
	}
	gate.Judge(s, thresholds)
	return s, nil
}

// totals sums the workers' counters.
func (m *merger) totals(s *results.Summary) {
	t := &s.Totals
	t.FailedByReason, t.UnsentByCause = map[string]int64{}, map[string]int64{}
	t.OutOfOrderExact, t.OutOfOrderKeyShare = true, 1
	for _, in := range m.ins {
		w := in.sum.Totals
		t.Produced += w.Produced
		t.Acked += w.Acked
		t.Failed += w.Failed
		t.Unsent += w.Unsent
		t.Late += w.Late
		t.Throttled += w.Throttled
		t.Retried += w.Retried
		t.Calls += w.Calls
		t.CallErrors += w.CallErrors
		t.Foreign += w.Foreign
		t.KinesisRecords += w.KinesisRecords
		t.Corrupt += w.Corrupt
		t.GetRecordsCalls += w.GetRecordsCalls
		t.GetThrottled += w.GetThrottled
		for k, v := range w.FailedByReason {
			t.FailedByReason[k] += v
		}
		for k, v := range w.UnsentByCause {
			t.UnsentByCause[k] += v
		}
		addOrder(&t.Order, w.Order)
	}
	if n, ok := m.lateKeys(0); ok {
		t.Order.OutOfOrderKeys = n
	}
	t.Scheduled = t.Acked + t.Failed + t.Unsent
	if answered := t.Throttled + t.KinesisRecords; answered > 0 {
		s.ThrottleRatio = float64(t.Throttled) / float64(answered)
	}
}

// addOrder adds one worker's out-of-order counts: each record is read on one
// worker, so the late records add and the largest displacement is the
// largest of any worker. The out-of-order keys add too when the workers'
// lists of them are not there (lateKeys counts them otherwise).
func addOrder(o *results.Order, w results.Order) {
	o.OutOfOrder += w.OutOfOrder
	o.OutOfOrderKeys += w.OutOfOrderKeys
	o.OutOfOrderMaxDisplacement = max(o.OutOfOrderMaxDisplacement, w.OutOfOrderMaxDisplacement)
	o.OutOfOrderExact = o.OutOfOrderExact && w.OutOfOrderExact
	o.OutOfOrderKeyShare = min(o.OutOfOrderKeyShare, w.OutOfOrderKeyShare)
}

// lateKeys counts the keys consumer application a read out of order on any
// worker: a key late on two workers (its records split between a shard and
// its child, read by different workers) is one key, as in one process. ok
// is false when a worker's results lack the list.
func (m *merger) lateKeys(a int) (n int64, ok bool) {
	union := map[uint64]struct{}{}
	for _, in := range m.ins {
		if a >= len(in.seqs.LateKeys) {
			return 0, false
		}
		for _, id := range in.seqs.LateKeys[a] {
			union[id] = struct{}{}
		}
	}
	return int64(len(union)), true
}

// accounting computes, per consumer application, what it consumed, lost,
// left unread and saw twice across every worker from their sequence sets,
// and the rest of its row from the workers' rows.
func (m *merger) accounting(s *results.Summary, apps *tagged) {
	producers := m.ins[0].state.Producers
	acked := make([]*metrics.SeqSet, producers)
	for p := range acked {
		acked[p] = new(metrics.SeqSet)
		for _, in := range m.ins {
			acked[p].Or(in.seqs.Acked[p])
		}
	}
	m.acked = acked
	// The single-process rule across workers: unseen records are lost when
	// every worker's copy of the application was at the tip of its shards
	// more than a second after the last acknowledged write of any worker,
	// and none was still reading.
	var lastAck int64
	for _, in := range m.ins {
		lastAck = max(lastAck, in.state.LastAck)
	}
	s.Totals.Duplicates = 0
	for a, first := range m.ins[0].sum.Consumers {
		cs := first
		cs.Calls, cs.Throttled, cs.Checkpoints, cs.AtRiskMax, cs.Restarts, cs.Rewound = 0, 0, 0, 0, 0, 0
		cs.ProcessingS, cs.ConsumedRPS, cs.MillisBehindMax, cs.Corrupt = 0, 0, 0, 0
		cs.Order = results.Order{OutOfOrderExact: true, OutOfOrderKeyShare: 1}
		var decoded, decodeNs, dups int64
		readPast := len(m.missing) == 0
		for _, in := range m.ins {
			w := in.sum.Consumers[a]
			st := in.state.Apps[a]
			cs.Calls += w.Calls
			cs.Throttled += w.Throttled
			cs.Checkpoints += w.Checkpoints
			// Each worker's records at risk were at risk at once at
			// worst: the sum bounds the run's largest.
			cs.AtRiskMax += w.AtRiskMax
			cs.Restarts = max(cs.Restarts, w.Restarts)
			cs.Rewound += w.Rewound
			cs.ProcessingS += w.ProcessingS
			cs.ConsumedRPS += w.ConsumedRPS
			cs.MillisBehindMax = max(cs.MillisBehindMax, w.MillisBehindMax)
			cs.Corrupt += w.Corrupt
			addOrder(&cs.Order, w.Order)
			decoded += st.Decoded
			decodeNs += st.DecodeNs
			dups += st.Duplicates
			readPast = readPast && !st.Reading && st.TipAt > lastAck+int64(runner.ReadPastMargin)
		}
		if n, ok := m.lateKeys(a); ok {
			cs.Order.OutOfOrderKeys = n
		}
		var consumed, missing, unacked int64
		for p := range producers {
			seen := new(metrics.SeqSet)
			var sum int64
			for _, in := range m.ins {
				sum += in.seqs.Seen[a][p].Len()
				seen.Or(in.seqs.Seen[a][p])
			}
			n := seen.Len()
			consumed += n
			dups += sum - n // seen on two workers
			missing += acked[p].Missing(seen)
			unacked += seen.Missing(acked[p])
		}
		cs.Consumed, cs.Duplicates, cs.FailedDelivered = consumed, dups, unacked
		cs.Lost, cs.Unread = 0, 0
		if readPast {
			cs.Lost = missing
		} else {
			cs.Unread = missing
		}
		cs.DecodeNsPerRecord = 0
		if decoded > 0 {
			cs.DecodeNsPerRecord = float64(decodeNs) / float64(decoded)
		}
		cs.Latency = map[string]results.LatencyStats{}
		for name := range first.Latency {
			cs.Latency[name] = results.LatencyFrom(apps.get(results.AppHistTag(a, "", name)))
		}
		s.Consumers = append(s.Consumers, cs)
		s.Totals.Duplicates += dups
		if a == 0 {
			s.Totals.Consumed, s.Totals.FailedDelivered = consumed, unacked
		}
		s.Totals.Lost, s.Totals.Unread = max(s.Totals.Lost, cs.Lost), max(s.Totals.Unread, cs.Unread)
	}
}

// throughput is the mean of the merged measured seconds, as the runner
// computes it from its own.
// perShard combines the workers' rows of each shard: every worker wrote to
// every shard, and one read it.
func (m *merger) perShard(s *results.Summary, apps *tagged) {
	rows := map[string]*results.ShardStats{}
	writes := map[string][2]int64{}
	for _, in := range m.ins {
		for _, w := range in.sum.PerShard {
			sh := rows[w.ShardID]
			if sh == nil {
				sh = &results.ShardStats{ShardID: w.ShardID}
				rows[w.ShardID] = sh
			}
			sh.Records += w.Records
			sh.Bytes += w.Bytes
			sh.Throttled += w.Throttled
			sh.Consumed += w.Consumed
			sh.KinesisRecords += w.KinesisRecords
			sh.Closed = sh.Closed || w.Closed
			sh.OutOfOrder += w.OutOfOrder
			sh.OutOfOrderKeys += w.OutOfOrderKeys
			sh.OutOfOrderMaxDisplacement = max(sh.OutOfOrderMaxDisplacement, w.OutOfOrderMaxDisplacement)
		}
		for id, fl := range in.state.Shards {
			cur, ok := writes[id]
			if fl[0] == 0 {
				continue
			}
			if !ok || cur[0] == 0 {
				cur = fl
			}
			writes[id] = [2]int64{min(cur[0], fl[0]), max(cur[1], fl[1])}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(rows)) {
		sh := rows[id]
		fl := writes[id]
		secs := max(time.Duration(fl[1]-fl[0]), time.Second).Seconds()
		sh.RecordsPerS = float64(sh.Records) / secs
		sh.BytesPerS = float64(sh.Bytes) / secs
		sh.E2E = results.LatencyFrom(apps.get(results.AppHistTag(0, id, metrics.LatE2E)))
		runner.ShardQuotas(sh)
		s.PerShard = append(s.PerShard, *sh)
	}
}

// producers combines each producer spec's packing sums and record sizes.
func (m *merger) producers(s *results.Summary, sizes *tagged) {
	for i, p := range m.ins[0].sum.Producers {
		var sums results.PackSums
		for _, in := range m.ins {
			if i < len(in.state.Pack) {
				w := in.state.Pack[i]
				sums.Records += w.Records
				sums.RawBytes += w.RawBytes
				sums.Kinesis += w.Kinesis
				sums.SentBytes += w.SentBytes
				sums.EncodeNs += w.EncodeNs
			}
		}
		runner.PackFigures(&p, sums)
		if h, ok := sizes.hists[p.Name]; ok {
			p.RecordBytes = results.SizeFrom(h)
		}
		s.Producers = append(s.Producers, p)
	}
}

// deadline sums the time value of data, run-wide and per application, and
// takes the staleness from the merged end-to-end histograms.
func (m *merger) deadline(s *results.Summary, apps *tagged) {
	var ref time.Duration
	if d := m.ins[0].sum.Deadline; d != nil {
		ref = time.Duration(d.DeadlineMS * 1e6)
	}
	merge := func(get func(*results.Summary) *results.DeadlineStats, e2e string) *results.DeadlineStats {
		var out *results.DeadlineStats
		for _, in := range m.ins {
			w := get(in.sum)
			if w == nil {
				continue
			}
			if out == nil {
				out = &results.DeadlineStats{DeadlineMS: w.DeadlineMS}
				for _, p := range w.ByProducer {
					out.ByProducer = append(out.ByProducer, results.ProducerDeadline{Producer: p.Producer, DeadlineMS: p.DeadlineMS})
				}
			}
			out.Scheduled += w.Scheduled
			out.Measured += w.Measured
			out.OnTime += w.OnTime
			for i, p := range w.ByProducer {
				if i < len(out.ByProducer) {
					o := &out.ByProducer[i]
					o.Scheduled, o.Measured, o.OnTime = o.Scheduled+p.Scheduled, o.Measured+p.Measured, o.OnTime+p.OnTime
				}
			}
		}
		if out == nil {
			return nil
		}
		out.OnTimeRatio = ratio(out.OnTime, out.Scheduled)
		for i := range out.ByProducer {
			out.ByProducer[i].OnTimeRatio = ratio(out.ByProducer[i].OnTime, out.ByProducer[i].Scheduled)
		}
		out.Staleness = runner.Staleness(apps.get(e2e), ref, out.Scheduled)
		return out
	}
	s.Deadline = merge(func(w *results.Summary) *results.DeadlineStats { return w.Deadline }, results.AppHistTag(0, "", metrics.LatE2E))
	for a := range s.Consumers {
		s.Consumers[a].Deadline = merge(func(w *results.Summary) *results.DeadlineStats {
			if a < len(w.Consumers) {
				return w.Consumers[a].Deadline
			}
			return nil
		}, results.AppHistTag(a, "", metrics.LatE2E))
	}
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// bottleneckOrder is the order in which the runner tests the kinds: the
// first any worker reports is the merged verdict.
var bottleneckOrder = []string{results.BottleneckGenerator, results.BottleneckTarget, results.BottleneckConsumer, results.BottleneckNone}

// bottleneck combines the workers' verdicts: the generator or target kind
// first in the runner's order, with that worker's reason, and the worst
// CPU, in-flight and schedule figures. The consumers are judged on the
// merged time series (a worker's own backlog means nothing: it reads other
// workers' records): acknowledged records piling up unread over the
// measured window.
func (m *merger) bottleneck(rows []results.Row, s *results.Summary) *results.Bottleneck {
	var out *results.Bottleneck
	rank := len(bottleneckOrder)
	for _, in := range m.ins {
		b := in.sum.Bottleneck
		if b == nil {
			continue
		}
		if out == nil {
			out = &results.Bottleneck{Kind: results.BottleneckNone}
		}
		if r := slices.Index(bottleneckOrder[:2], b.Kind); r >= 0 && r < rank {
			rank, out.Kind, out.Reason = r, b.Kind, fmt.Sprintf("worker %d: %s", in.state.Index, b.Reason)
		}
		out.CPURatio = max(out.CPURatio, b.CPURatio)
		out.Cores += b.Cores
		out.InFlightRatio = max(out.InFlightRatio, b.InFlightRatio)
		out.SendWaitRatio = max(out.SendWaitRatio, b.SendWaitRatio)
		out.ScheduleLagMS = max(out.ScheduleLagMS, b.ScheduleLagMS)
		out.InProcessTarget = out.InProcessTarget || b.InProcessTarget
	}
	if out == nil {
		return nil
	}
	var before, last int64
	var secs float64
	for i, row := range rows {
		if row.Phase != results.PhaseMeasure {
			continue
		}
		if secs == 0 && i > 0 {
			before = rows[i-1].Backlog
		}
		secs++
		last = row.Backlog
	}
	if secs > 0 {
		out.BacklogGrowthRPS = float64(last-before) / secs
	}
	if out.Kind == results.BottleneckNone && len(s.Consumers) > 0 { // with none, kbench read nothing to judge
		getThrottled := ratio(s.Totals.GetThrottled, s.Totals.GetRecordsCalls)
		if why := runner.ConsumerBottleneck(out.BacklogGrowthRPS, s.Throughput.AckedRPS, getThrottled); why != "" {
			out.Kind, out.Reason = results.BottleneckConsumer, why
		}
	}
	if out.Reason == "" {
		out.Reason = "no limit was reached: kbench, the target and the consumers kept up with the schedule"
	}
	return out
}

// clockShareLimit is the share of the end-to-end p50 above which the
// report warns that the hosts' clocks blur the latencies.
const clockShareLimit = 0.05

// workers fills the merge's own section: who was merged, who is missing,
// and the worst-case clock error beside every cross-host latency.
func (m *merger) workers(s *results.Summary) {
	w := &results.MergeInfo{Count: m.ins[0].state.Count, Missing: m.missing, Incomplete: len(m.missing) > 0}
	lo, hi, unc := math.Inf(1), math.Inf(-1), []float64{}
	for _, in := range m.ins {
		wi := *in.sum.Worker
		w.Merged = append(w.Merged, wi)
		lo, hi = min(lo, wi.Clock.OffsetMS), max(hi, wi.Clock.OffsetMS)
		unc = append(unc, wi.Clock.UncertaintyMS)
	}
	slices.Sort(unc)
	switch {
	case unc[0] < 0:
		w.ClockErrorMS = -1
	case len(unc) == 1:
		w.ClockErrorMS = 0 // one host's clock against itself
	default:
		w.ClockErrorMS = math.Round((hi-lo+unc[len(unc)-1]+unc[len(unc)-2])*1e3) / 1e3
	}
	if p50 := s.Latency[metrics.LatE2E].P50; p50 > 0 && w.ClockErrorMS >= 0 {
		w.ClockErrorShare = w.ClockErrorMS / p50
	}
	if w.ClockErrorMS != 0 {
		for _, name := range crossHost {
			if l, ok := s.Latency[name]; ok {
				l.ClockErrorMS = w.ClockErrorMS
				s.Latency[name] = l
			}
		}
		// An output read on one worker of an input sent by another.
		for _, d := range s.Destinations {
			for name, l := range d.Latency {
				l.ClockErrorMS = w.ClockErrorMS
				d.Latency[name] = l
			}
		}
	}
	for _, sk := range m.skipped {
		s.Config.Notes = append(s.Config.Notes, "left out: "+sk)
	}
	switch {
	case w.Incomplete:
		s.Config.Notes = append(s.Config.Notes, fmt.Sprintf("INCOMPLETE: %s missing; its records and the shards it read are not in these results",
			workerList(m.missing, w.Count)))
	case w.ClockErrorMS < 0:
		s.Config.Notes = append(s.Config.Notes, "a worker's clock could not be measured: the clock error of cross-host latencies is unknown")
	case w.ClockErrorShare > clockShareLimit:
		s.Config.Notes = append(s.Config.Notes, fmt.Sprintf("the workers' clocks may differ by up to %.3f ms, %.0f%% of the end-to-end p50: "+
			"cross-host latencies carry that error", w.ClockErrorMS, 100*w.ClockErrorShare))
	}
	s.Workers = w
}
