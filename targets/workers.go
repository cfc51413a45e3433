package targets

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// TagWorkerDone prefixes the completion marker a worker of a distributed run
// puts on the run's stream when it has stopped reading: the tag
// "kbench:worker-done:I" = "1" for worker I. Worker 0 deletes the stream only
// once every other worker's marker is there.
const TagWorkerDone = "kbench:worker-done:"

// MaxWorkers is the most workers one distributed run may have: Kinesis allows
// 50 tags on a stream, and kbench's own take three of them.
const MaxWorkers = 46

// JoinStream waits, polling every 100 ms until ctx ends, for the stream of a
// distributed run that worker 0 creates: it must exist, be ACTIVE and carry
// kbench's tags with TagRunID=runID. It returns when the stream was created
// (Kinesis's StreamCreationTimestamp). A stream of the same name that another
// run created is an error wrapping ErrNotOwned: it is not waited for.
func JoinStream(ctx context.Context, c *kinesis.Client, name, runID string) (time.Time, error) {
	tick := time.NewTicker(statusPoll)
	defer tick.Stop()
	for {
		out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		switch {
		case err == nil && out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive:
			err := ownedBy(ctx, c, name, runID)
			if err == nil {
				return aws.ToTime(out.StreamDescriptionSummary.StreamCreationTimestamp), nil
			}
			if !isNotFound(err) {
				return time.Time{}, fmt.Errorf("targets: joining stream %q: %w", name, err)
			}
		case err != nil && !isNotFound(err):
			return time.Time{}, fmt.Errorf("targets: describe stream %q: %w", name, err)
		}
		select {
		case <-ctx.Done():
			return time.Time{}, fmt.Errorf("targets: waiting for worker 0 to create stream %q: %w", name, context.Cause(ctx))
		case <-tick.C:
		}
	}
}

// StreamCreated returns when Kinesis created the stream.
func StreamCreated(ctx context.Context, c *kinesis.Client, name string) (time.Time, error) {
	out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		return time.Time{}, fmt.Errorf("targets: describe stream %q: %w", name, err)
	}
	return aws.ToTime(out.StreamDescriptionSummary.StreamCreationTimestamp), nil
}

// MarkWorkerDone puts worker index's completion marker on the run's stream,
// after checking the stream is the run's (ErrNotOwned otherwise).
func MarkWorkerDone(ctx context.Context, c *kinesis.Client, name, runID string, index int) error {
	if err := ownedBy(ctx, c, name, runID); err != nil {
		return fmt.Errorf("targets: marking worker %d done on stream %q: %w", index, name, err)
	}
	_, err := c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{
		StreamName: aws.String(name),
		Tags:       map[string]string{TagWorkerDone + strconv.Itoa(index): "1"},
	})
	if err != nil {
		return fmt.Errorf("targets: marking worker %d done on stream %q: %w", index, name, err)
	}
	return nil
}

// AwaitWorkers polls the stream's tags every second until workers 1 … n-1
// have all put their completion markers, or ctx ends. It returns the
// indexes still missing (none when all are done); an error only when the
// tags cannot be read.
func AwaitWorkers(ctx context.Context, c *kinesis.Client, name string, n int) ([]int, error) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		tags, err := streamTags(ctx, c, name)
		if err != nil && ctx.Err() == nil {
			return nil, fmt.Errorf("targets: reading the completion markers on stream %q: %w", name, err)
		}
		var missing []int
		for i := 1; i < n; i++ {
			if tags[TagWorkerDone+strconv.Itoa(i)] != "1" {
				missing = append(missing, i)
			}
		}
		if len(missing) == 0 || ctx.Err() != nil {
			return missing, nil
		}
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
	}
}
