package main

// Tests of the real-AWS code path (--target aws) against the simulator with
// credential checks on (sim.Auth), so nothing ever leaves 127.0.0.1: the
// endpoint is always a loopback one, credentials are static test keys in the
// environment, and instance metadata is disabled.

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/kbench/kbench/internal/awstest"
	"github.com/kbench/kbench/sim"
	"github.com/kbench/kbench/targets"
)

const testAccessKey = "AKIDKBENCHTEST"

// awsScenario is a short run of kind aws on stream kbench-awstest.
const awsScenario = `name: awstest
target: {kind: aws}
stream: {name: kbench-awstest, shards: 1}
duration: 2s
warmup: 0s
drain: 3s
producers:
  - name: payments
    generator: payments
    rate: {profile: constant, rps: 200}
consumers:
  - {name: reader, kind: polling, poll_interval: 100ms}
`

// writeScenario writes a scenario file and returns its path.
func writeScenario(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "scenario.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// authSim isolates the AWS chain, puts static test credentials signing with
// key in the environment, and starts a simulator that accepts only
// testAccessKey. It returns the simulator's URL and a client of it.
func authSim(t *testing.T, key string) (string, *kinesis.Client) {
	t.Helper()
	awstest.Isolate(t)
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
	cfg := sim.DefaultConfig()
	cfg.Auth = &sim.Auth{AccessKeyID: testAccessKey}
	url, stop, err := sim.Start(context.Background(), cfg, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	// The test's own client signs with the accepted key, whatever key says.
	t.Setenv("AWS_ACCESS_KEY_ID", testAccessKey)
	tgt, err := targets.Open(t.Context(), targets.Spec{Kind: targets.KindAWS, Endpoint: url})
	if err != nil {
		t.Fatal(err)
	}
	c, err := tgt.Client(t.Context(), targets.ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", key)
	return url, c
}

// streamNames lists the simulator's streams.
func streamNames(t *testing.T, c *kinesis.Client) []string {
	t.Helper()
	out, err := c.ListStreams(context.Background(), &kinesis.ListStreamsInput{})
	if err != nil {
		t.Fatal(err)
	}
	return out.StreamNames
}

// streamTags returns the stream's tags, or nil if it does not exist.
func streamTags(c *kinesis.Client, name string) map[string]string {
	out, err := c.ListTagsForStream(context.Background(), &kinesis.ListTagsForStreamInput{StreamName: aws.String(name)})
	if err != nil {
		return nil
	}
	tags := map[string]string{}
	for _, tg := range out.Tags {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	return tags
}

// noTerminal makes standard input a non-terminal for the test.
func noTerminal(t *testing.T) {
	t.Helper()
	old := stdinIsTerminal
	stdinIsTerminal = func() bool { return false }
	t.Cleanup(func() { stdinIsTerminal = old })
}

// TestAWSRunTagsAndDeletes: a run of kind aws creates its stream tagged with
// its run id, shows the plan and cost first, and deletes the stream at the end.
func TestAWSRunTagsAndDeletes(t *testing.T) {
	url, c := authSim(t, testAccessKey)
	noTerminal(t)
	dir := t.TempDir()
	var (
		mu   sync.Mutex
		seen map[string]string
	)
	ctx, stop := context.WithTimeout(t.Context(), 30*time.Second)
	defer stop()
	go func() { // watch the stream's tags while the run goes
		for ctx.Err() == nil {
			if tags := streamTags(c, "kbench-awstest"); tags != nil {
				mu.Lock()
				seen = tags
				mu.Unlock()
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	code, stdout, stderr := kbench(t, "run", writeScenario(t, awsScenario), "--endpoint", url, "--yes", "--out", dir)
	stop()
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"create stream kbench-awstest (provisioned, 1 shard(s))", "estimated AWS cost $", "credentials from EnvConfigCredentials"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	s := readSummary(t, dir)
	mu.Lock()
	defer mu.Unlock()
	if seen[targets.TagCreatedBy] != targets.CreatedByValue || seen[targets.TagRunID] == "" || seen[targets.TagRunID] != get(t, s, "run_id") {
		t.Errorf("stream tags during the run = %v, want %s=%s and %s = the summary's run_id %v",
			seen, targets.TagCreatedBy, targets.CreatedByValue, targets.TagRunID, get(t, s, "run_id"))
	}
	if get(t, s, "target.kind") != "aws" || num(t, s, "totals.acked") == 0 || num(t, s, "totals.lost") != 0 {
		t.Errorf("summary target %v, acked %v, lost %v: want aws, records acked, none lost",
			get(t, s, "target.kind"), get(t, s, "totals.acked"), get(t, s, "totals.lost"))
	}
	if names := streamNames(t, c); len(names) != 0 {
		t.Errorf("streams left after the run: %v", names)
	}
}

// TestAWSLeavesOthersStreams: a stream kbench did not create is refused as a
// new stream (nothing changes), and used as is with stream.existing (and
// still there, untagged, afterwards).
func TestAWSLeavesOthersStreams(t *testing.T) {
	url, c := authSim(t, testAccessKey)
	noTerminal(t)
	if _, err := c.CreateStream(t.Context(), &kinesis.CreateStreamInput{StreamName: aws.String("kbench-awstest"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	sc := writeScenario(t, awsScenario)
	code, _, stderr := kbench(t, "run", sc, "--endpoint", url, "--yes", "--out", t.TempDir())
	if code != exitRunFailed || !strings.Contains(stderr, "already exists") || !strings.Contains(stderr, "nothing was created") {
		t.Errorf("run onto a taken name: exit %d, want 3 naming the existing stream\nstderr:\n%s", code, stderr)
	}
	code, stdout, stderr := kbench(t, "run", sc, "--endpoint", url, "--yes", "--out", t.TempDir(), "--set", "stream.existing=true")
	if code != exitOK {
		t.Fatalf("run with stream.existing: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "use the existing stream kbench-awstest") || !strings.Contains(stderr, "never deleted") {
		t.Errorf("plan does not say the stream is used as is:\n%s", stderr)
	}
	tags := streamTags(c, "kbench-awstest")
	if tags == nil || tags[targets.TagCreatedBy] != "" {
		t.Errorf("the existing stream after two runs: tags %v (nil: gone); want it there, untagged", tags)
	}
}

// TestAWSMaxCost: the estimate is printed and --max-cost refuses a run over
// it with exit 2 before anything is created.
//
// Hand computation (us-east-1): 10 provisioned shards for 59 min of writing
// plus 1 min of drain = 10 shard-hours × $0.015 = $0.15; 1,000 records/s for
// 59 min = 3,540,000 records, each under 25 KB so one PUT payload unit:
// 3.54 M × $0.014 = $0.04956; the polling consumer is free. Total $0.19956.
func TestAWSMaxCost(t *testing.T) {
	url, c := authSim(t, testAccessKey)
	noTerminal(t)
	sc := writeScenario(t, strings.NewReplacer("duration: 2s", "duration: 59m", "drain: 3s", "drain: 1m",
		"shards: 1", "shards: 10", "rps: 200", "rps: 1000").Replace(awsScenario))
	code, _, stderr := kbench(t, "run", sc, "--endpoint", url, "--yes", "--max-cost", "0.19", "--out", t.TempDir())
	if code != exitUsage || !strings.Contains(stderr, "$0.1996 is over --max-cost $0.1900") || !strings.Contains(stderr, "nothing was created") {
		t.Errorf("exit %d, want 2 refusing $0.1996 over $0.19\nstderr:\n%s", code, stderr)
	}
	for _, want := range []string{"shard-hours", "10 × $0.015", "$0.1500", "million PUT payload units", "3.54 × $0.014", "$0.0496"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("estimate lacks %q:\n%s", want, stderr)
		}
	}
	// Under the cap the next guard speaks: no terminal and no --yes.
	code, _, stderr = kbench(t, "run", sc, "--endpoint", url, "--max-cost", "0.20", "--out", t.TempDir())
	if code != exitUsage || !strings.Contains(stderr, "pass --yes") {
		t.Errorf("no terminal, no --yes: exit %d, want 2 asking for --yes\nstderr:\n%s", code, stderr)
	}
	if names := streamNames(t, c); len(names) != 0 {
		t.Errorf("streams created by refused runs: %v", names)
	}
}

// TestAWSConfirm: on a terminal the run asks first; anything but y stops it.
func TestAWSConfirm(t *testing.T) {
	url, c := authSim(t, testAccessKey)
	oldTTY, oldIn := stdinIsTerminal, stdin
	stdinIsTerminal, stdin = func() bool { return true }, strings.NewReader("n\n")
	t.Cleanup(func() { stdinIsTerminal, stdin = oldTTY, oldIn })
	code, _, stderr := kbench(t, "run", writeScenario(t, awsScenario), "--endpoint", url, "--out", t.TempDir())
	if code != exitUsage || !strings.Contains(stderr, "Proceed? [y/N]") || !strings.Contains(stderr, "not confirmed") {
		t.Errorf("answer n: exit %d, want 2 after the question\nstderr:\n%s", code, stderr)
	}
	if names := streamNames(t, c); len(names) != 0 {
		t.Errorf("streams created without confirmation: %v", names)
	}
}

// TestAWSRefusedCredentials: a key AWS does not know stops the run at the
// preflight call, exit 3, naming the error and the IAM actions; nothing is
// created.
func TestAWSRefusedCredentials(t *testing.T) {
	url, c := authSim(t, "AKIDNOTKNOWN")
	noTerminal(t)
	code, _, stderr := kbench(t, "run", writeScenario(t, awsScenario), "--endpoint", url, "--yes", "--out", t.TempDir())
	if code != exitRunFailed {
		t.Fatalf("exit %d, want 3\nstderr:\n%s", code, stderr)
	}
	for _, want := range []string{"UnrecognizedClientException", "access key id", "kinesis:CreateStream", "kinesis:SubscribeToShard",
		"a minimal IAM policy", `"arn:aws:kinesis:*:*:stream/kbench-*"`, "nothing was created"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if names := streamNames(t, c); len(names) != 0 {
		t.Errorf("streams created: %v", names)
	}
}

// TestAWSNoCredentials: with nothing in the credential chain the run fails
// within 10 s, exit 3, naming the chain. The endpoint is a closed loopback
// port, so even a misconfigured test could not reach AWS.
func TestAWSNoCredentials(t *testing.T) {
	awstest.Isolate(t)
	noTerminal(t)
	start := time.Now()
	code, _, stderr := kbench(t, "run", writeScenario(t, awsScenario), "--target", "aws",
		"--endpoint", "http://127.0.0.1:1", "--yes", "--out", t.TempDir())
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %v, want under 10 s", took)
	}
	if code != exitRunFailed {
		t.Fatalf("exit %d, want 3\nstderr:\n%s", code, stderr)
	}
	for _, want := range []string{"no AWS credentials", "credential chain", "AWS_ACCESS_KEY_ID", "AWS_PROFILE", "instance role"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// TestAWSInterruptDeletesStream: Ctrl-C in the middle of a run still deletes
// the stream kbench created.
func TestAWSInterruptDeletesStream(t *testing.T) {
	url, c := authSim(t, testAccessKey)
	noTerminal(t)
	ctx, stop := context.WithTimeout(t.Context(), 30*time.Second)
	defer stop()
	go func() {
		for ctx.Err() == nil {
			if streamTags(c, "kbench-awstest") != nil {
				time.Sleep(time.Second) // into the run proper
				syscall.Kill(os.Getpid(), syscall.SIGINT)
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	sc := writeScenario(t, strings.Replace(awsScenario, "duration: 2s", "duration: 60s", 1))
	code, stdout, stderr := kbench(t, "run", sc, "--endpoint", url, "--yes", "--out", t.TempDir())
	stop()
	if code != exitRunFailed {
		t.Fatalf("exit %d, want 3 (interrupted)\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if names := streamNames(t, c); len(names) != 0 {
		t.Errorf("streams left after the interrupt: %v\nstderr:\n%s", names, stderr)
	}
}

// TestCleanup: kbench cleanup lists and deletes only kbench-tagged streams.
func TestCleanup(t *testing.T) {
	url, c := authSim(t, testAccessKey)
	noTerminal(t)
	ctx := t.Context()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("theirs"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"kbench-left-1", "kbench-left-2"} {
		if _, err := targets.EnsureStream(ctx, c, targets.StreamSpec{Name: name, Shards: 1, RunID: "run-" + name}); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"cleanup", "--target", "aws", "--endpoint", url}

	code, stdout, stderr := kbench(t, append(args, "--older-than", "1h")...)
	if code != exitOK || !strings.Contains(stdout, "no kbench streams to delete") {
		t.Errorf("--older-than 1h: exit %d, want 0 and nothing to delete\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = kbench(t, args...)
	if code != exitUsage || !strings.Contains(stderr, "pass --yes") || !strings.Contains(stdout, "run-kbench-left-1") {
		t.Errorf("no terminal, no --yes: exit %d, want 2 after listing the streams with their run ids\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if n := len(streamNames(t, c)); n != 3 {
		t.Fatalf("%d streams after an unconfirmed cleanup, want all 3", n)
	}
	code, stdout, stderr = kbench(t, append(args, "--yes")...)
	if code != exitOK || !strings.Contains(stdout, "deleted kbench-left-1") || !strings.Contains(stdout, "deleted kbench-left-2") {
		t.Errorf("--yes: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if names := streamNames(t, c); len(names) != 1 || names[0] != "theirs" {
		t.Errorf("streams after cleanup = %v, want only the untagged one", names)
	}
	if code, _, stderr := kbench(t, "cleanup", "--target", "sim"); code != exitUsage || !strings.Contains(stderr, "--endpoint") {
		t.Errorf("cleanup --target sim without an endpoint: exit %d, want 2\n%s", code, stderr)
	}
}

// TestRunOnLocalStack runs a short scenario on LocalStack started through
// testcontainers-go's LocalStack module. It needs a Docker engine.
func TestRunOnLocalStack(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a LocalStack container")
	}
	if err := targets.DockerAvailable(t.Context()); err != nil {
		t.Skipf("LocalStack test needs a Docker engine, and none is reachable: %v", err)
	}
	dir := t.TempDir()
	code, stdout, stderr := kbench(t, "run", "../../scenarios/payments.yaml", "--target", "localstack", "--out", dir,
		"--set", "duration=5s", "--set", "warmup=0s", "--set", "drain=20s", "--set", "thresholds=[]",
		"--set", "producers[0].rate.rps=100")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	s := checkAccounting(t, dir)
	if get(t, s, "target.kind") != "localstack" {
		t.Errorf("target.kind = %v, want localstack", get(t, s, "target.kind"))
	}
}
