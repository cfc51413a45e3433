package promexport

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kbench/kbench/sim"
)

// TestSimCollector drives a simulator through the SDK (writes over a
// shard's quota, reads, a fan-out subscription) and checks that every
// exported series equals the shard's counter in Stats.
func TestSimCollector(t *testing.T) {
	srv, err := sim.New(sim.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	url, stop, err := srv.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	c := simClient(t, ctx, url)
	stream := aws.String("metrics")
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: stream, ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	var desc *kinesis.DescribeStreamOutput
	for desc == nil || desc.StreamDescription.StreamStatus != types.StreamStatusActive {
		time.Sleep(20 * time.Millisecond)
		if desc, err = c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: stream}); err != nil {
			t.Fatal(err)
		}
	}
	// 1,500 records to one shard at once: over its 1,000 records/s.
	for range 3 {
		var entries []types.PutRecordsRequestEntry
		for i := range 500 {
			entries = append(entries, types.PutRecordsRequestEntry{Data: []byte("r"), PartitionKey: aws.String(fmt.Sprint(i)),
				ExplicitHashKey: aws.String("1")})
		}
		if _, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: stream, Records: entries}); err != nil {
			t.Fatal(err)
		}
	}
	shard := desc.StreamDescription.Shards[0].ShardId
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: stream, ShardId: shard,
		ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(100)}); err != nil {
		t.Fatal(err)
	}
	reg, err := c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: desc.StreamDescription.StreamARN,
		ConsumerName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	for {
		d, err := c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: reg.Consumer.ConsumerARN})
		if err != nil {
			t.Fatal(err)
		}
		if d.ConsumerDescription.ConsumerStatus == types.ConsumerStatusActive {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	sub, err := c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: reg.Consumer.ConsumerARN, ShardId: shard,
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}})
	if err != nil {
		t.Fatal(err)
	}
	<-sub.GetStream().Events() // the first event: records are being pushed

	g, err := NewRegistry(NewSim(srv.Stats, prometheus.Labels{"instance_role": "sim"}))
	if err != nil {
		t.Fatal(err)
	}
	check := func(phase string) {
		t.Helper()
		fams, err := g.Gather()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{} // name/stream/shard → value
		for _, mf := range fams {
			for _, m := range mf.Metric {
				l := map[string]string{}
				for _, p := range m.Label {
					l[p.GetName()] = p.GetValue()
				}
				if l["instance_role"] != "sim" && strings.HasPrefix(mf.GetName(), "kbench_sim_") {
					t.Errorf("%s: no constant label: %v", mf.GetName(), l)
				}
				got[mf.GetName()+"/"+l["stream"]+"/"+l["shard"]] = m.GetCounter().GetValue() + m.GetGauge().GetValue()
			}
		}
		st := srv.Stats()
		if len(st.Streams) != 1 || len(st.Streams[0].Shards) != 2 {
			t.Fatalf("stats %+v, want one stream of 2 shards", st)
		}
		for _, sh := range st.Streams[0].Shards {
			open := 0
			if sh.Open {
				open = 1
			}
			for name, want := range map[string]int64{
				"kbench_sim_records_accepted_total": sh.RecordsAccepted, "kbench_sim_bytes_accepted_total": sh.BytesAccepted,
				"kbench_sim_records_throttled_total": sh.RecordsThrottled, "kbench_sim_records_failed_total": sh.RecordsFailed,
				"kbench_sim_get_records_calls_total": sh.GetRecordsCalls, "kbench_sim_get_records_throttled_total": sh.GetRecordsThrottled,
				"kbench_sim_get_shard_iterator_throttled_total": sh.GetShardIteratorThrottled,
				"kbench_sim_records_read_total":                 sh.RecordsRead, "kbench_sim_bytes_read_total": sh.BytesRead,
				"kbench_sim_records_trimmed_total": sh.RecordsTrimmed, "kbench_sim_subscriptions_total": sh.Subscriptions,
				"kbench_sim_subscriptions_open": sh.SubscriptionsOpen, "kbench_sim_retained_records": sh.RetainedRecords,
				"kbench_sim_retained_bytes": sh.RetainedBytes, "kbench_sim_shard_open": int64(open),
			} {
				key := name + "/metrics/" + sh.ShardID
				if v, ok := got[key]; !ok || v != float64(want) {
					t.Errorf("%s: %s{shard=%s} = %v (exported %v), stats %d", phase, name, sh.ShardID, v, ok, want)
				}
			}
		}
		tot := st.Total
		if tot.RecordsThrottled == 0 || tot.RecordsAccepted == 0 || tot.GetRecordsCalls != 1 || tot.Subscriptions != 1 {
			t.Errorf("%s: stats %+v: want writes accepted and throttled, one GetRecords call, one subscription", phase, tot)
		}
	}
	check("subscribed")
	if got := srv.Stats().Total.SubscriptionsOpen; got != 1 {
		t.Errorf("%d subscriptions open while subscribed, want 1", got)
	}
	sub.GetStream().Close()
	for end := time.Now().Add(5 * time.Second); srv.Stats().Total.SubscriptionsOpen != 0 && time.Now().Before(end); {
		time.Sleep(20 * time.Millisecond)
	}
	check("unsubscribed")
}

func simClient(t *testing.T, ctx context.Context, url string) *kinesis.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("a", "b", "")),
		config.WithHTTPClient(awshttp.NewBuildableClient()))
	if err != nil {
		t.Fatal(err)
	}
	return kinesis.NewFromConfig(cfg, func(o *kinesis.Options) { o.BaseEndpoint = aws.String(url) })
}
