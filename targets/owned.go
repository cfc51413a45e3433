package targets

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// ErrNotOwned is wrapped by the error of CanModify, DeleteStream and
// DeleteRunStream for a stream kbench must leave alone: one without kbench's
// tags, or (for a run) one another run created.
var ErrNotOwned = errors.New("stream not created by kbench")

// CanModify returns nil if the stream was created by kbench in run runID (it
// carries TagCreatedBy=CreatedByValue and TagRunID=runID), so that run may
// reshard or delete it. Otherwise it returns an error wrapping ErrNotOwned
// that says whose the stream is, or the error of ListTagsForStream (a
// missing stream included). Call it before every change to a stream.
func CanModify(ctx context.Context, c *kinesis.Client, stream, runID string) error {
	if runID == "" {
		return fmt.Errorf("targets: stream %q: %w: no run id to check its %s tag against", stream, ErrNotOwned, TagRunID)
	}
	if err := ownedBy(ctx, c, stream, runID); err != nil {
		return fmt.Errorf("targets: kbench may not change stream %q: %w", stream, err)
	}
	return nil
}

// ownedBy returns nil if the stream carries kbench's TagCreatedBy tag and,
// when runID is not "", TagRunID=runID; else an error wrapping ErrNotOwned,
// or ListTagsForStream's error as it is (so isNotFound still sees it).
func ownedBy(ctx context.Context, c *kinesis.Client, stream, runID string) error {
	tags, err := streamTags(ctx, c, stream)
	if err != nil {
		return err
	}
	if tags[TagCreatedBy] != CreatedByValue {
		return fmt.Errorf("%w: it has no %s=%s tag, so kbench did not create it", ErrNotOwned, TagCreatedBy, CreatedByValue)
	}
	if runID != "" && tags[TagRunID] != runID {
		other := tags[TagRunID]
		if other == "" {
			other = "an unknown run"
		}
		return fmt.Errorf("%w in this run: its %s tag is %q, this run is %q", ErrNotOwned, TagRunID, other, runID)
	}
	return nil
}

// KbenchStream is a stream that carries kbench's TagCreatedBy tag.
type KbenchStream struct {
	// Name is the stream name.
	Name string
	// RunID is its TagRunID tag ("" if it has none).
	RunID string
	// Created is when Kinesis created it.
	Created time.Time
	// Status is its stream status (ACTIVE, CREATING, ...).
	Status string
}

// ListKbenchStreams lists, in name order, every stream of the endpoint and
// region that carries kbench's TagCreatedBy tag, following ListStreams
// pagination and asking ListTagsForStream for each stream. Streams without
// the tag are never returned; a stream deleted while listing is skipped.
func ListKbenchStreams(ctx context.Context, c *kinesis.Client) ([]KbenchStream, error) {
	var found []KbenchStream
	in := &kinesis.ListStreamsInput{Limit: aws.Int32(100)}
	for {
		out, err := c.ListStreams(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("targets: list streams: %w", err)
		}
		summaries := out.StreamSummaries
		if len(summaries) == 0 {
			// Older emulators list names only.
			for _, n := range out.StreamNames {
				summaries = append(summaries, types.StreamSummary{StreamName: aws.String(n)})
			}
		}
		for _, s := range summaries {
			name := aws.ToString(s.StreamName)
			tags, err := streamTags(ctx, c, name)
			if isNotFound(err) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("targets: list tags of stream %q: %w", name, err)
			}
			if tags[TagCreatedBy] != CreatedByValue {
				continue
			}
			found = append(found, KbenchStream{
				Name:    name,
				RunID:   tags[TagRunID],
				Created: aws.ToTime(s.StreamCreationTimestamp),
				Status:  string(s.StreamStatus),
			})
		}
		if !aws.ToBool(out.HasMoreStreams) || len(summaries) == 0 {
			break
		}
		if aws.ToString(out.NextToken) != "" {
			in = &kinesis.ListStreamsInput{Limit: in.Limit, NextToken: out.NextToken}
		} else {
			in = &kinesis.ListStreamsInput{Limit: in.Limit, ExclusiveStartStreamName: summaries[len(summaries)-1].StreamName}
		}
	}
	sort.Slice(found, func(i, j int) bool { return found[i].Name < found[j].Name })
	return found, nil
}
