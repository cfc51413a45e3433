package conformance

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/kbench/kbench/targets"
)

// Bounds on one case: its whole run, and how often and how long it polls
// for an asynchronous state change (stream ACTIVE, consumer ACTIVE, ...).
const (
	caseTimeout  = 30 * time.Second
	pollInterval = 50 * time.Millisecond
	pollTimeout  = 10 * time.Second
)

// maxHashKey is 2^128-1, the top of the Kinesis hash key space.
var maxHashKey = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))

// streamSeq makes stream names unique within the test binary.
var streamSeq atomic.Int64

// caseContext returns a context that ends with the test or after caseTimeout.
func caseContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), caseTimeout)
	t.Cleanup(cancel)
	return ctx
}

// streamName returns a fresh stream name derived from the test's name.
func streamName(t *testing.T) string {
	base := t.Name()
	if i := strings.LastIndex(base, "/"); i >= 0 {
		base = base[i+1:]
	}
	base = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '-'
	}, base)
	return fmt.Sprintf("conf-%s-%d", base, streamSeq.Add(1))
}

// createStream creates an ACTIVE provisioned stream of shards shards, as
// kbench does, and deletes it when the test ends.
func createStream(t *testing.T, c *kinesis.Client, shards int) string {
	t.Helper()
	name := streamName(t)
	created, err := targets.EnsureStream(caseContext(t), c, targets.StreamSpec{Name: name, Shards: shards})
	if created {
		deleteAtCleanup(t, c, name)
	}
	if err != nil {
		t.Fatalf("create stream %s: %v", name, err)
	}
	return name
}

// deleteAtCleanup deletes the stream (which must carry kbench's created-by
// tag) when the test ends.
func deleteAtCleanup(t *testing.T, c *kinesis.Client, name string) {
	t.Cleanup(func() {
		// t.Context is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
		defer cancel()
		if err := targets.DeleteStream(ctx, c, name); err != nil {
			t.Errorf("delete stream %s: %v", name, err)
		}
	})
}

// describe returns the stream's full description (at most 100 shards).
func describe(ctx context.Context, t *testing.T, c *kinesis.Client, name string) *types.StreamDescription {
	t.Helper()
	out, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)})
	if err != nil {
		t.Fatalf("DescribeStream %s: %v", name, err)
	}
	return out.StreamDescription
}

// shards lists every shard of the stream, following ListShards pagination.
func shards(ctx context.Context, t *testing.T, c *kinesis.Client, name string) []types.Shard {
	t.Helper()
	s, err := targets.Shards(ctx, c, name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// openShards returns the shards without an EndingSequenceNumber.
func openShards(all []types.Shard) []types.Shard {
	var open []types.Shard
	for _, s := range all {
		if s.SequenceNumberRange == nil || s.SequenceNumberRange.EndingSequenceNumber == nil {
			open = append(open, s)
		}
	}
	return open
}

// parseBig parses a decimal string (a hash key or sequence number).
func parseBig(t *testing.T, what, s string) *big.Int {
	t.Helper()
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		t.Fatalf("%s %q is not a decimal integer", what, s)
	}
	return n
}

// partitionHash is Kinesis's routing key: the MD5 of the partition key read
// as a big-endian 128-bit unsigned integer.
func partitionHash(key string) *big.Int {
	sum := md5.Sum([]byte(key))
	return new(big.Int).SetBytes(sum[:])
}

// shardFor returns the id of the shard among list whose hash key range
// holds h, or "" when none does.
func shardFor(t *testing.T, list []types.Shard, h *big.Int) string {
	t.Helper()
	for _, s := range list {
		lo := parseBig(t, "StartingHashKey", aws.ToString(s.HashKeyRange.StartingHashKey))
		hi := parseBig(t, "EndingHashKey", aws.ToString(s.HashKeyRange.EndingHashKey))
		if lo.Cmp(h) <= 0 && h.Cmp(hi) <= 0 {
			return aws.ToString(s.ShardId)
		}
	}
	return ""
}

// checkPartition fails t unless the shards' hash key ranges, taken in
// starting-key order, cover 0..2^128-1 without gap or overlap.
func checkPartition(t *testing.T, list []types.Shard) {
	t.Helper()
	type span struct{ lo, hi *big.Int }
	spans := make([]span, 0, len(list))
	for _, s := range list {
		if s.HashKeyRange == nil {
			t.Fatalf("shard %s has no HashKeyRange", aws.ToString(s.ShardId))
		}
		spans = append(spans, span{
			parseBig(t, "StartingHashKey", aws.ToString(s.HashKeyRange.StartingHashKey)),
			parseBig(t, "EndingHashKey", aws.ToString(s.HashKeyRange.EndingHashKey)),
		})
	}
	for i := 1; i < len(spans); i++ { // insertion sort: a handful of shards
		for j := i; j > 0 && spans[j].lo.Cmp(spans[j-1].lo) < 0; j-- {
			spans[j], spans[j-1] = spans[j-1], spans[j]
		}
	}
	next := big.NewInt(0)
	for _, s := range spans {
		if s.lo.Cmp(next) != 0 {
			t.Fatalf("hash key ranges: range starts at %v, want %v (gap or overlap)", s.lo, next)
		}
		if s.hi.Cmp(s.lo) < 0 {
			t.Fatalf("hash key range %v..%v is empty", s.lo, s.hi)
		}
		next = new(big.Int).Add(s.hi, big.NewInt(1))
	}
	if want := new(big.Int).Add(maxHashKey, big.NewInt(1)); next.Cmp(want) != 0 {
		t.Fatalf("hash key ranges end at %v, want %v", new(big.Int).Sub(next, big.NewInt(1)), maxHashKey)
	}
}

// isErr reports whether err wraps an error of type E, for example
// isErr[*types.ResourceNotFoundException](err).
func isErr[E error](err error) bool {
	var e E
	return errors.As(err, &e)
}

// errCode returns the Kinesis error code of err ("" when it has none).
func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// wantErr fails t unless err wraps an error of type E.
func wantErr[E error](t *testing.T, op string, err error) {
	t.Helper()
	if !isErr[E](err) {
		var e E
		t.Errorf("%s: got error %v (code %q), want %T", op, err, errCode(err), e)
	}
}

// poll calls check every pollInterval until it reports done, for at most
// pollTimeout; it fails t with what when time runs out or check errs.
func poll(ctx context.Context, t *testing.T, what string, check func() (bool, error)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, pollTimeout)
	defer cancel()
	for {
		done, err := check()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if done {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: still not done after %v", what, pollTimeout)
		case <-time.After(pollInterval):
		}
	}
}

// unthrottled calls f until it does not fail with
// ProvisionedThroughputExceededException, at most 40 times 100 ms apart.
// The simulator enforces AWS's per-shard read quotas (5 GetShardIterator
// and 5 GetRecords calls per second), which a real consumer backs off from
// too; kinesis-mock never throttles.
func unthrottled[T any](ctx context.Context, f func() (T, error)) (T, error) {
	for i := 0; ; i++ {
		out, err := f()
		if i == 39 || !isErr[*types.ProvisionedThroughputExceededException](err) {
			return out, err
		}
		select {
		case <-ctx.Done():
			return out, err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// iterator returns a shard iterator, backing off from read throttling.
func iterator(ctx context.Context, c *kinesis.Client, in *kinesis.GetShardIteratorInput) (string, error) {
	out, err := unthrottled(ctx, func() (*kinesis.GetShardIteratorOutput, error) { return c.GetShardIterator(ctx, in) })
	if err != nil {
		return "", err
	}
	return aws.ToString(out.ShardIterator), nil
}

// mustIterator is iterator that fails t on error.
func mustIterator(ctx context.Context, t *testing.T, c *kinesis.Client, in *kinesis.GetShardIteratorInput) string {
	t.Helper()
	it, err := iterator(ctx, c, in)
	if err != nil {
		t.Fatalf("GetShardIterator %s %s: %v", aws.ToString(in.ShardId), in.ShardIteratorType, err)
	}
	return it
}

// getRecords calls GetRecords, backing off from read throttling.
func getRecords(ctx context.Context, c *kinesis.Client, in *kinesis.GetRecordsInput) (*kinesis.GetRecordsOutput, error) {
	return unthrottled(ctx, func() (*kinesis.GetRecordsOutput, error) { return c.GetRecords(ctx, in) })
}

// readN reads from iter until it has at least n records, the shard ends
// (null NextShardIterator) or pollTimeout passes, and returns the records
// and the last response.
func readN(ctx context.Context, t *testing.T, c *kinesis.Client, iter string, n int) ([]types.Record, *kinesis.GetRecordsOutput) {
	t.Helper()
	var recs []types.Record
	var last *kinesis.GetRecordsOutput
	deadline := time.Now().Add(pollTimeout)
	for len(recs) < n && iter != "" && time.Now().Before(deadline) {
		out, err := getRecords(ctx, c, &kinesis.GetRecordsInput{ShardIterator: aws.String(iter)})
		if err != nil {
			t.Fatalf("GetRecords: %v", err)
		}
		recs = append(recs, out.Records...)
		last = out
		iter = aws.ToString(out.NextShardIterator)
		if len(out.Records) == 0 && iter != "" {
			time.Sleep(pollInterval)
		}
	}
	return recs, last
}
