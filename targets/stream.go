package targets

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// Tags kbench puts on every stream it creates. DeleteStream refuses to delete
// a stream that does not carry TagCreatedBy=CreatedByValue.
const (
	TagRunID       = "kbench:run-id"
	TagCreatedBy   = "kbench:created-by"
	CreatedByValue = "kbench"
)

// ErrStreamExists is wrapped by EnsureStream's error when it was asked to
// create a stream whose name is taken: kbench never adopts, changes or deletes
// a stream it did not create, unless told to use it as is (UseExisting).
var ErrStreamExists = errors.New("stream already exists")

// Stream lifecycle polling: DescribeStreamSummary every statusPoll (never the
// SDK waiter, which sleeps 10 s between polls), and at most deleteWait for a
// deleted stream to disappear.
const (
	statusPoll = 100 * time.Millisecond
	deleteWait = 2 * time.Minute
)

// StreamSpec describes the stream a run uses.
type StreamSpec struct {
	// Name is the stream name.
	Name string
	// Shards is the shard count of a provisioned stream (ignored when
	// OnDemand or UseExisting).
	Shards int
	// OnDemand creates an on-demand stream instead of a provisioned one.
	OnDemand bool
	// UseExisting uses a stream that must already exist and be ACTIVE; it
	// is neither created nor changed.
	UseExisting bool
	// RunID is written to the TagRunID tag of a created stream.
	RunID string
}

// EnsureStream creates the stream (unless UseExisting) and waits until it is
// ACTIVE, polling DescribeStreamSummary every 100 ms; ctx bounds the wait. A
// created stream is tagged TagRunID=RunID and TagCreatedBy=CreatedByValue.
// If the name is taken, it fails with an error wrapping ErrStreamExists. With
// UseExisting it only checks that the stream exists and waits for it to be
// ACTIVE. created tells the caller whether to DeleteStream it afterwards.
func EnsureStream(ctx context.Context, c *kinesis.Client, s StreamSpec) (created bool, err error) {
	if s.Name == "" {
		return false, errors.New("targets: stream name is empty")
	}
	if s.UseExisting {
		return false, waitActive(ctx, c, s.Name, false)
	}
	in := &kinesis.CreateStreamInput{
		StreamName: aws.String(s.Name),
		Tags:       map[string]string{TagCreatedBy: CreatedByValue},
	}
	if s.RunID != "" {
		in.Tags[TagRunID] = s.RunID
	}
	if s.OnDemand {
		in.StreamModeDetails = &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}
	} else {
		if s.Shards < 1 {
			return false, fmt.Errorf("targets: stream %q: shard count %d, want at least 1", s.Name, s.Shards)
		}
		in.ShardCount = aws.Int32(int32(s.Shards))
		in.StreamModeDetails = &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned}
	}
	if _, err := c.CreateStream(ctx, in); err != nil {
		if riu := (*types.ResourceInUseException)(nil); errors.As(err, &riu) {
			return false, fmt.Errorf("targets: stream %q: %w; kbench does not touch streams it did not create: delete it, pick another name, or use it as is (use existing)", s.Name, ErrStreamExists)
		}
		return false, fmt.Errorf("targets: create stream %q: %w", s.Name, err)
	}
	// From here on the stream is ours: report created even if the wait fails,
	// so the caller cleans it up.
	return true, waitActive(ctx, c, s.Name, true)
}

// waitActive polls the stream's status until it is ACTIVE. A missing stream
// is an error unless justCreated, when it may not be visible yet.
func waitActive(ctx context.Context, c *kinesis.Client, name string, justCreated bool) error {
	tick := time.NewTicker(statusPoll)
	defer tick.Stop()
	for {
		out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		switch {
		case err == nil:
			switch st := out.StreamDescriptionSummary.StreamStatus; st {
			case types.StreamStatusActive:
				return nil
			case types.StreamStatusDeleting:
				return fmt.Errorf("targets: stream %q is being deleted", name)
			}
		case isNotFound(err) && !justCreated:
			return fmt.Errorf("targets: stream %q does not exist: %w", name, err)
		case !isNotFound(err):
			return fmt.Errorf("targets: describe stream %q: %w", name, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("targets: waiting for stream %q to be ACTIVE: %w", name, context.Cause(ctx))
		case <-tick.C:
		}
	}
}

// DeleteStream deletes a stream kbench created (deregistering its consumers
// too) and waits, bounded by ctx and two minutes, until it is gone. It
// refuses a stream that lacks the TagCreatedBy tag. A stream that is already
// gone is not an error.
func DeleteStream(ctx context.Context, c *kinesis.Client, name string) error {
	ours, err := createdByKbench(ctx, c, name)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("targets: list tags of stream %q: %w", name, err)
	}
	if !ours {
		return fmt.Errorf("targets: refusing to delete stream %q: it has no %s=%s tag, so kbench did not create it", name, TagCreatedBy, CreatedByValue)
	}
	_, err = c.DeleteStream(ctx, &kinesis.DeleteStreamInput{
		StreamName:              aws.String(name),
		EnforceConsumerDeletion: aws.Bool(true),
	})
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("targets: delete stream %q: %w", name, err)
	}
	ctx, cancel := context.WithTimeout(ctx, deleteWait)
	defer cancel()
	tick := time.NewTicker(statusPoll)
	defer tick.Stop()
	for {
		_, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if isNotFound(err) {
			return nil
		}
		if err != nil && ctx.Err() == nil {
			return fmt.Errorf("targets: describe deleted stream %q: %w", name, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("targets: waiting for stream %q to be deleted: %w", name, context.Cause(ctx))
		case <-tick.C:
		}
	}
}

// Shards lists every shard of the stream, following ListShards pagination.
// The list includes closed shards whose data is still retained.
func Shards(ctx context.Context, c *kinesis.Client, stream string) ([]types.Shard, error) {
	var shards []types.Shard
	in := &kinesis.ListShardsInput{StreamName: aws.String(stream)}
	for {
		out, err := c.ListShards(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("targets: list shards of %q: %w", stream, err)
		}
		shards = append(shards, out.Shards...)
		if out.NextToken == nil || *out.NextToken == "" {
			return shards, nil
		}
		// With NextToken, ListShards must not be sent the stream name.
		in = &kinesis.ListShardsInput{NextToken: out.NextToken}
	}
}

// isNotFound reports whether err is Kinesis's ResourceNotFoundException.
func isNotFound(err error) bool {
	var nf *types.ResourceNotFoundException
	return errors.As(err, &nf)
}

// createdByKbench reports whether the stream carries the
// TagCreatedBy=CreatedByValue tag, paging through its tags.
func createdByKbench(ctx context.Context, c *kinesis.Client, name string) (bool, error) {
	in := &kinesis.ListTagsForStreamInput{StreamName: aws.String(name), Limit: aws.Int32(50)}
	for {
		out, err := c.ListTagsForStream(ctx, in)
		if err != nil {
			return false, err
		}
		for _, t := range out.Tags {
			if aws.ToString(t.Key) == TagCreatedBy && aws.ToString(t.Value) == CreatedByValue {
				return true, nil
			}
		}
		if !aws.ToBool(out.HasMoreTags) || len(out.Tags) == 0 {
			return false, nil
		}
		in.ExclusiveStartTagKey = out.Tags[len(out.Tags)-1].Key
	}
}
