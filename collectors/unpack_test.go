package collectors

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kbench/kbench/envelope"
	"github.com/kbench/kbench/metrics"
	"github.com/kbench/kbench/pack"
	"github.com/kbench/kbench/sim"
)

// putPacked writes user records from..to-1 of producer 0 in aggregates of
// per records (0: plain records, not aggregated), each compressed with codec ("" for none), through the real
// SDK client, and marks them acknowledged in run unless corrupt, which
// flips a byte of every aggregate after packing (a damaged record the
// collector must count, not crash on). It returns the user records
// acknowledged.
func putPacked(t *testing.T, c *kinesis.Client, stream string, run *metrics.Run, from, to uint64, per int, codec string, corrupt bool) int64 {
	t.Helper()
	var enc pack.Encoder
	if codec != "" {
		cd, _ := pack.Codecs.Lookup(codec)
		var err error
		if enc, err = cd.NewEncoder(cd.DefaultLevel); err != nil {
			t.Fatal(err)
		}
	}
	var entries []types.PutRecordsRequestEntry
	var a pack.Aggregate
	emit := func() {
		data := a.AppendTo(nil)
		if enc != nil {
			data, _ = enc.Encode(nil, data)
		}
		if corrupt {
			data[len(data)/2] ^= 0x20
		}
		entries = append(entries, types.PutRecordsRequestEntry{Data: data, PartitionKey: aws.String(a.PartitionKey())})
		a.Reset()
	}
	for seq := from; seq < to; seq++ {
		now := envelope.Now()
		e := envelope.Envelope{RunID: testRun, Seq: seq, Intended: now, Sent: now}
		data := append(e.Append(nil), "payload"...)
		if per == 0 {
			if enc != nil {
				data, _ = enc.Encode(nil, data)
			}
			entries = append(entries, types.PutRecordsRequestEntry{Data: data, PartitionKey: aws.String("plain")})
			continue
		}
		a.Add(fmt.Sprintf("k%d", seq%4), "", data)
		if a.Len() == per {
			emit()
		}
	}
	if a.Len() > 0 {
		emit()
	}
	out, err := c.PutRecords(t.Context(), &kinesis.PutRecordsInput{StreamName: &stream, Records: entries}, noSDKRetry)
	if err != nil {
		t.Fatal(err)
	}
	if out.FailedRecordCount != nil && *out.FailedRecordCount > 0 {
		t.Fatalf("%d records failed", *out.FailedRecordCount)
	}
	if corrupt {
		return 0
	}
	for seq := from; seq < to; seq++ {
		run.AckedSet(0).Add(seq)
	}
	run.Acked.Add(int64(to - from))
	return int64(to - from)
}

// TestUnpackAgainstSim reads plain records, aggregates compressed with
// every codec, and damaged aggregates from the simulator: every user record
// is accounted for once, and the damaged ones are counted as corrupt.
func TestUnpackAgainstSim(t *testing.T) {
	c := simClient(t, sim.DefaultConfig())
	createStream(t, c, "kb", 1)
	run := metrics.NewRun(1)
	tr := NewTracker(1)
	n := putEnveloped(t, c, "kb", run, 1, 0, 100)
	from := uint64(100)
	for _, codec := range append([]string{""}, pack.Codecs.Names()...) {
		n += putPacked(t, c, "kb", run, from, from+100, 25, codec, false)
		from += 100
	}
	for _, codec := range pack.Codecs.Names() { // compressed plain records
		n += putPacked(t, c, "kb", run, from, from+10, 0, codec, false)
		from += 10
	}
	decoded := n - 100
	putPacked(t, c, "kb", run, from, from+20, 10, "", true)       // MD5 mismatch
	putPacked(t, c, "kb", run, from+20, from+30, 10, "lz4", true) // a damaged frame
	var lines logLines
	p, err := NewPolling(Config{
		Name: "it", Stream: "kb", RunID: testRun, PollInterval: 100 * time.Millisecond,
		Primary: true, Metrics: run, Tracker: tr, App: metrics.NewApp("t"), Log: lines.log,
	}, c)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	waitSeen(t, tr, n)
	deadline := time.Now().Add(10 * time.Second)
	for p.Stats().Corrupt < 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	st := p.Stats()
	t.Logf("stats %+v", st)
	checkRun(t, run, tr, n)
	if st.Corrupt != 3 || run.Corrupt.Load() != 3 {
		t.Errorf("corrupt %d (run %d), want the 3 damaged Kinesis records", st.Corrupt, run.Corrupt.Load())
	}
	if st.Decoded != decoded || st.DecodeNs <= 0 {
		t.Errorf("decoded %d user records in %d ns, want %d", st.Decoded, st.DecodeNs, decoded)
	}
	if st.Foreign != 0 {
		t.Errorf("foreign %d", st.Foreign)
	}
	if lines.index("failed to unpack") < 0 {
		t.Error("no log line about the corrupt record")
	}
}
