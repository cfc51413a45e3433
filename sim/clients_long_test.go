//go:build long

package sim

// Other people's clients against the simulator (issue 10): the AWS SDK for
// JavaScript v3 with its default handler (HTTP/2) and with NodeHttpHandler
// (HTTP/1.1), boto3 and the AWS CLI, each over cleartext and TLS, each doing
// every step of the client path it supports. `make test-long` installs them
// (npm into .cache/, Debian packages when root) and runs these tests; a
// client that is not installed is skipped with the reason.

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// jsSDKDirEnv names the npm prefix holding @aws-sdk/client-kinesis; the
// Makefile sets it.
const jsSDKDirEnv = "KBENCH_JS_SDK_DIR"

var clientSteps = []string{"create", "active", "list-shards", "put-records", "get-records", "register-consumer", "subscribe-to-shard", "delete"}

// countingSim serves a simulator (TLS when tlsOn) and counts the protocol
// of every request it answers.
type countingSim struct {
	url    string
	cert   string // PEM file of the certificate, with TLS
	mu     sync.Mutex
	protos map[string]int
}

func startCounting(t *testing.T, tlsOn bool) *countingSim {
	t.Helper()
	cfg := testConfig()
	cs := &countingSim{protos: map[string]int{}}
	if tlsOn {
		tc, certPEM, err := SelfSignedCert([]string{"127.0.0.1", "localhost"})
		if err != nil {
			t.Fatal(err)
		}
		cfg.TLS = tc
		cs.cert = writeCert(t, certPEM)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := s.httpServer()
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cs.mu.Lock()
		cs.protos[r.Proto]++
		cs.mu.Unlock()
		s.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cs.url = "http://" + ln.Addr().String()
	if tlsOn {
		ln = tls.NewListener(ln, srv.TLSConfig)
		cs.url = "https://" + ln.Addr().String()
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		close(s.closing)
		_ = srv.Shutdown(ctx)
	})
	return cs
}

// clientEnv is the environment of a client process: test credentials, no
// AWS configuration from this machine, the simulator's certificate trusted.
func clientEnv(cs *countingSim) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	env = append(env, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=",
		"AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull)
	if cs.cert != "" {
		env = append(env, "AWS_CA_BUNDLE="+cs.cert, "NODE_EXTRA_CA_CERTS="+cs.cert)
	}
	return env
}

// checkRun runs cmd and checks it printed want, one step a line, and that
// every request came over proto.
func checkRun(t *testing.T, cs *countingSim, cmd *exec.Cmd, want []string, proto string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd = exec.CommandContext(ctx, cmd.Path, cmd.Args[1:]...)
	cmd.Env = clientEnv(cs)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	got := strings.Fields(string(out))
	if err != nil || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("steps done: %v, want %v (%v)\n%s", got, want, err, stderr.String())
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if len(cs.protos) != 1 || cs.protos[proto] == 0 {
		t.Errorf("requests came over %v, want all over %s", cs.protos, proto)
	}
}

func TestClientJS(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("no node on PATH: the AWS SDK for JavaScript cannot run")
	}
	dir := os.Getenv(jsSDKDirEnv)
	if dir == "" {
		found, _ := filepath.Glob(filepath.Join("..", ".cache", "aws-sdk-js-*"))
		dir = filepath.Join("..", ".cache", "aws-sdk-js-VERSION")
		if len(found) > 0 {
			dir = found[len(found)-1]
		}
	}
	modules, err := filepath.Abs(filepath.Join(dir, "node_modules"))
	if err != nil || !fileExists(filepath.Join(modules, "@aws-sdk", "client-kinesis", "package.json")) {
		t.Skipf("@aws-sdk/client-kinesis is not installed under %s (make test-long installs it): %v", dir, err)
	}
	script, _ := filepath.Abs(filepath.Join("testdata", "clients", "kinesis_js.cjs"))
	for _, tc := range []struct {
		name, handler, proto string
		tls                  bool
	}{
		{"default-h2c", "default", "HTTP/2.0", false},
		{"default-tls-h2", "default", "HTTP/2.0", true},
		{"node-http-handler", "http1", "HTTP/1.1", false},
		{"node-http-handler-tls", "http1", "HTTP/1.1", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := startCounting(t, tc.tls)
			cmd := exec.Command(node, script, cs.url, "js-"+tc.name, tc.handler)
			t.Setenv("NODE_PATH", modules)
			checkRun(t, cs, cmd, clientSteps, tc.proto)
		})
	}
}

func TestClientBoto3(t *testing.T) {
	const python = "/usr/bin/python3" // Debian's, where python3-boto3 installs
	if err := exec.Command(python, "-c", "import boto3").Run(); err != nil {
		t.Skipf("boto3 is not importable by %s (Debian package python3-boto3; make test-long installs it as root): %v", python, err)
	}
	script := filepath.Join("testdata", "clients", "kinesis_boto3.py")
	for _, tlsOn := range []bool{false, true} {
		t.Run(map[bool]string{false: "http1.1", true: "tls"}[tlsOn], func(t *testing.T) {
			cs := startCounting(t, tlsOn)
			checkRun(t, cs, exec.Command(python, script, cs.url, "boto3"), clientSteps, "HTTP/1.1")
		})
	}
}

// TestClientAWSCLI runs Debian's AWS CLI (2.9, which has no
// subscribe-to-shard) through every other step.
func TestClientAWSCLI(t *testing.T) {
	const cli = "/usr/bin/aws" // Debian's awscli; an `aws` on PATH may be another
	if _, err := os.Stat(cli); err != nil {
		t.Skipf("no %s (Debian package awscli; make test-long installs it as root)", cli)
	}
	for _, tlsOn := range []bool{false, true} {
		t.Run(map[bool]string{false: "http1.1", true: "tls"}[tlsOn], func(t *testing.T) {
			cs := startCounting(t, tlsOn)
			script := filepath.Join(t.TempDir(), "cli.sh")
			if err := os.WriteFile(script, []byte(cliScript), 0o700); err != nil {
				t.Fatal(err)
			}
			want := []string{"create", "active", "list-shards", "put-records", "get-records", "register-consumer", "delete"}
			checkRun(t, cs, exec.Command("/bin/sh", script, cli, cs.url), want, "HTTP/1.1")
		})
	}
}

// cliScript is the client path with the AWS CLI: sh cli.sh AWS ENDPOINT.
const cliScript = `set -eu
aws="$1 --endpoint-url $2 --output json"
$aws kinesis create-stream --stream-name cli --shard-count 2 >/dev/null; echo create
i=0; until [ "$($aws kinesis describe-stream-summary --stream-name cli --query StreamDescriptionSummary.StreamStatus --output text)" = ACTIVE ]; do
  i=$((i+1)); [ $i -lt 50 ] || exit 1; sleep 0.1; done; echo active
[ "$($aws kinesis list-shards --stream-name cli --query 'length(Shards)')" = 2 ] && echo list-shards
$aws kinesis put-records --stream-name cli --cli-binary-format raw-in-base64-out \
  --records Data=one,PartitionKey=a Data=two,PartitionKey=b Data=three,PartitionKey=c \
  --query FailedRecordCount | grep -qx 0 && echo put-records
n=0; for sh in $($aws kinesis list-shards --stream-name cli --query 'Shards[].ShardId' --output text); do
  it=$($aws kinesis get-shard-iterator --stream-name cli --shard-id $sh --shard-iterator-type TRIM_HORIZON --query ShardIterator --output text)
  n=$((n + $($aws kinesis get-records --shard-iterator "$it" --query 'length(Records)')))
done; [ $n = 3 ] && echo get-records
arn=$($aws kinesis describe-stream-summary --stream-name cli --query StreamDescriptionSummary.StreamARN --output text)
$aws kinesis register-stream-consumer --stream-arn "$arn" --consumer-name cli >/dev/null && echo register-consumer
$aws kinesis delete-stream --stream-name cli --enforce-consumer-deletion && echo delete
`

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil || !errors.Is(err, os.ErrNotExist)
}
