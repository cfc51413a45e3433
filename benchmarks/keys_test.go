package benchmarks

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// TestSpreadKeys checks, through the simulator, that batch's partition
// keys are distinct and land evenly on the shards, as the ingest and quota
// workloads assume.
func TestSpreadKeys(t *testing.T) {
	for _, shards := range []int{1, 3, 8} {
		c := client(t, engineSim)
		stream := newStream(t, c, shards)
		entries := batch(0, 2*shards, 10, shards)
		out, err := c.PutRecords(context.Background(), &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
		if err != nil {
			t.Fatal(err)
		}
		perShard := map[string]int{}
		keys := map[string]bool{}
		for i, r := range out.Records {
			perShard[aws.ToString(r.ShardId)]++
			keys[aws.ToString(entries[i].PartitionKey)] = true
		}
		if len(keys) != len(entries) {
			t.Errorf("%d shards: %d distinct keys in %d records", shards, len(keys), len(entries))
		}
		if len(perShard) != shards {
			t.Errorf("%d shards: records landed on %d shards: %v", shards, len(perShard), perShard)
		}
		for id, n := range perShard {
			if n != 2 {
				t.Errorf("%d shards: shard %s got %d of %d records, want 2", shards, id, n, len(entries))
			}
		}
	}
}
