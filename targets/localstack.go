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
	"github.com/testcontainers/testcontainers-go/modules/localstack"
	"github.com/testcontainers/testcontainers-go/wait"
)

// LocalStackImage is the LocalStack image Open starts for Kind localstack
// when no Endpoint is given.
const LocalStackImage = "localstack/localstack:4.4"

// localStackPort is LocalStack's edge port inside the container.
const localStackPort = "4566/tcp"

// DefaultLocalStackEndpoint is where Open looks for a LocalStack that is
// already running (docker/docker-compose.yml publishes it there) when kind
// localstack is given no Endpoint, before it starts a container of its own.
const DefaultLocalStackEndpoint = "http://localhost:4566"

// localStackProbe bounds how long Open tries DefaultLocalStackEndpoint.
const localStackProbe = 500 * time.Millisecond

// localStackEnv is LocalStack's configuration: only Kinesis, state changes
// (create, delete, reshard) without the default 500 ms delay, no injected
// errors.
var localStackEnv = map[string]string{
	"SERVICES":                  "kinesis",
	"KINESIS_LATENCY":           "0",
	"KINESIS_ERROR_PROBABILITY": "0.0",
}

// ErrNoDocker is wrapped by Open's error for kind localstack when no Docker
// engine is reachable and no Endpoint was given.
var ErrNoDocker = errors.New("no Docker engine reachable")

// containerStopWait bounds how long Close waits for the container to go.
const containerStopWait = 30 * time.Second

var localStackKind = Kind{
	Name:       KindLocalStack,
	Doc:        "LocalStack in a container, or at target.endpoint when it runs already.",
	InScenario: true,
	Open:       startOrConnect(openLocalStack),
}

// openLocalStack uses the LocalStack answering at DefaultLocalStackEndpoint
// if there is one; otherwise it starts LocalStack with only Kinesis through
// testcontainers-go's LocalStack module and waits until its Kinesis answers.
func openLocalStack(ctx context.Context, spec Spec) (*Target, error) {
	running := &Target{Kind: KindLocalStack, Endpoint: DefaultLocalStackEndpoint, Region: spec.Region}
	if waitReady(ctx, running, localStackProbe, nil) == nil {
		fmt.Fprintf(spec.Log, "localstack: using the one running at %s\n", DefaultLocalStackEndpoint)
		return running, nil
	}
	if err := DockerAvailable(ctx); err != nil {
		return nil, fmt.Errorf("targets: localstack: nothing answers at %s and %w to start a container (%w); start LocalStack (docker compose -f docker/docker-compose.yml up -d --wait) or a Docker engine, or pass --endpoint URL", DefaultLocalStackEndpoint, ErrNoDocker, err)
	}
	limit := readyTimeout(spec, defaultLocalStackReady)
	fmt.Fprintf(spec.Log, "starting %s\n", LocalStackImage)
	ctr, err := localstack.Run(ctx, LocalStackImage,
		testcontainers.WithEnv(localStackEnv),
		testcontainers.WithLogger(tclog.NewNoopLogger()),
		testcontainers.WithWaitStrategyAndDeadline(limit,
			wait.ForHTTP("/_localstack/health").WithPort(localStackPort).WithResponseMatcher(kinesisHealthy)),
	)
	if err != nil {
		var terr error
		if ctr != nil {
			terr = testcontainers.TerminateContainer(ctr)
		}
		return nil, errors.Join(fmt.Errorf("targets: start %s: %w: %w", LocalStackImage, ErrUnreachable, err), terr)
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
