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
// SDK waiter, which sleeps 10 s between polls), at most activeWait for a
// stream to become ACTIVE, and at most deleteWait for a deleted stream to
// disappear (or, while it is still CREATING, to become deletable).
const (
	statusPoll = 100 * time.Millisecond
	activeWait = 5 * time.Minute
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
// ACTIVE, polling DescribeStreamSummary every 100 ms; ctx and five minutes
// bound the wait. A
// created stream is tagged TagRunID=RunID and TagCreatedBy=CreatedByValue.
// If the name is taken, it fails with an error wrapping ErrStreamExists. With
// UseExisting it only checks that the stream exists and waits for it to be
// ACTIVE. created tells the caller whether to DeleteStream it afterwards: it
// is true as soon as CreateStream succeeded, also when the wait then fails or
// is cancelled, so the caller must clean up even on error.
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
	ctx, cancel := context.WithTimeoutCause(ctx, activeWait, fmt.Errorf("not ACTIVE after %v", activeWait))
	defer cancel()
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
// too) and waits, bounded by ctx and two minutes, until it is gone. A stream
// still CREATING cannot be deleted (AWS answers ResourceInUseException): the
// delete is retried until it is ACTIVE, within the same bound. It
// refuses a stream that lacks the TagCreatedBy tag, whatever run created it:
// it is the clean-up of streams earlier runs left behind. A run deletes its
// own stream with DeleteRunStream. A stream that is already gone is not an
// error.
func DeleteStream(ctx context.Context, c *kinesis.Client, name string) error {
	return deleteOwned(ctx, c, name, "")
}

// DeleteRunStream deletes the stream run runID created, as DeleteStream
// does, after checking that it carries both kbench's TagCreatedBy tag and
// TagRunID=runID: a stream some other run (or anyone else) created under the
// same name is refused with an error wrapping ErrNotOwned and left alone.
func DeleteRunStream(ctx context.Context, c *kinesis.Client, name, runID string) error {
	if runID == "" {
		return fmt.Errorf("targets: refusing to delete stream %q: no run id to check its %s tag against", name, TagRunID)
	}
	return deleteOwned(ctx, c, name, runID)
}

// deleteOwned deletes the stream if ownedBy allows it (runID "" accepts any
// kbench run) and waits until it is gone.
func deleteOwned(ctx context.Context, c *kinesis.Client, name, runID string) error {
	err := ownedBy(ctx, c, name, runID)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("targets: refusing to delete stream %q: %w", name, err)
	}
	ctx, cancel := context.WithTimeout(ctx, deleteWait)
	defer cancel()
	tick := time.NewTicker(statusPoll)
	defer tick.Stop()
	for {
		_, err = c.DeleteStream(ctx, &kinesis.DeleteStreamInput{
			StreamName:              aws.String(name),
			EnforceConsumerDeletion: aws.Bool(true),
		})
		if isNotFound(err) {
			return nil
		}
		var riu *types.ResourceInUseException
		if !errors.As(err, &riu) || ctx.Err() != nil {
			break
		}
		select { // CREATING (or UPDATING): deletable once ACTIVE
		case <-ctx.Done():
		case <-tick.C:
		}
	}
	if err != nil {
		return fmt.Errorf("targets: delete stream %q: %w", name, err)
	}
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
// TagCreatedBy=CreatedByValue tag.
func createdByKbench(ctx context.Context, c *kinesis.Client, name string) (bool, error) {
	tags, err := streamTags(ctx, c, name)
	return tags[TagCreatedBy] == CreatedByValue, err
}

// streamTags returns every tag of the stream, paging through them.
func streamTags(ctx context.Context, c *kinesis.Client, name string) (map[string]string, error) {
	tags := map[string]string{}
	in := &kinesis.ListTagsForStreamInput{StreamName: aws.String(name), Limit: aws.Int32(50)}
	for {
		out, err := c.ListTagsForStream(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, t := range out.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		if !aws.ToBool(out.HasMoreTags) || len(out.Tags) == 0 {
			return tags, nil
		}
		in.ExclusiveStartTagKey = out.Tags[len(out.Tags)-1].Key
	}
}
