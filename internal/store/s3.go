package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithy "github.com/aws/smithy-go"

	"github.com/kbench/kbench/internal/outdir"
)

// Scheme opens the results locations that are S3 prefixes.
const Scheme = "s3://"

// IsS3 says whether loc names an S3 location (s3://bucket/prefix).
func IsS3(loc string) bool { return strings.HasPrefix(loc, Scheme) }

// S3Options are how the S3 client is built.
type S3Options struct {
	// Endpoint is the URL of an S3-compatible store (MinIO, a test
	// server); empty uses $AWS_ENDPOINT_URL_S3, else AWS's regional
	// endpoint. With an endpoint, requests are path-style and send
	// checksums only where S3 requires them, as most such stores expect.
	Endpoint string
	// Region overrides the region of the AWS configuration.
	Region string
	// Profile is the shared-config profile; empty uses $AWS_PROFILE, else
	// the default credential chain.
	Profile string
}

// s3API is the part of *s3.Client kbench uses.
type s3API interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

// newS3 builds an S3 client from the default AWS configuration and o. It
// sends no request.
func newS3(ctx context.Context, o S3Options) (s3API, error) {
	var load []func(*config.LoadOptions) error
	if o.Region != "" {
		load = append(load, config.WithRegion(o.Region))
	}
	if o.Profile != "" {
		load = append(load, config.WithSharedConfigProfile(o.Profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, fmt.Errorf("store: load AWS config: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	endpoint := o.Endpoint
	if endpoint == "" {
		endpoint = os.Getenv("AWS_ENDPOINT_URL_S3")
	}
	return s3.NewFromConfig(cfg, func(so *s3.Options) {
		if endpoint != "" {
			so.BaseEndpoint = aws.String(endpoint)
			so.UsePathStyle = true
			so.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			so.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		}
	}), nil
}

// s3Loc is a bucket and a key prefix without a trailing slash.
type s3Loc struct{ bucket, prefix string }

// parseS3 splits s3://bucket/prefix. The prefix may be empty (the bucket's
// root) and keeps no leading or trailing slash.
func parseS3(loc string) (s3Loc, error) {
	rest, ok := strings.CutPrefix(loc, Scheme)
	if !ok {
		return s3Loc{}, fmt.Errorf("%s: not an s3:// location", loc)
	}
	bucket, prefix, _ := strings.Cut(rest, "/")
	prefix = strings.Trim(prefix, "/")
	if bucket == "" || strings.ContainsAny(bucket, "*?[") {
		return s3Loc{}, fmt.Errorf("%s: want s3://BUCKET/PREFIX", loc)
	}
	if strings.Contains(prefix, "//") || path.Clean("/"+prefix) != "/"+prefix {
		return s3Loc{}, fmt.Errorf("%s: the prefix has an empty, . or .. segment", loc)
	}
	return s3Loc{bucket, prefix}, nil
}

// String gives the location back as s3://bucket/prefix.
func (l s3Loc) String() string {
	if l.prefix == "" {
		return Scheme + l.bucket
	}
	return Scheme + l.bucket + "/" + l.prefix
}

// key is the object key of the slash-separated name inside the location.
func (l s3Loc) key(name string) string {
	if l.prefix == "" {
		return name
	}
	return l.prefix + "/" + name
}

// dirPrefix is the key prefix of every object inside the location.
func (l s3Loc) dirPrefix() string { return l.key("") }

// s3Source reads one results directory stored under an S3 prefix. It
// implements results.Source.
type s3Source struct {
	ctx    context.Context
	client s3API
	loc    s3Loc
	// incomplete says the prefix has objects but no completion marker: an
	// upload that did not finish, whose files are not read.
	incomplete bool
}

// Name implements results.Source.
func (s *s3Source) Name() string { return s.loc.String() }

// Open implements results.Source. A missing object is an error wrapping
// fs.ErrNotExist.
func (s *s3Source) Open(name string) (io.ReadCloser, error) {
	if s.incomplete {
		return nil, fmt.Errorf("an incomplete upload (no %s object, which kbench writes last): the worker did not finish", outdir.Marker)
	}
	out, err := s.client.GetObject(s.ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.loc.bucket), Key: aws.String(s.loc.key(path.Clean(name))),
	})
	if err != nil {
		return nil, s3Err(s.loc, name, err)
	}
	return out.Body, nil
}

// s3Err explains an S3 error about name inside loc; a missing key or bucket
// wraps fs.ErrNotExist.
func s3Err(loc s3Loc, name string, err error) error {
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	var ae smithy.APIError
	where := loc.String() + "/" + name
	switch {
	case errors.As(err, &nsk), errors.As(err, &nf):
		return fmt.Errorf("%s: %w", where, fs.ErrNotExist)
	case errors.As(err, &ae) && ae.ErrorCode() == "NoSuchBucket":
		return fmt.Errorf("%s: no bucket %s: %w", where, loc.bucket, fs.ErrNotExist)
	}
	return fmt.Errorf("%s: %w", where, err)
}

// list calls f with every object key under prefix (and, with delimiter
// "/", every common prefix), page by page.
func list(ctx context.Context, c s3API, bucket, prefix, delimiter string, f func(key string, dir bool)) error {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)}
	if delimiter != "" {
		in.Delimiter = aws.String(delimiter)
	}
	p := s3.NewListObjectsV2Paginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list %s%s/%s: %w", Scheme, bucket, prefix, err)
		}
		for _, o := range page.Contents {
			f(aws.ToString(o.Key), false)
		}
		for _, cp := range page.CommonPrefixes {
			f(aws.ToString(cp.Prefix), true)
		}
	}
	return nil
}

// state says what an S3 location holds: nothing, a complete kbench result
// (its marker), or other objects.
func state(ctx context.Context, c s3API, l s3Loc) (keys []string, complete bool, err error) {
	err = list(ctx, c, l.bucket, l.dirPrefix(), "", func(key string, _ bool) {
		keys = append(keys, key)
		if key == l.key(outdir.Marker) {
			complete = true
		}
	})
	return keys, complete, err
}

// globS3 expands pattern, whose last segment may hold path.Match wildcards
// (s3://bucket/run/worker-*), into the result directories it names, sorted.
// A pattern without wildcards names one location.
func globS3(ctx context.Context, c s3API, pattern string) ([]*s3Source, error) {
	loc, err := parseS3(pattern)
	if err != nil {
		return nil, err
	}
	parent, last := path.Split(loc.prefix)
	if strings.ContainsAny(parent, "*?[") {
		return nil, fmt.Errorf("%s: wildcards only in the last segment", pattern)
	}
	if _, err := path.Match(last, ""); err != nil {
		return nil, fmt.Errorf("%s: %w", pattern, err)
	}
	var names []string
	if !strings.ContainsAny(last, "*?[") {
		names = []string{loc.prefix}
	} else {
		literal := last[:strings.IndexAny(last, "*?[")]
		err := list(ctx, c, loc.bucket, parent+literal, "/", func(key string, dir bool) {
			name := strings.TrimSuffix(key, "/")
			if ok, _ := path.Match(last, path.Base(name)); dir && ok {
				names = append(names, name)
			}
		})
		if err != nil {
			return nil, err
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("%s: %w: no results match", pattern, fs.ErrNotExist)
		}
	}
	srcs := make([]*s3Source, len(names))
	for i, n := range names {
		l := s3Loc{loc.bucket, n}
		keys, complete, err := state(ctx, c, l)
		if err != nil {
			return nil, err
		}
		srcs[i] = &s3Source{ctx: ctx, client: c, loc: l, incomplete: len(keys) > 0 && !complete}
	}
	return srcs, nil
}

// upload copies the local results directory dir to l: the files first,
// then it deletes objects an earlier result left there that the new one
// lacks, then it writes the completion marker (outdir.Marker) last. An
// earlier result's marker is deleted before anything else, so a reader
// never takes a half-replaced prefix for a complete one.
func upload(ctx context.Context, c s3API, dir string, l s3Loc) error {
	old, _, err := state(ctx, c, l)
	if err != nil {
		return err
	}
	del := func(key string) error {
		_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(l.bucket), Key: aws.String(key)})
		if err != nil {
			return fmt.Errorf("delete %s%s/%s: %w", Scheme, l.bucket, key, err)
		}
		return nil
	}
	if err := del(l.key(outdir.Marker)); err != nil {
		return err
	}
	put := func(rel string) error {
		f, err := os.Open(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(l.bucket), Key: aws.String(l.key(rel)), Body: f})
		if err != nil {
			return fmt.Errorf("upload %s/%s: %w", l, rel, err)
		}
		return nil
	}
	wrote := map[string]bool{}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		wrote[l.key(rel)] = true
		if rel == outdir.Marker {
			return nil
		}
		return put(rel)
	})
	if err != nil {
		return err
	}
	for _, k := range old {
		if !wrote[k] {
			if err := del(k); err != nil {
				return err
			}
		}
	}
	return put(outdir.Marker)
}
