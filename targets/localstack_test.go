package targets

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/kbench/kbench/sim"
)

func TestLocalStackContainer(t *testing.T) {
	if err := DockerAvailable(t.Context()); err != nil {
		t.Skipf("LocalStack container test needs a Docker engine, and none is reachable: %v", err)
	}
	tgt, err := Open(t.Context(), Spec{Kind: KindLocalStack})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer tgt.Close()
	testLifecycle(t, tgt)
	if err := tgt.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

func TestLocalStackWithoutDocker(t *testing.T) {
	if DockerAvailable(t.Context()) == nil {
		t.Skip("a Docker engine is reachable; this test covers its absence")
	}
	if localStackRunning(t) {
		t.Skip("something answers at " + DefaultLocalStackEndpoint + "; this test covers its absence")
	}
	tgt, err := Open(t.Context(), Spec{Kind: KindLocalStack})
	if err == nil {
		tgt.Close()
		t.Fatal("Open succeeded without Docker")
	}
	if !errors.Is(err, ErrNoDocker) || !strings.Contains(err.Error(), "--endpoint") {
		t.Errorf("Open error = %v, want ErrNoDocker and a hint to pass --endpoint", err)
	}
}

func TestKinesisHealthy(t *testing.T) {
	tests := []struct {
		body string
		want bool
	}{
		{`{"services": {"kinesis": "available", "s3": "disabled"}}`, true},
		{`{"services": {"kinesis": "running"}}`, true},
		{`{"services": {"kinesis": "initializing"}}`, false},
		{`{"services": {}}`, false},
		{`not json`, false},
	}
	for _, tc := range tests {
		if got := kinesisHealthy(strings.NewReader(tc.body)); got != tc.want {
			t.Errorf("kinesisHealthy(%s) = %v, want %v", tc.body, got, tc.want)
		}
	}
}

// localStackRunning reports whether a Kinesis endpoint answers at
// DefaultLocalStackEndpoint.
func localStackRunning(t *testing.T) bool {
	t.Helper()
	probe := &Target{Kind: KindLocalStack, Endpoint: DefaultLocalStackEndpoint, Region: DefaultRegion}
	return waitReady(t.Context(), probe, localStackProbe, nil) == nil
}

// TestLocalStackDefaultEndpoint: kind localstack without an endpoint uses
// the LocalStack already answering on localhost:4566 (here a simulator in its
// place) instead of starting a container.
func TestLocalStackDefaultEndpoint(t *testing.T) {
	if localStackRunning(t) {
		t.Skip("something already answers at " + DefaultLocalStackEndpoint)
	}
	_, stop, err := sim.Start(context.Background(), sim.DefaultConfig(), "127.0.0.1:4566")
	if err != nil {
		t.Skipf("port 4566 is taken: %v", err)
	}
	defer stop()
	tgt, err := Open(t.Context(), Spec{Kind: KindLocalStack})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer tgt.Close()
	if tgt.Endpoint != DefaultLocalStackEndpoint {
		t.Errorf("endpoint = %q, want %q", tgt.Endpoint, DefaultLocalStackEndpoint)
	}
	testLifecycle(t, tgt)
}

// TestComposeMatchesTarget: docker/docker-compose.yml runs the image Open
// starts, with the same Kinesis settings, on the default endpoint's port.
func TestComposeMatchesTarget(t *testing.T) {
	data, err := os.ReadFile("../docker/docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	compose := string(data)
	want := []string{"image: " + LocalStackImage, `"127.0.0.1:4566:4566"`}
	for k, v := range localStackEnv {
		want = append(want, fmt.Sprintf("%s: %q", k, v))
	}
	for _, w := range want {
		if !strings.Contains(compose, w) {
			t.Errorf("docker-compose.yml lacks %s", w)
		}
	}
}
