package targets

import (
	"errors"
	"strings"
	"testing"
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
