package store

import (
	"errors"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/kbench/kbench/internal/outdir"
	"github.com/kbench/kbench/results"
)

// fakeS3 starts an in-process S3-compatible server on 127.0.0.1 with the
// bucket "bkt" and returns the options that reach it.
func fakeS3(t *testing.T) (S3Options, *httptest.Server) {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", "kbench")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "kbench")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	backend := s3mem.New()
	if err := backend.CreateBucket("bkt"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	return S3Options{Endpoint: srv.URL}, srv
}

// keys lists every object key under prefix.
func keys(t *testing.T, o S3Options, prefix string) []string {
	t.Helper()
	c, err := newS3(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	if err := list(t.Context(), c, "bkt", prefix, "", func(k string, _ bool) { out = append(out, k) }); err != nil {
		t.Fatal(err)
	}
	return out
}

// writeResult writes files (name -> text) as a kbench result at target.
func writeResult(t *testing.T, o S3Options, target string, force bool, files map[string]string) error {
	t.Helper()
	out, err := Prepare(t.Context(), target, "test", force, o)
	if err != nil {
		return err
	}
	defer out.Abort()
	if err := out.Check(t.Context()); err != nil {
		return err
	}
	for name, text := range files {
		p := filepath.Join(out.Dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out.Commit(t.Context())
}

func TestParseS3(t *testing.T) {
	for _, tc := range []struct {
		in, bucket, prefix string
		bad                bool
	}{
		{in: "s3://b/run/w-0", bucket: "b", prefix: "run/w-0"},
		{in: "s3://b/run/", bucket: "b", prefix: "run"},
		{in: "s3://b", bucket: "b"},
		{in: "s3:///x", bad: true},
		{in: "s3://b/a//c", bad: true},
		{in: "s3://b/a/../c", bad: true},
		{in: "/tmp/x", bad: true},
	} {
		l, err := parseS3(tc.in)
		if (err != nil) != tc.bad || l.bucket != tc.bucket || l.prefix != tc.prefix {
			t.Errorf("parseS3(%q) = %+v, %v; want %q %q bad=%v", tc.in, l, err, tc.bucket, tc.prefix, tc.bad)
		}
	}
}

// TestWriteAndGlob writes two results and a half-uploaded one under one
// prefix and reads them back through a glob.
func TestWriteAndGlob(t *testing.T) {
	o, _ := fakeS3(t)
	for _, w := range []string{"worker-0", "worker-1"} {
		files := map[string]string{"summary.json": `{"w":"` + w + `"}`, "worker/state.json": "{}"}
		if err := writeResult(t, o, "s3://bkt/run/"+w, false, files); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"run/worker-0/" + outdir.Marker, "run/worker-0/summary.json", "run/worker-0/worker/state.json"}
	if got := keys(t, o, "run/worker-0/"); !slices.Equal(got, want) {
		t.Errorf("objects %q, want %q", got, want)
	}
	// A worker that died while uploading: objects, no marker.
	c, err := newS3(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("run/worker-2/summary.json"), Body: strings.NewReader("{}")}); err != nil {
		t.Fatal(err)
	}
	// Not matched by the glob: a sibling whose name only starts alike.
	if err := writeResult(t, o, "s3://bkt/run/merged", false, map[string]string{"summary.json": "{}"}); err != nil {
		t.Fatal(err)
	}

	srcs, err := Sources(t.Context(), []string{"s3://bkt/run/worker-*", t.TempDir()}, o)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range srcs[:3] {
		names = append(names, s.Name())
	}
	if want := []string{"s3://bkt/run/worker-0", "s3://bkt/run/worker-1", "s3://bkt/run/worker-2"}; len(srcs) != 4 || !slices.Equal(names, want) {
		t.Fatalf("sources %q (%d), want %q and a local directory", names, len(srcs), want)
	}
	if _, ok := srcs[3].(results.DirSource); !ok {
		t.Errorf("a local directory gave %T", srcs[3])
	}
	b, err := results.ReadAllFrom(srcs[1], "summary.json", 1<<20)
	if err != nil || string(b) != `{"w":"worker-1"}` {
		t.Errorf("worker-1 summary.json = %q, %v", b, err)
	}
	if _, err := srcs[0].Open("nosuch.json"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing object: %v, want fs.ErrNotExist", err)
	}
	if _, err := srcs[2].Open("summary.json"); err == nil || !strings.Contains(err.Error(), "incomplete upload") {
		t.Errorf("a half-uploaded worker: %v, want an incomplete upload", err)
	}
	if _, err := Sources(t.Context(), []string{"s3://bkt/run/nothing-*"}, o); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a glob matching nothing: %v", err)
	}
	if _, err := Sources(t.Context(), []string{"s3://bkt/r*/worker-0"}, o); err == nil {
		t.Error("a wildcard before the last segment was accepted")
	}
}

// TestReplace: a kbench result is replaced whole; objects that are not one
// are refused unless forced.
func TestReplace(t *testing.T) {
	o, _ := fakeS3(t)
	if err := writeResult(t, o, "s3://bkt/r", false, map[string]string{"a": "1", "old/b": "2"}); err != nil {
		t.Fatal(err)
	}
	if err := writeResult(t, o, "s3://bkt/r", false, map[string]string{"a": "3"}); err != nil {
		t.Fatal(err)
	}
	if got, want := keys(t, o, "r/"), []string{"r/" + outdir.Marker, "r/a"}; !slices.Equal(got, want) {
		t.Errorf("after replacing: %q, want %q", got, want)
	}
	if err := writeResult(t, o, "s3://bkt/r/a-dir-of-its-own", false, map[string]string{"x": "1"}); err != nil {
		t.Fatal(err)
	}
	c, err := newS3(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String("theirs/data.csv"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	err = writeResult(t, o, "s3://bkt/theirs", false, map[string]string{"a": "1"})
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "--force") {
		t.Errorf("a prefix of other objects: %v, want refused", err)
	}
	if err := writeResult(t, o, "s3://bkt/theirs", true, map[string]string{"a": "1"}); err != nil {
		t.Fatal(err)
	}
	if got, want := keys(t, o, "theirs/"), []string{"theirs/" + outdir.Marker, "theirs/a"}; !slices.Equal(got, want) {
		t.Errorf("after --force: %q, want %q", got, want)
	}
	if _, err := Prepare(t.Context(), "s3://bkt", "test", false, o); !errors.Is(err, ErrRefused) {
		t.Errorf("a bucket's root: %v, want refused", err)
	}
}

// TestUploadFails: when the store goes away before Commit, the error says
// where the local copy is, and it is there.
func TestUploadFails(t *testing.T) {
	o, srv := fakeS3(t)
	out, err := Prepare(t.Context(), "s3://bkt/run", "test", false, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out.Dir, "summary.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{out.Dir: "s3://bkt/run", filepath.Join(out.Dir, "cell-1", "report.html"): "s3://bkt/run/cell-1/report.html"} {
		if got := out.Shown(p); got != want {
			t.Errorf("Shown(%s) = %s, want %s", p, got, want)
		}
	}
	srv.Close()
	err = out.Commit(t.Context())
	out.Abort()
	if err == nil || !strings.Contains(err.Error(), out.Target) {
		t.Fatalf("Commit to a closed store: %v, want the local copy named", err)
	}
	if b, err := os.ReadFile(filepath.Join(out.Target, "summary.json")); err != nil || string(b) != "{}" {
		t.Errorf("local copy: %q, %v", b, err)
	}
	_ = os.RemoveAll(filepath.Dir(out.Target))
}
