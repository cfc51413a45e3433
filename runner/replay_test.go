package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/kbench/kbench/scenarios"
	"github.com/kbench/kbench/targets"
)

// TestReplaySharedByInstances replays a file of 150 records with three
// producer instances at 150 records/s for 2 s on the simulator and reads
// the stream back: once through, every record is sent once (and the
// producer stops when the file ends); looping, every record twice (the
// file's records times the passes), never more.
func TestReplaySharedByInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two 2-second replays on the simulator")
	}
	const lines = 150
	dir := t.TempDir()
	var b strings.Builder
	for i := range lines {
		fmt.Fprintf(&b, "{\"line\":%d}\n", i)
	}
	if err := os.WriteFile(filepath.Join(dir, "records.jsonl"), []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tgt, err := targets.Open(ctx, targets.Spec{Kind: targets.KindSim})
	if err != nil {
		t.Fatal(err)
	}
	defer tgt.Close()
	c, err := tgt.Client(ctx, targets.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		loop   bool
		passes int
	}{{"once", false, 1}, {"looping", true, 2}} {
		t.Run(tc.name, func(t *testing.T) {
			stream := "replay-" + tc.name
			if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(stream), ShardCount: aws.Int32(2)}); err != nil {
				t.Fatal(err)
			}
			yaml := fmt.Sprintf("name: share\nstream: {name: %s, existing: true}\nduration: 2s\nwarmup: 0s\ndrain: 0s\n"+
				"producers:\n  - generator: replay\n    options: {file: records.jsonl, loop: %v}\n    concurrency: 3\n"+
				"    rate: {profile: constant, rps: %d}\nconsumers: []\n", stream, tc.loop, lines)
			sc, err := scenarios.Parse(filepath.Join(dir, "share.yaml"), []byte(yaml), nil)
			if err != nil {
				t.Fatal(err)
			}
			sum, err := Run(ctx, Options{Scenario: sc, Target: tgt, OutDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			want := int64(lines * tc.passes)
			if sum.Totals.Acked != want || sum.Totals.Failed != 0 {
				t.Errorf("acked %d, failed %d; want the file's %d records × %d passes = %d acked",
					sum.Totals.Acked, sum.Totals.Failed, lines, tc.passes, want)
			}
			count := readLines(t, ctx, c, stream)
			for i := range lines {
				if count[i] != tc.passes {
					t.Errorf("line %d in the stream %d times, want %d", i, count[i], tc.passes)
				}
			}
		})
	}
}

// readLines reads every record of stream and counts them by their "line".
func readLines(t *testing.T, ctx context.Context, c *kinesis.Client, stream string) map[int]int {
	t.Helper()
	shards, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	count := map[int]int{}
	for _, sh := range shards.Shards {
		it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream),
			ShardId: sh.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		iter := it.ShardIterator
		for iter != nil {
			out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range out.Records {
				var rec struct{ Line int }
				if err := json.Unmarshal(r.Data, &rec); err != nil {
					t.Fatalf("record %q: %v", r.Data, err)
				}
				count[rec.Line]++
			}
			if len(out.Records) == 0 {
				break
			}
			iter = out.NextShardIterator
		}
	}
	return count
}
