package sim

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func TestErrorRate(t *testing.T) {
	cfg := testConfig()
	cfg.Quotas = QuotasOff
	cfg.ErrorRate = 0.2
	failedAt := func() []int {
		_, c := startSim(t, cfg)
		createStream(t, c, "f", 2)
		var failed []int
		for call := range 10 {
			out := putN(t, c, "f", call*500, 500)
			n := 0
			for i, r := range out.Records {
				if r.ErrorCode != nil {
					if aws.ToString(r.ErrorCode) != "InternalFailure" || r.SequenceNumber != nil {
						t.Fatalf("failed record %+v", r)
					}
					failed = append(failed, call*500+i)
					n++
				}
			}
			if int(aws.ToInt32(out.FailedRecordCount)) != n {
				t.Fatalf("FailedRecordCount %d, %d records failed", aws.ToInt32(out.FailedRecordCount), n)
			}
		}
		return failed
	}
	a, b := failedAt(), failedAt()
	if share := float64(len(a)) / 5000; math.Abs(share-0.2) > 0.02 {
		t.Errorf("failed share %.3f, want 0.2 ±0.02", share)
	}
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Error("the same seed failed different records")
	}
}

func TestPutDelay(t *testing.T) {
	cfg := testConfig()
	cfg.PutDelay = 150 * time.Millisecond
	_, c := startSim(t, cfg)
	createStream(t, c, "d", 1)
	start := time.Now()
	putN(t, c, "d", 0, 1)
	if d := time.Since(start); d < cfg.PutDelay {
		t.Errorf("PutRecords took %v, want at least %v", d, cfg.PutDelay)
	}
}

func TestPropagationDelay(t *testing.T) {
	cfg := testConfig()
	cfg.Quotas = QuotasOff
	cfg.PropagationDelay = 300 * time.Millisecond
	_, c := startSim(t, cfg)
	createStream(t, c, "p", 1)
	it := iter(t, c, "p", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon, "", nil)
	putN(t, c, "p", 0, 3)
	out, err := c.GetRecords(context.Background(), &kinesis.GetRecordsInput{ShardIterator: aws.String(it)})
	if err != nil || len(out.Records) != 0 {
		t.Fatalf("right after put: %v, %d records", err, len(out.Records))
	}
	time.Sleep(cfg.PropagationDelay + 50*time.Millisecond)
	out, err = c.GetRecords(context.Background(), &kinesis.GetRecordsInput{ShardIterator: out.NextShardIterator})
	if err != nil || len(out.Records) != 3 {
		t.Fatalf("after the delay: %v, %d records", err, len(out.Records))
	}
}

func TestStall(t *testing.T) {
	cfg := testConfig()
	cfg.StallAfter = 200 * time.Millisecond
	cfg.StallFor = 400 * time.Millisecond
	start := time.Now()
	_, c := startSim(t, cfg)
	createStream(t, c, "s", 1)
	time.Sleep(time.Until(start.Add(300 * time.Millisecond)))
	// Control-plane calls are not held.
	t0 := time.Now()
	if _, err := c.DescribeStreamSummary(context.Background(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(t0); d > 100*time.Millisecond {
		t.Errorf("DescribeStreamSummary held %v during the stall", d)
	}
	putN(t, c, "s", 0, 1)
	if done := time.Since(start); done < 600*time.Millisecond {
		t.Errorf("PutRecords inside the stall window returned %v after start, want after the window (600ms)", done)
	}
	t1 := time.Now()
	putN(t, c, "s", 1, 1)
	if d := time.Since(t1); d > 100*time.Millisecond {
		t.Errorf("PutRecords after the window took %v", d)
	}
}
