package sim

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

func TestSplitAndMerge(t *testing.T) {
	cfg := testConfig()
	cfg.UpdateDelay = 150 * time.Millisecond
	_, c := startSim(t, cfg)
	ctx := context.Background()
	createStream(t, c, "sm", 1)
	half := "170141183460469231731687303715884105728"
	if _, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("sm"), ShardToSplit: aws.String(shardID(0)), NewStartingHashKey: aws.String(half)}); err != nil {
		t.Fatal(err)
	}
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("sm")})
	if err != nil || sum.StreamDescriptionSummary.StreamStatus != types.StreamStatusUpdating {
		t.Fatalf("after SplitShard: %+v, %v; want UPDATING", sum, err)
	}
	_, err = c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("sm"), ShardToMerge: aws.String(shardID(1)), AdjacentShardToMerge: aws.String(shardID(2))})
	if !isErr[*types.ResourceInUseException](err) {
		t.Errorf("MergeShards while UPDATING: %v, want ResourceInUseException", err)
	}
	if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("sm"), PartitionKey: aws.String("k"), Data: []byte("x")}); err != nil {
		t.Errorf("PutRecord while UPDATING: %v", err)
	}
	waitActive(t, c, "sm")
	shards := listShards(t, c, "sm")
	if len(shards) != 3 || aws.ToString(shards[1].ParentShardId) != shardID(0) || aws.ToString(shards[2].ParentShardId) != shardID(0) ||
		aws.ToString(shards[1].HashKeyRange.EndingHashKey) != "170141183460469231731687303715884105727" ||
		aws.ToString(shards[2].HashKeyRange.StartingHashKey) != half || shards[0].SequenceNumberRange.EndingSequenceNumber == nil {
		t.Fatalf("shards after split: %+v", shards)
	}
	_, last := readAll(t, c, iter(t, c, "sm", shardID(0), types.ShardIteratorTypeTrimHorizon, "", nil))
	if len(last.ChildShards) != 2 {
		t.Errorf("parent's end lists %d children, want 2", len(last.ChildShards))
	}

	for _, tc := range []struct {
		name string
		in   *kinesis.SplitShardInput
		ok   func(error) bool
	}{
		{"closed shard", &kinesis.SplitShardInput{ShardToSplit: aws.String(shardID(0)), NewStartingHashKey: aws.String("5")}, isErr[*types.ResourceInUseException]},
		{"unknown shard", &kinesis.SplitShardInput{ShardToSplit: aws.String(shardID(9)), NewStartingHashKey: aws.String("5")}, isErr[*types.ResourceNotFoundException]},
		{"key at the start", &kinesis.SplitShardInput{ShardToSplit: aws.String(shardID(1)), NewStartingHashKey: aws.String("0")}, isErr[*types.InvalidArgumentException]},
		{"key outside", &kinesis.SplitShardInput{ShardToSplit: aws.String(shardID(1)), NewStartingHashKey: aws.String(half)}, isErr[*types.InvalidArgumentException]},
		{"key not a number", &kinesis.SplitShardInput{ShardToSplit: aws.String(shardID(1)), NewStartingHashKey: aws.String("x")}, isValidation},
	} {
		tc.in.StreamName = aws.String("sm")
		if _, err := c.SplitShard(ctx, tc.in); !tc.ok(err) {
			t.Errorf("SplitShard %s: %v", tc.name, err)
		}
	}
	_, err = c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("sm"), ShardToMerge: aws.String(shardID(1)), AdjacentShardToMerge: aws.String(shardID(1))})
	if !isErr[*types.InvalidArgumentException](err) {
		t.Errorf("MergeShards of a shard with itself: %v", err)
	}
	if _, err := c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("sm"), ShardToMerge: aws.String(shardID(2)), AdjacentShardToMerge: aws.String(shardID(1))}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, "sm")
	shards = listShards(t, c, "sm")
	m := shards[len(shards)-1]
	if len(shards) != 4 || aws.ToString(m.ParentShardId) != shardID(2) || aws.ToString(m.AdjacentParentShardId) != shardID(1) ||
		aws.ToString(m.HashKeyRange.StartingHashKey) != "0" || aws.ToString(m.HashKeyRange.EndingHashKey) != "340282366920938463463374607431768211455" {
		t.Errorf("shards after merge: %+v", shards)
	}

	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od"), StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, "od")
	_, err = c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("od"), ShardToSplit: aws.String(shardID(0)), NewStartingHashKey: aws.String("5")})
	if !isValidation(err) {
		t.Errorf("SplitShard on an on-demand stream: %v, want ValidationException", err)
	}
}

// isValidation reports whether err is Kinesis's ValidationException, which
// the SDK has no type for.
func isValidation(err error) bool {
	return err != nil && strings.Contains(err.Error(), "ValidationException")
}

func TestListShardsFilters(t *testing.T) {
	_, c := startSim(t, testConfig())
	ctx := context.Background()
	createStream(t, c, "lf", 1)
	time.Sleep(5 * time.Millisecond) // timestamps travel in milliseconds
	before := time.Now()
	time.Sleep(5 * time.Millisecond)
	if _, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("lf"), ShardToSplit: aws.String(shardID(0)), NewStartingHashKey: aws.String("1000")}); err != nil {
		t.Fatal(err)
	}
	ids := func(f *types.ShardFilter) []string {
		out, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("lf"), ShardFilter: f})
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		var ids []string
		for _, s := range out.Shards {
			ids = append(ids, aws.ToString(s.ShardId))
		}
		return ids
	}
	for _, tc := range []struct {
		f    *types.ShardFilter
		want []string
	}{
		{&types.ShardFilter{Type: types.ShardFilterTypeAtLatest}, []string{shardID(1), shardID(2)}},
		{&types.ShardFilter{Type: types.ShardFilterTypeAtTimestamp, Timestamp: &before}, []string{shardID(0)}},
		{&types.ShardFilter{Type: types.ShardFilterTypeFromTimestamp, Timestamp: &before}, []string{shardID(0), shardID(1), shardID(2)}},
		{&types.ShardFilter{Type: types.ShardFilterTypeAfterShardId, ShardId: aws.String(shardID(0))}, []string{shardID(1), shardID(2)}},
		{&types.ShardFilter{Type: types.ShardFilterTypeAtTrimHorizon}, []string{shardID(0), shardID(1), shardID(2)}},
	} {
		if got := ids(tc.f); !slices.Equal(got, tc.want) {
			t.Errorf("ShardFilter %s: %v, want %v", tc.f.Type, got, tc.want)
		}
	}
	_, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("lf"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtTimestamp}})
	if !isErr[*types.InvalidArgumentException](err) {
		t.Errorf("AT_TIMESTAMP without a Timestamp: %v", err)
	}
}

func TestUpdateStreamMode(t *testing.T) {
	s, c := startSim(t, testConfig())
	ctx := context.Background()
	createStream(t, c, "m", 2)
	arn := aws.String(streamARN("m"))
	if _, err := c.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: arn, StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, "m")
	d, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("m")})
	if err != nil || d.StreamDescriptionSummary.StreamModeDetails.StreamMode != types.StreamModeOnDemand {
		t.Fatalf("mode after switch: %+v %v", d, err)
	}
	st, _ := s.lookup("m", "")
	if sh := st.table.Load().open[0]; sh.wRecs.rate != onDemandRecords/2 {
		t.Errorf("on-demand shard write rate %v records/s, want %v", sh.wRecs.rate, onDemandRecords/2)
	}
	_, err = c.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: arn, StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	if !isErr[*types.InvalidArgumentException](err) {
		t.Errorf("switch to the current mode: %v", err)
	}
	if _, err := c.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: arn, StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeProvisioned}}); err != nil {
		t.Fatal(err)
	}
	if sh := st.table.Load().open[0]; sh.wRecs.rate != shardWriteRecords {
		t.Errorf("provisioned shard write rate %v records/s, want %v", sh.wRecs.rate, shardWriteRecords)
	}
	waitActive(t, c, "m")
	_, err = c.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: arn, StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	if !isErr[*types.LimitExceededException](err) {
		t.Errorf("third switch in 24 h: %v, want LimitExceededException", err)
	}
	_, err = c.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}})
	if err == nil {
		t.Error("UpdateStreamMode without StreamARN succeeded")
	}
}

func TestRetentionMonitoringEncryptionLimits(t *testing.T) {
	_, c := startSim(t, testConfig())
	ctx := context.Background()
	createStream(t, c, "r", 1)
	name := aws.String("r")
	if _, err := c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: name, RetentionPeriodHours: aws.Int32(72)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: name, RetentionPeriodHours: aws.Int32(48)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		what string
		err  error
		ok   func(error) bool
	}{
		{"increase to less", ignore(c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: name, RetentionPeriodHours: aws.Int32(24)})), isErr[*types.InvalidArgumentException]},
		{"decrease to more", ignore(c.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: name, RetentionPeriodHours: aws.Int32(72)})), isErr[*types.InvalidArgumentException]},
		{"under 24 h", ignore(c.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: name, RetentionPeriodHours: aws.Int32(12)})), isErr[*types.InvalidArgumentException]},
		{"over 8760 h", ignore(c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: name, RetentionPeriodHours: aws.Int32(9000)})), isValidation},
		{"bad metric", ignore(c.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: name, ShardLevelMetrics: []types.MetricsName{"Nope"}})), isValidation},
		{"encryption NONE", ignore(c.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: name, EncryptionType: types.EncryptionTypeNone, KeyId: aws.String("k")})), isErr[*types.InvalidArgumentException]},
	} {
		if !tc.ok(tc.err) {
			t.Errorf("%s: %v", tc.what, tc.err)
		}
	}
	en, err := c.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: name, ShardLevelMetrics: []types.MetricsName{types.MetricsNameAll}})
	if err != nil || len(en.CurrentShardLevelMetrics) != 0 || len(en.DesiredShardLevelMetrics) != 7 {
		t.Fatalf("EnableEnhancedMonitoring ALL: %+v %v", en, err)
	}
	dis, err := c.DisableEnhancedMonitoring(ctx, &kinesis.DisableEnhancedMonitoringInput{StreamName: name, ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingBytes}})
	if err != nil || len(dis.DesiredShardLevelMetrics) != 6 || slices.Contains(dis.DesiredShardLevelMetrics, types.MetricsNameIncomingBytes) {
		t.Fatalf("DisableEnhancedMonitoring: %+v %v", dis, err)
	}
	if _, err := c.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: name, EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, "r")
	d, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: name})
	if err != nil {
		t.Fatal(err)
	}
	sd := d.StreamDescription
	if sd.EncryptionType != types.EncryptionTypeKms || aws.ToString(sd.KeyId) != "alias/aws/kinesis" || aws.ToInt32(sd.RetentionPeriodHours) != 48 ||
		len(sd.EnhancedMonitoring) != 1 || len(sd.EnhancedMonitoring[0].ShardLevelMetrics) != 6 {
		t.Errorf("DescribeStream: encryption %s key %s retention %d monitoring %+v", sd.EncryptionType, aws.ToString(sd.KeyId), aws.ToInt32(sd.RetentionPeriodHours), sd.EnhancedMonitoring)
	}
	put, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: name, PartitionKey: aws.String("k"), Data: []byte("x")})
	if err != nil || put.EncryptionType != types.EncryptionTypeKms {
		t.Errorf("PutRecord on an encrypted stream: %+v %v", put, err)
	}
	if _, err := c.StopStreamEncryption(ctx, &kinesis.StopStreamEncryptionInput{StreamName: name, EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, "r")
	puts, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: name, Records: []types.PutRecordsRequestEntry{{PartitionKey: aws.String("k"), Data: []byte("x")}}})
	if err != nil || puts.EncryptionType != types.EncryptionTypeNone {
		t.Errorf("PutRecords after StopStreamEncryption: %+v %v", puts, err)
	}
	lim, err := c.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
	if err != nil || aws.ToInt32(lim.OpenShardCount) != 1 || aws.ToInt32(lim.ShardLimit) != accountShardLimit || aws.ToInt32(lim.OnDemandStreamCountLimit) != onDemandStreamsLimit {
		t.Errorf("DescribeLimits: %+v %v", lim, err)
	}
}

// ignore keeps the error of a call whose output a test does not need.
func ignore[T any](_ T, err error) error { return err }

func TestResourceTags(t *testing.T) {
	_, c := startSim(t, testConfig())
	ctx := context.Background()
	createStream(t, c, "tg", 1)
	carn := registerConsumer(t, c, "tg", "c")
	for _, arn := range []string{streamARN("tg"), carn} {
		if _, err := c.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(arn), Tags: map[string]string{"a": "1", "b": "2"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.UntagResource(ctx, &kinesis.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: []string{"a"}}); err != nil {
			t.Fatal(err)
		}
		out, err := c.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
		if err != nil || len(out.Tags) != 1 || aws.ToString(out.Tags[0].Key) != "b" {
			t.Errorf("%s tags: %+v %v", arn, out, err)
		}
	}
	st, err := c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("tg")})
	if err != nil || len(st.Tags) != 1 {
		t.Errorf("ListTagsForStream sees TagResource's tags: %+v %v", st, err)
	}
	if _, err := c.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String("tg"), TagKeys: []string{"b"}}); err != nil {
		t.Fatal(err)
	}
	st, _ = c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("tg")})
	if len(st.Tags) != 0 {
		t.Errorf("tags after RemoveTagsFromStream: %+v", st.Tags)
	}
	_, err = c.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: aws.String("arn:aws:s3:::bucket"), Tags: map[string]string{"a": "1"}})
	if !isErr[*types.InvalidArgumentException](err) {
		t.Errorf("TagResource on a bucket: %v", err)
	}
	_, err = c.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String(streamARN("nope"))})
	if !isErr[*types.ResourceNotFoundException](err) {
		t.Errorf("ListTagsForResource of a missing stream: %v", err)
	}
}

func TestDeletingWindow(t *testing.T) {
	cfg := testConfig()
	cfg.DeleteDelay = 300 * time.Millisecond
	_, c := startSim(t, cfg)
	ctx := context.Background()
	createStream(t, c, "del", 1)
	if _, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("del")}); err != nil {
		t.Fatal(err)
	}
	ls, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err != nil || len(ls.StreamSummaries) != 1 || ls.StreamSummaries[0].StreamStatus != types.StreamStatusDeleting {
		t.Fatalf("ListStreams while DELETING: %+v %v", ls, err)
	}
	if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("del"), PartitionKey: aws.String("k"), Data: []byte("x")}); err != nil {
		t.Errorf("PutRecord while DELETING: %v (AWS accepts it)", err)
	}
	_, err = c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("del"), TargetShardCount: aws.Int32(2), ScalingType: types.ScalingTypeUniformScaling})
	if !isErr[*types.ResourceInUseException](err) {
		t.Errorf("UpdateShardCount while DELETING: %v", err)
	}
	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("del"), ShardCount: aws.Int32(1)})
	if !isErr[*types.ResourceInUseException](err) {
		t.Errorf("CreateStream of a DELETING name: %v", err)
	}
	if _, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("del")}); err != nil {
		t.Errorf("DeleteStream of a DELETING stream: %v", err)
	}
	time.Sleep(cfg.DeleteDelay)
	_, err = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("del")})
	if !isErr[*types.ResourceNotFoundException](err) {
		t.Errorf("after the delete delay: %v", err)
	}
	createStream(t, c, "del", 1)
}

// TestBoundedEcho: an invalid value is quoted in an error message at most
// 200 characters long, however long it was.
func TestBoundedEcho(t *testing.T) {
	s, _ := startSim(t, testConfig())
	url := startServer(t, s)
	huge := strings.Repeat("é", 2<<20)
	for _, body := range []string{
		`{"StreamName":"` + huge + `","ShardCount":1}`,
		`{"StreamName":"s","Records":[{"PartitionKey":"` + huge[:1000] + `","Data":"AA=="}]}`,
	} {
		op := "CreateStream"
		if strings.Contains(body, "Records") {
			op = "PutRecords"
		}
		status, msg := rawCall(t, url, op, body)
		if status != http.StatusBadRequest || utf8.RuneCountInString(msg) > 500 || !strings.Contains(msg, "ValidationException") {
			t.Errorf("%s with a huge value: %d, %d-character answer %.300q", op, status, utf8.RuneCountInString(msg), msg)
		}
	}
}

// TestInvalidUTF8PartitionKey: a partition key that is not UTF-8 is
// ValidationException, and nothing is stored. (An unpaired surrogate
// escape, "\ud800", is valid JSON text and decodes to U+FFFD, as
// encoding/json does.)
func TestInvalidUTF8PartitionKey(t *testing.T) {
	s, c := startSim(t, testConfig())
	url := startServer(t, s)
	createStream(t, c, "u", 1)
	for _, key := range []string{"a\xff\xfeb", "\xc3", "a\xed\xa0\x80b"} {
		for _, tc := range []struct{ op, body string }{
			{"PutRecord", `{"StreamName":"u","PartitionKey":"` + key + `","Data":"AA=="}`},
			{"PutRecords", `{"StreamName":"u","Records":[{"PartitionKey":"` + key + `","Data":"AA=="}]}`},
		} {
			status, msg := rawCall(t, url, tc.op, tc.body)
			if status != http.StatusBadRequest || !strings.Contains(msg, "ValidationException") || !strings.Contains(msg, "partitionKey") {
				t.Errorf("%s with key %q: %d %s", tc.op, key, status, msg)
			}
		}
	}
	recs, _ := readAll(t, c, iter(t, c, "u", shardID(0), types.ShardIteratorTypeTrimHorizon, "", nil))
	if len(recs) != 0 {
		t.Errorf("%d records stored", len(recs))
	}
}

// rawCall posts a JSON body to op and returns the status and the body.
func rawCall(t *testing.T, url, op, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentTypeJSON)
	req.Header.Set("X-Amz-Target", targetPrefix+op)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}
