package sim

import (
	"math/big"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// TestPutRecordSequenceNumberForOrdering chains PutRecord calls of one
// partition key, each naming the previous record's sequence number in
// SequenceNumberForOrdering, across a reshard: every record gets a
// sequence number greater than the one it names, as AWS guarantees.
func TestPutRecordSequenceNumberForOrdering(t *testing.T) {
	_, c := startSim(t, testConfig())
	createStream(t, c, "s", 2)
	var prev *string
	put := func() {
		out, err := c.PutRecord(t.Context(), &kinesis.PutRecordInput{
			StreamName: aws.String("s"), PartitionKey: aws.String("card-1"), Data: []byte("x"),
			SequenceNumberForOrdering: prev,
		})
		if err != nil {
			t.Fatal(err)
		}
		seq := aws.ToString(out.SequenceNumber)
		if prev != nil {
			a, _ := new(big.Int).SetString(*prev, 10)
			b, ok := new(big.Int).SetString(seq, 10)
			if !ok || b.Cmp(a) <= 0 {
				t.Fatalf("sequence number %s after SequenceNumberForOrdering %s", seq, *prev)
			}
		}
		prev = &seq
	}
	for range 5 {
		put()
	}
	if _, err := c.UpdateShardCount(t.Context(), &kinesis.UpdateShardCountInput{
		StreamName: aws.String("s"), TargetShardCount: aws.Int32(4), ScalingType: types.ScalingTypeUniformScaling,
	}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, "s")
	for range 5 {
		put()
	}
}
