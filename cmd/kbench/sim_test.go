package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// startSimCmd runs "kbench sim" on an ephemeral loopback port with extra
// flags and returns its URL (from the banner), a channel that receives its
// exit code and its standard error. Stop it with SIGINT.
func startSimCmd(t *testing.T, flags ...string) (string, <-chan int, *bytes.Buffer) {
	t.Helper()
	pr, pw := io.Pipe()
	stderr := new(bytes.Buffer)
	done := make(chan int, 1)
	go func() {
		code := run(append([]string{"sim", "--addr", "127.0.0.1:0"}, flags...), pw, stderr)
		pw.Close()
		done <- code
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no banner: %v (stderr %s)", err, stderr.String())
	}
	go io.Copy(io.Discard, pr)
	url := regexp.MustCompile(`https?://[0-9.:]+`).FindString(line)
	if url == "" {
		t.Fatalf("banner names no URL: %q", line)
	}
	return url, done, stderr
}

// TestSimServesUntilInterrupted runs "kbench sim" and drives it with a plain
// aws-sdk-go-v2 program: create a stream, put, read back, reshard; then
// Ctrl-C stops it with exit code 0.
func TestSimServesUntilInterrupted(t *testing.T) {
	url, done, stderr := startSimCmd(t, "--create-delay", "10ms")

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("a", "b", "")),
		config.WithHTTPClient(awshttp.NewBuildableClient()))
	if err != nil {
		t.Fatal(err)
	}
	c := kinesis.NewFromConfig(cfg, func(o *kinesis.Options) { o.BaseEndpoint = aws.String(url) })
	stream := aws.String("plain-sdk")
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: stream, ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	waitActive := func() {
		for ctx.Err() == nil {
			out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: stream})
			if err == nil && out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatal("stream never became ACTIVE")
	}
	waitActive()
	put, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: stream, PartitionKey: aws.String("k"), Data: []byte("hello")})
	if err != nil {
		t.Fatal(err)
	}
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: stream, ShardId: put.ShardId,
		ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Records) != 1 || string(got.Records[0].Data) != "hello" {
		t.Fatalf("read back %+v", got.Records)
	}
	if _, err := c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: stream, TargetShardCount: aws.Int32(2),
		ScalingType: types.ScalingTypeUniformScaling}); err != nil {
		t.Fatal(err)
	}
	waitActive()
	shards, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: stream})
	if err != nil {
		t.Fatal(err)
	}
	if len(shards.Shards) != 3 {
		t.Errorf("after resharding 1 → 2: %d shards listed, want the closed parent and 2 children", len(shards.Shards))
	}

	syscall.Kill(os.Getpid(), syscall.SIGINT)
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("exit %d after Ctrl-C, want 0; stderr: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("kbench sim did not stop on Ctrl-C")
	}
	if _, err := http.Get(url); err == nil {
		t.Error("the endpoint still answers after Ctrl-C")
	}
}

func TestSimBadFlagsExit2(t *testing.T) {
	for _, args := range [][]string{
		{"sim", "--quotas", "sometimes"},
		{"sim", "--error-rate", "2"},
		{"sim", "--put-delay", "soon"},
		{"sim", "extra"},
		{"sim", "--max-memory", "lots"},
		{"sim", "--max-memory", "1MiB"},
		{"sim", "--shard-max-bytes", "-5"},
		{"sim", "--latency", "missing-profile.yaml"},
		{"sim", "--latency", "aws", "--put-delay", "20ms"},
	} {
		if code, _, stderr := kbench(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want 2; stderr: %s", args, code, stderr)
		}
	}
}

func TestByteSize(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "1024": 1024, "64MiB": 64 << 20, "2GiB": 2 << 30, "3KiB": 3 << 10} {
		var b byteSize
		if err := b.Set(in); err != nil || int64(b) != want {
			t.Errorf("Set(%q) = %d, %v; want %d", in, b, err, want)
		}
	}
	for _, in := range []string{"", "MiB", "-1", "1.5MiB", "10MB"} {
		var b byteSize
		if err := b.Set(in); err == nil {
			t.Errorf("Set(%q) accepted", in)
		}
	}
}

// TestSimRequireAuth runs "kbench sim --require-auth KEY": a client signing
// with another access key id is refused the way AWS refuses it, one signing
// with KEY is served.
func TestSimRequireAuth(t *testing.T) {
	url, done, _ := startSimCmd(t, "--require-auth", "AKIDKBENCHTEST")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	client := func(key string) *kinesis.Client {
		cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"),
			config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(key, "secret", "")),
			config.WithHTTPClient(awshttp.NewBuildableClient()), config.WithRetryMaxAttempts(1))
		if err != nil {
			t.Fatal(err)
		}
		return kinesis.NewFromConfig(cfg, func(o *kinesis.Options) { o.BaseEndpoint = aws.String(url) })
	}
	_, err := client("AKIDSOMEONEELSE").ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err == nil || !strings.Contains(err.Error(), "UnrecognizedClientException") {
		t.Errorf("unknown key: err %v, want UnrecognizedClientException", err)
	}
	if _, err := client("AKIDKBENCHTEST").ListStreams(ctx, &kinesis.ListStreamsInput{}); err != nil {
		t.Errorf("accepted key refused: %v", err)
	}

	syscall.Kill(os.Getpid(), syscall.SIGINT)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("kbench sim did not stop on Ctrl-C")
	}
}

// TestSimTLS runs "kbench sim --tls": it writes its self-signed
// certificate where --tls-cert-out says, and an SDK client trusting that
// file (AWS_CA_BUNDLE) works over HTTPS, negotiating HTTP/2.
func TestSimTLS(t *testing.T) {
	certFile := filepath.Join(t.TempDir(), "sim.pem")
	url, done, stderr := startSimCmd(t, "--tls", "--tls-cert-out", certFile)
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("banner URL %s, want https", url)
	}
	pemBytes, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CA_BUNDLE", certFile)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("a", "b", "")),
		config.WithHTTPClient(awshttp.NewBuildableClient()))
	if err != nil {
		t.Fatal(err)
	}
	c := kinesis.NewFromConfig(cfg, func(o *kinesis.Options) { o.BaseEndpoint = aws.String(url) })
	if _, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{}); err != nil {
		t.Fatalf("ListStreams over TLS: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.ListStreams")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Proto != "HTTP/2.0" {
		t.Errorf("HTTPS ListStreams: %s over %s, want 200 over HTTP/2.0", resp.Status, resp.Proto)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := <-done; code != 0 {
		t.Errorf("exit %d, want 0 (stderr %s)", code, stderr)
	}
}

// TestSimTLSFlags: --tls-cert without --tls-key, or without --tls, is a
// usage error.
func TestSimTLSFlags(t *testing.T) {
	for _, args := range [][]string{
		{"sim", "--tls", "--tls-cert", "c.pem"},
		{"sim", "--tls-cert", "c.pem", "--tls-key", "k.pem"},
	} {
		var out, errOut bytes.Buffer
		if code := run(args, &out, &errOut); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errOut.String())
		}
	}
}
