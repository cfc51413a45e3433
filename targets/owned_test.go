package targets

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// ownedFixture opens a simulator with three streams: "theirs" (untagged),
// "kbench-a" created by run "run-a" and "kbench-b" created by run "run-b".
func ownedFixture(t *testing.T) *kinesis.Client {
	t.Helper()
	tgt, err := Open(t.Context(), Spec{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tgt.Close() })
	c, err := tgt.Client(t.Context(), ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateStream(t.Context(), &kinesis.CreateStreamInput{StreamName: aws.String("theirs"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	for name, run := range map[string]string{"kbench-a": "run-a", "kbench-b": "run-b"} {
		if _, err := EnsureStream(t.Context(), c, StreamSpec{Name: name, Shards: 1, RunID: run}); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// exists reports whether the stream is still there.
func exists(t *testing.T, c *kinesis.Client, name string) bool {
	t.Helper()
	_, err := c.DescribeStreamSummary(t.Context(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil && !isNotFound(err) {
		t.Fatal(err)
	}
	return err == nil
}

func TestCanModify(t *testing.T) {
	c := ownedFixture(t)
	tests := []struct {
		stream, run string
		ok          bool
	}{
		{"kbench-a", "run-a", true},
		{"kbench-a", "run-b", false},
		{"kbench-a", "", false},
		{"theirs", "run-a", false},
	}
	for _, tc := range tests {
		err := CanModify(t.Context(), c, tc.stream, tc.run)
		if tc.ok && err != nil || !tc.ok && !errors.Is(err, ErrNotOwned) {
			t.Errorf("CanModify(%s, %q) = %v, want ok=%v (else ErrNotOwned)", tc.stream, tc.run, err, tc.ok)
		}
	}
	if err := CanModify(t.Context(), c, "nosuch", "run-a"); err == nil || !isNotFound(err) {
		t.Errorf("CanModify of a missing stream = %v, want ResourceNotFoundException", err)
	}
}

func TestDeleteOnlyOwnStreams(t *testing.T) {
	c := ownedFixture(t)
	tests := []struct {
		name     string
		del      func() error
		stream   string
		wantGone bool
	}{
		{"untagged, any run", func() error { return DeleteStream(t.Context(), c, "theirs") }, "theirs", false},
		{"untagged, a run", func() error { return DeleteRunStream(t.Context(), c, "theirs", "run-a") }, "theirs", false},
		{"another run's", func() error { return DeleteRunStream(t.Context(), c, "kbench-b", "run-a") }, "kbench-b", false},
		{"no run id", func() error { return DeleteRunStream(t.Context(), c, "kbench-b", "") }, "kbench-b", false},
		{"own run's", func() error { return DeleteRunStream(t.Context(), c, "kbench-a", "run-a") }, "kbench-a", true},
		{"clean-up of any kbench run", func() error { return DeleteStream(t.Context(), c, "kbench-b") }, "kbench-b", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.del()
			if tc.wantGone && err != nil || !tc.wantGone && err == nil {
				t.Errorf("delete error = %v, want gone=%v", err, tc.wantGone)
			}
			if gone := !exists(t, c, tc.stream); gone != tc.wantGone {
				t.Errorf("stream %s gone = %v, want %v", tc.stream, gone, tc.wantGone)
			}
		})
	}
}

func TestListKbenchStreams(t *testing.T) {
	before := time.Now().Add(-time.Minute)
	c := ownedFixture(t)
	got, err := ListKbenchStreams(t.Context(), c)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "kbench-a" || got[0].RunID != "run-a" || got[1].Name != "kbench-b" || got[1].RunID != "run-b" {
		t.Fatalf("ListKbenchStreams = %+v, want kbench-a (run-a) and kbench-b (run-b), never the untagged stream", got)
	}
	for _, s := range got {
		if s.Created.Before(before) || s.Created.After(time.Now()) || s.Status != "ACTIVE" {
			t.Errorf("%+v: want a creation time of just now and status ACTIVE", s)
		}
	}
}
