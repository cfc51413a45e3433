package targets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
	"github.com/testcontainers/testcontainers-go/wait"
)

// LocalStackImage is the LocalStack image Open starts for Kind localstack
// when no Endpoint is given.
const LocalStackImage = "localstack/localstack:4.4"

// localStackPort is LocalStack's edge port inside the container.
const localStackPort = "4566/tcp"

// ErrNoDocker is wrapped by Open's error for kind localstack when no Docker
// engine is reachable and no Endpoint was given.
var ErrNoDocker = errors.New("no Docker engine reachable")

// containerStopWait bounds how long Close waits for the container to go.
const containerStopWait = 30 * time.Second

// openLocalStack starts LocalStack with only Kinesis, through
// testcontainers-go, and waits until its Kinesis answers.
func openLocalStack(ctx context.Context, spec Spec) (*Target, error) {
	if err := DockerAvailable(ctx); err != nil {
		return nil, fmt.Errorf("targets: localstack needs Docker: %w (%v); start a Docker engine, or run LocalStack yourself (docker/docker-compose.yml) and pass --endpoint http://localhost:4566", ErrNoDocker, err)
	}
	limit := readyTimeout(spec, defaultLocalStackReady)
	fmt.Fprintf(spec.Log, "starting %s\n", LocalStackImage)
	ctr, err := testcontainers.Run(ctx, LocalStackImage,
		testcontainers.WithExposedPorts(localStackPort),
		testcontainers.WithEnv(map[string]string{"SERVICES": "kinesis"}),
		testcontainers.WithWaitStrategyAndDeadline(limit,
			wait.ForHTTP("/_localstack/health").WithPort(localStackPort).WithResponseMatcher(kinesisHealthy)),
	)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("targets: start %s: %w: %w", LocalStackImage, ErrUnreachable, err),
			testcontainers.TerminateContainer(ctr))
	}
	endpoint, err := ctr.PortEndpoint(ctx, localStackPort, "http")
	if err != nil {
		return nil, errors.Join(fmt.Errorf("targets: localstack endpoint: %w", err), testcontainers.TerminateContainer(ctr))
	}
	t := &Target{
		Kind:     KindLocalStack,
		Endpoint: endpoint,
		Region:   spec.Region,
		closer: func() error {
			ctx, cancel := context.WithTimeout(context.Background(), containerStopWait)
			defer cancel()
			return ctr.Terminate(ctx)
		},
	}
	if err := waitReady(ctx, t, limit, nil); err != nil {
		return nil, errors.Join(err, t.Close())
	}
	fmt.Fprintf(spec.Log, "localstack listening on %s\n", endpoint)
	return t, nil
}

// kinesisHealthy reports whether a /_localstack/health body shows Kinesis
// available or running.
func kinesisHealthy(body io.Reader) bool {
	var h struct {
		Services map[string]string `json:"services"`
	}
	if err := json.NewDecoder(body).Decode(&h); err != nil {
		return false
	}
	s := h.Services["kinesis"]
	return s == "available" || s == "running"
}

// DockerAvailable returns nil if testcontainers-go reaches a healthy Docker
// (or Podman) engine, else why not. It is cheap when there is none: no
// container is started.
func DockerAvailable(ctx context.Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("docker provider: %v", r)
		}
	}()
	p, err := testcontainers.ProviderDefault.GetProvider(testcontainers.WithLogger(tclog.NewNoopLogger()))
	if err != nil {
		return err
	}
	defer p.Close()
	return p.Health(ctx)
}
