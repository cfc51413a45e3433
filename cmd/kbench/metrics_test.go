package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var metricsURL = regexp.MustCompile(`metrics on (http://\S+/metrics)`)

// waitMetricsURL waits for the "metrics on URL" line in out.
func waitMetricsURL(t *testing.T, out fmt.Stringer, done <-chan int) string {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); {
		if m := metricsURL.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		select {
		case code := <-done:
			t.Fatalf("exited %d before serving metrics:\n%s", code, out)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("no metrics URL in the output:\n%s", out)
	return ""
}

// families is one scrape, by metric name.
type families map[string]*dto.MetricFamily

// scrape fetches url over HTTP, asking for the protobuf format (which
// carries native histograms) or the text format, and decodes it.
func scrape(url string, proto bool) (families, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	accept := "text/plain;version=0.0.4"
	if proto {
		accept = string(expfmt.FmtProtoDelim)
	}
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", url, resp.Status)
	}
	format := expfmt.ResponseFormat(resp.Header)
	if got := format.FormatType() == expfmt.TypeProtoDelim; got != proto {
		return nil, fmt.Errorf("asked for protobuf %v, answered %s", proto, format)
	}
	dec := expfmt.NewDecoder(resp.Body, format)
	fams := families{}
	for {
		mf := new(dto.MetricFamily)
		if err := dec.Decode(mf); errors.Is(err, io.EOF) {
			return fams, nil
		} else if err != nil {
			return nil, err
		}
		fams[mf.GetName()] = mf
	}
}

// matches reports whether m has every label of want.
func matches(m *dto.Metric, want map[string]string) bool {
	n := 0
	for _, l := range m.Label {
		if v, ok := want[l.GetName()]; ok {
			if v != l.GetValue() {
				return false
			}
			n++
		}
	}
	return n == len(want)
}

// value sums a counter's or gauge's series that carry the labels given as
// name, value pairs; -1 when the metric is missing.
func (f families) value(name string, kv ...string) float64 {
	mf := f[name]
	if mf == nil {
		return -1
	}
	want := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		want[kv[i]] = kv[i+1]
	}
	var sum float64
	for _, m := range mf.Metric {
		if !matches(m, want) {
			continue
		}
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		}
	}
	return sum
}

// series returns the values of one label over a metric's series.
func (f families) series(name, label string) map[string]float64 {
	out := map[string]float64{}
	if mf := f[name]; mf != nil {
		for _, m := range mf.Metric {
			for _, l := range m.Label {
				if l.GetName() == label {
					out[l.GetValue()] = f.value(name, label, l.GetValue())
				}
			}
		}
	}
	return out
}

// TestRunMetricsEndpoint runs a scenario with --metrics-addr and scrapes the
// endpoint over HTTP while it runs: the counters rise during the run, and
// once it has ended they equal summary.json's totals exactly, by producer,
// consumer application and shard, and the latency histograms hold as many
// values as the summary's. The in-process simulator's counters are served
// too. Ctrl-C cuts the linger short.
func TestRunMetricsEndpoint(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const linger = 60 * time.Second
	// A process of its own, so that the Ctrl-C reaches this run alone.
	p := startKbench(t, "run", "testdata/metrics.yaml", "--out", dir, "--quiet",
		"--metrics-addr", "127.0.0.1:0", "--metrics-linger", linger.String())
	stderr := &p.stderr
	done := make(chan int, 1)
	go func() { done <- p.exitCode() }()
	url := waitMetricsURL(t, stderr, done)

	// Scrape until the results are in place (the run and its reports are
	// done and kbench lingers).
	var during, prev families
	scrapes := 0
	for end := time.Now().Add(3 * time.Minute); ; scrapes++ {
		if time.Now().After(end) {
			t.Fatalf("no summary.json after 3 minutes; stderr:\n%s", stderr)
		}
		_, statErr := os.Stat(filepath.Join(dir, "summary.json"))
		f, err := scrape(url, false)
		if err != nil {
			t.Fatalf("scrape %d: %v", scrapes, err)
		}
		for _, name := range []string{"kbench_records_sent_total", "kbench_records_acked_total", "kbench_records_consumed_total"} {
			if prev != nil && f.value(name) < prev.value(name) {
				t.Errorf("%s fell from %v to %v", name, prev.value(name), f.value(name))
			}
		}
		prev = f
		if during == nil && f.value("kbench_run_ended") == 0 && f.value("kbench_records_consumed_total", "consumer", "primary") > 0 {
			during = f
		}
		if statErr == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	final, err := scrape(url, false)
	if err != nil {
		t.Fatal(err)
	}
	native, err := scrape(url, true)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d after the linger was cut short, want 0\nstderr:\n%s", code, stderr)
		}
		if d := time.Since(start); d > linger/2 {
			t.Errorf("Ctrl-C ended the linger after %v", d)
		}
	case <-time.After(linger / 2):
		t.Fatal("Ctrl-C did not cut the linger short")
	}
	if _, err := scrape(url, false); err == nil {
		t.Error("the endpoint still answers after kbench returned")
	}

	if during == nil {
		t.Fatalf("no scrape in %d saw the run in progress with records consumed", scrapes)
	}
	if final.value("kbench_run_ended") != 1 {
		t.Fatal("kbench_run_ended is not 1 once summary.json is written")
	}
	// The in-process simulator's own counters are served beside the run's.
	if got := during.value("kbench_sim_records_accepted_total", "stream", "kbench-live-metrics"); got <= 0 {
		t.Errorf("the in-process simulator's records accepted during the run: %v, want some", got)
	}
	if during.value("kbench_records_consumed_total") >= final.value("kbench_records_consumed_total") {
		t.Errorf("consumed during the run %v, at the end %v: want it to rise", during.value("kbench_records_consumed_total"),
			final.value("kbench_records_consumed_total"))
	}

	s := readSummary(t, dir)
	runID := get(t, s, "run_id").(string)
	for name, c := range map[string]struct {
		got  float64
		want float64
	}{
		"sent = totals.produced":        {final.value("kbench_records_sent_total", "run_id", runID, "scenario", "live-metrics"), num(t, s, "totals.produced")},
		"acked = totals.acked":          {final.value("kbench_records_acked_total"), num(t, s, "totals.acked")},
		"throttled = totals.throttled":  {final.value("kbench_records_throttled_total"), num(t, s, "totals.throttled")},
		"failed = totals.failed":        {final.value("kbench_records_failed_total"), num(t, s, "totals.failed")},
		"unsent = totals.unsent":        {max(final.value("kbench_records_unsent_total"), 0), num(t, s, "totals.unsent")},
		"late = totals.late":            {final.value("kbench_records_late_total"), num(t, s, "totals.late")},
		"put calls = totals.calls":      {final.value("kbench_put_calls_total"), num(t, s, "totals.calls")},
		"consumed = totals.consumed":    {final.value("kbench_records_consumed_total", "consumer", "primary"), num(t, s, "totals.consumed")},
		"duplicates":                    {final.value("kbench_records_duplicate_total"), num(t, s, "totals.duplicates")},
		"e2e count = latency.e2e.count": {final.value("kbench_e2e_latency_seconds", "consumer", "primary"), num(t, s, "latency.e2e.count")},
		"put count":                     {final.value("kbench_put_latency_seconds"), num(t, s, "latency.put.count")},
		"lateness count":                {final.value("kbench_lateness_seconds"), num(t, s, "latency.lateness.count")},
		"delivery count":                {final.value("kbench_delivery_latency_seconds"), num(t, s, "latency.delivery.count")},
		"shard throttles":               {final.value("kbench_shard_records_throttled_total"), num(t, s, "totals.throttled")},
		"shard acks":                    {final.value("kbench_shard_records_acked_total"), num(t, s, "totals.acked")},
		"in flight at the end":          {final.value("kbench_put_calls_in_flight"), 0},
		"native e2e count":              {native.value("kbench_e2e_latency_seconds", "consumer", "primary"), num(t, s, "latency.e2e.count")},
	} {
		if c.got != c.want {
			t.Errorf("%s: metrics %v, summary %v", name, c.got, c.want)
		}
	}
	if num(t, s, "totals.throttled") == 0 || num(t, s, "latency.e2e.count") == 0 {
		t.Error("no throttles or no e2e values: the scenario no longer tests what it should")
	}
	if got := final.series("kbench_records_sent_total", "producer"); len(got) != 2 || got["hot"] == 0 || got["spread"] == 0 {
		t.Errorf("sent by producer %v, want hot and spread", got)
	}
	for _, c := range get(t, s, "consumers").([]any) {
		c := c.(map[string]any)
		name := c["name"].(string)
		for metric, key := range map[string]string{
			"kbench_records_consumed_total": "consumed", "kbench_read_calls_total": "calls",
			"kbench_read_throttled_total": "throttled", "kbench_e2e_latency_seconds": "latency.e2e.count",
			"kbench_e2e_uncorrected_latency_seconds": "latency.e2e_uncorrected.count",
		} {
			if got, want := final.value(metric, "consumer", name), num(t, c, key); got != want {
				t.Errorf("%s{consumer=%q} = %v, summary consumers[].%s = %v", metric, name, got, key, want)
			}
		}
	}
	for _, sh := range get(t, s, "per_shard").([]any) {
		sh := sh.(map[string]any)
		id := sh["shard_id"].(string)
		for metric, key := range map[string]string{
			"kbench_shard_records_acked_total": "records", "kbench_shard_acked_bytes_total": "bytes",
			"kbench_shard_records_throttled_total": "throttled", "kbench_shard_records_consumed_total": "consumed",
		} {
			if got, want := final.value(metric, "shard", id), num(t, sh, key); got != want {
				t.Errorf("%s{shard=%q} = %v, summary per_shard[].%s = %v", metric, id, got, key, want)
			}
		}
	}
	h := native["kbench_e2e_latency_seconds"].Metric[0].GetHistogram()
	var inBuckets int64
	var running int64
	for _, d := range h.PositiveDelta {
		running += d
		inBuckets += running
	}
	if h.GetSchema() != 3 || uint64(inBuckets)+h.GetZeroCount() != h.GetSampleCount() || len(h.Bucket) == 0 {
		t.Errorf("e2e histogram: schema %d, %d in native buckets, count %d, %d classic buckets; want schema 3, all counted, classic buckets too",
			h.GetSchema(), inBuckets, h.GetSampleCount(), len(h.Bucket))
	}
}

// TestSimMetricsEndpoint runs kbench sim --metrics-addr, writes over a
// shard's quota and reads through the SDK, and scrapes the endpoint over
// HTTP: the per-shard counters are what the client saw.
func TestSimMetricsEndpoint(t *testing.T) {
	stdout, stderr := new(syncBuffer), new(syncBuffer)
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"sim", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--create-delay", "10ms"}, stdout, stderr)
	}()
	murl := waitMetricsURL(t, stdout, done)
	url := regexp.MustCompile(`http://[0-9.:]+`).FindString(stdout.String())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("a", "b", "")),
		config.WithHTTPClient(awshttp.NewBuildableClient()))
	if err != nil {
		t.Fatal(err)
	}
	c := kinesis.NewFromConfig(cfg, func(o *kinesis.Options) { o.BaseEndpoint = aws.String(url) })
	stream := aws.String("scraped")
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: stream, ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	var shard *string
	for shard == nil {
		d, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: stream})
		if err != nil {
			t.Fatal(err)
		}
		if d.StreamDescription.StreamStatus == types.StreamStatusActive {
			shard = d.StreamDescription.Shards[0].ShardId
		}
		time.Sleep(10 * time.Millisecond)
	}
	accepted, throttled, bytes := 0, 0, 0
	for range 3 { // 1,500 records to the first shard at once: over its 1,000 records/s
		var entries []types.PutRecordsRequestEntry
		for i := range 500 {
			entries = append(entries, types.PutRecordsRequestEntry{Data: []byte("data"), PartitionKey: aws.String(fmt.Sprint(i)),
				ExplicitHashKey: aws.String("7")})
		}
		out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: stream, Records: entries})
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range out.Records {
			switch aws.ToString(r.ErrorCode) {
			case "":
				accepted++
				bytes += len(entries[i].Data) + len(*entries[i].PartitionKey)
			case "ProvisionedThroughputExceededException":
				throttled++
			}
		}
	}
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: stream, ShardId: shard,
		ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(10)})
	if err != nil {
		t.Fatal(err)
	}

	f, err := scrape(murl, false)
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct{ got, want float64 }{
		"accepted":      {f.value("kbench_sim_records_accepted_total", "stream", "scraped", "shard", *shard), float64(accepted)},
		"bytes":         {f.value("kbench_sim_bytes_accepted_total", "stream", "scraped"), float64(bytes)},
		"throttled":     {f.value("kbench_sim_records_throttled_total", "stream", "scraped", "shard", *shard), float64(throttled)},
		"get calls":     {f.value("kbench_sim_get_records_calls_total", "shard", *shard), 1},
		"records read":  {f.value("kbench_sim_records_read_total"), float64(len(got.Records))},
		"other shard":   {f.value("kbench_sim_records_accepted_total", "shard", "shardId-000000000001"), 0},
		"shards open":   {f.value("kbench_sim_shard_open"), 2},
		"subscriptions": {f.value("kbench_sim_subscriptions_total"), 0},
	} {
		if c.got != c.want {
			t.Errorf("%s: metric %v, the client saw %v", name, c.got, c.want)
		}
	}
	if throttled == 0 || accepted == 0 {
		t.Errorf("accepted %d, throttled %d: want both", accepted, throttled)
	}
	syscall.Kill(os.Getpid(), syscall.SIGINT)
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit %d, want 0\nstderr:\n%s", code, stderr)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("kbench sim did not stop on Ctrl-C")
	}
	if _, err := scrape(murl, false); err == nil {
		t.Error("the metrics endpoint still answers after kbench sim stopped")
	}
}
