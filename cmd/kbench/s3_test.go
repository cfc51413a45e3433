package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/kbench/kbench/internal/outdir"
)

// s3Env is the environment of a kbench that uses startS3's server:
// credentials (it accepts any) and a region.
var s3Env = []string{"AWS_ACCESS_KEY_ID=kbench", "AWS_SECRET_ACCESS_KEY=kbench", "AWS_REGION=us-east-1"}

// startS3 starts an in-process S3-compatible server (gofakes3) on
// 127.0.0.1 with the bucket "bkt" and returns its URL and a client of it.
// kbench reaches it in a child process with s3Env (kbenchS3): the test's
// environment stays as it is, so the tests can run in parallel.
func startS3(t *testing.T) (string, *s3.Client) {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket("bkt"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	cfg, err := config.LoadDefaultConfig(t.Context(), config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("kbench", "kbench", "")))
	if err != nil {
		t.Fatal(err)
	}
	c := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint, o.UsePathStyle = aws.String(srv.URL), true
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	return srv.URL, c
}

// kbenchS3 runs kbench with args in a child process with s3Env and
// returns its exit code and output.
func kbenchS3(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	p := startKbenchEnv(t, s3Env, args...)
	return p.exitCode(), p.stdout.String(), p.stderr.String()
}

// download copies every object under prefix/ in bkt into dir.
func download(t *testing.T, c *s3.Client, prefix, dir string) []string {
	t.Helper()
	var names []string
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String("bkt"), Prefix: aws.String(prefix + "/")})
	for p.HasMorePages() {
		page, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			rel := strings.TrimPrefix(aws.ToString(o.Key), prefix+"/")
			names = append(names, rel)
			obj, err := c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: o.Key})
			if err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(dir, filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			f, err := os.Create(dst)
			if err == nil {
				_, err = f.ReadFrom(obj.Body)
				err = errors.Join(err, f.Close(), obj.Body.Close())
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	return names
}

// TestDistributedS3 runs two workers writing their results to s3:// and
// merges them from s3:// to s3://: the merged summary is the one a merge
// of the same results in local directories writes, and each prefix carries
// its completion marker.
func TestDistributedS3(t *testing.T) {
	t.Parallel()
	s3url, c := startS3(t)
	url := startSim(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "dist.yaml")
	if err := os.WriteFile(file, []byte(distScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	startAt := time.Now().Add(8 * time.Second)
	var procs []*workerProc
	for i := range 2 {
		out := fmt.Sprintf("s3://bkt/run-1/worker-%d", i)
		procs = append(procs, startKbenchEnv(t, s3Env, workerArgs(file, url, out, i, 2, startAt, "--worker-wait", "60s", "--s3-endpoint", s3url)...))
	}
	for i, p := range procs {
		if err := p.wait(); err != nil {
			t.Fatalf("worker %d: %v\n%s", i, err, p.stderr.String())
		}
	}
	code, stdout, stderr := kbenchS3(t, "merge", "s3://bkt/run-1/worker-*", "--out", "s3://bkt/run-1/merged", "--s3-endpoint", s3url)
	if code != exitOK {
		t.Fatalf("merge from s3: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "results: s3://bkt/run-1/merged") {
		t.Errorf("merge does not say where its results are:\n%s", stdout)
	}

	var locals []string
	for i := range 2 {
		d := filepath.Join(dir, fmt.Sprintf("w%d", i))
		names := download(t, c, fmt.Sprintf("run-1/worker-%d", i), d)
		for _, want := range []string{outdir.Marker, "summary.json", "worker/state.json", "worker/seqs.bin.gz", "report.html"} {
			if !slices.Contains(names, want) {
				t.Errorf("worker %d's prefix lacks %s: %q", i, want, names)
			}
		}
		locals = append(locals, d)
	}
	fromS3 := filepath.Join(dir, "merged-s3")
	names := download(t, c, "run-1/merged", fromS3)
	if !slices.Contains(names, outdir.Marker) || !slices.Contains(names, "report.html") {
		t.Errorf("the merged prefix: %q, want the marker and the reports", names)
	}
	local := filepath.Join(dir, "merged-local")
	if code, stdout, stderr := kbench(t, "merge", locals[0], locals[1], "--out", local); code != exitOK {
		t.Fatalf("local merge: exit %d\n%s\n%s", code, stdout, stderr)
	}
	a, b := readSummary(t, fromS3), readSummary(t, local)
	t.Run("incomplete upload", func(t *testing.T) { incompleteUpload(t, c, s3url) })
	if path(a, "totals.acked") != 3200.0 || path(a, "totals.lost") != 0.0 || path(a, "totals.duplicates") != 0.0 {
		t.Errorf("merged from s3: acked %v, lost %v, duplicates %v; want 3200, 0, 0",
			path(a, "totals.acked"), path(a, "totals.lost"), path(a, "totals.duplicates"))
	}
	for _, k := range keyPaths("", b) {
		if va, vb := path(a, k), path(b, k); !reflect.DeepEqual(va, vb) {
			if _, nested := vb.(map[string]any); !nested {
				ja, _ := json.Marshal(va)
				jb, _ := json.Marshal(vb)
				t.Errorf("%s: merged from s3 %s, from local directories %s", k, ja, jb)
			}
		}
	}
}

// incompleteUpload takes worker 1's completion marker away, as if it had
// died while uploading: the merge names it and exits 2; --allow-partial
// merges worker 0 alone, marked incomplete.
func incompleteUpload(t *testing.T, c *s3.Client, s3url string) {
	if _, err := c.DeleteObject(t.Context(), &s3.DeleteObjectInput{Bucket: aws.String("bkt"), Key: aws.String("run-1/worker-1/" + outdir.Marker)}); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := kbenchS3(t, "merge", "s3://bkt/run-1/worker-*", "--out", "s3://bkt/run-1/partial", "--s3-endpoint", s3url)
	if code != exitUsage || !strings.Contains(stderr, "s3://bkt/run-1/worker-1") || !strings.Contains(stderr, "incomplete upload") {
		t.Fatalf("merge with worker 1's upload incomplete: exit %d, want 2 naming it\n%s", code, stderr)
	}
	code, _, stderr = kbenchS3(t, "merge", "s3://bkt/run-1/worker-*", "--out", "s3://bkt/run-1/partial", "--s3-endpoint", s3url, "--allow-partial")
	if code != exitOK {
		t.Fatalf("merge --allow-partial: exit %d\n%s", code, stderr)
	}
	dir := t.TempDir()
	download(t, c, "run-1/partial", dir)
	if sum := readSummary(t, dir); path(sum, "workers.incomplete") != true {
		t.Errorf("workers.incomplete = %v, want true", path(sum, "workers.incomplete"))
	}
}

// TestRunS3OutRefused: kbench run --out s3:// to a prefix holding objects
// that are not a kbench result exits 2 before a stream is created.
func TestRunS3OutRefused(t *testing.T) {
	s3url, c := startS3(t)
	if _, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("theirs/data.csv"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	url := startSim(t)
	file := filepath.Join(t.TempDir(), "dist.yaml")
	if err := os.WriteFile(file, []byte(distScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := kbenchS3(t, "run", file, "--endpoint", url, "--out", "s3://bkt/theirs", "--s3-endpoint", s3url, "--quiet")
	if code != exitUsage || !strings.Contains(stderr, "--force") {
		t.Fatalf("run into a foreign prefix: exit %d, want 2 suggesting --force\n%s", code, stderr)
	}
	code, _, stderr = kbenchS3(t, "run", file, "--endpoint", url, "--out", "s3://nosuchbucket/r", "--s3-endpoint", s3url, "--quiet")
	if code != exitUsage || !strings.Contains(stderr, "nosuchbucket") {
		t.Fatalf("run into a missing bucket: exit %d, want 2 naming it\n%s", code, stderr)
	}
	if names := streamNames(t, simClient(t, url)); len(names) != 0 {
		t.Errorf("streams created by a refused run: %q", names)
	}
}
