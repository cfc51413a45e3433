package targets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/kbench/kbench/internal/procgroup"
)

// KinesisLocalVersion is the npm package (kinesis-local, the node build of
// etspaceman/kinesis-mock) kbench installs and runs for Kind kinesis-mock.
const KinesisLocalVersion = "kinesis-local@0.6.2"

// kinesisMockDirEnv names the variable holding a pre-installed npm prefix
// (the Makefile installs there); it overrides Spec.CacheDir.
const kinesisMockDirEnv = "KBENCH_KINESIS_MOCK_DIR"

// How long Close waits after SIGTERM before SIGKILL, and then for the killed
// process to be reaped. kinesis-mock keeps nothing on disk here
// (SHOULD_PERSIST_DATA=false), and its graceful shutdown waits for clients'
// idle keep-alive connections (over 3 s measured), so the grace is short.
const (
	termGrace = time.Second
	killWait  = 3 * time.Second
)

// kinesisMockEnv is the configuration kbench gives kinesis-mock (names from
// the package's README): quiet logs and fast control-plane transitions.
var kinesisMockEnv = []string{
	"LOG_LEVEL=WARN",
	"SHOULD_PERSIST_DATA=false",
	"CREATE_STREAM_DURATION=100ms",
	"DELETE_STREAM_DURATION=100ms",
	"REGISTER_STREAM_CONSUMER_DURATION=100ms",
	"DEREGISTER_STREAM_CONSUMER_DURATION=100ms",
	"UPDATE_SHARD_COUNT_DURATION=100ms",
	"UPDATE_STREAM_MODE_DURATION=100ms",
	"SPLIT_SHARD_DURATION=100ms",
	"MERGE_SHARDS_DURATION=100ms",
}

var kinesisMockKind = Kind{
	Name:       KindKinesisMock,
	Doc:        "kinesis-mock (kinesis-local), started from the npm cache, or at target.endpoint when it runs already.",
	InScenario: true,
	Open:       startOrConnect(openKinesisMock),
}

// openKinesisMock installs kinesis-local if needed, starts it on free
// loopback ports in its own process group and waits until it answers.
func openKinesisMock(ctx context.Context, spec Spec) (*Target, error) {
	prefix, err := kinesisMockPrefix(spec.CacheDir)
	if err != nil {
		return nil, err
	}
	pkg, err := installKinesisLocal(ctx, prefix, spec.Log)
	if err != nil {
		return nil, err
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("targets: kinesis-mock needs Node.js (node) on PATH, or pass --endpoint: %w", err)
	}
	plain, tls, err := freePorts()
	if err != nil {
		return nil, fmt.Errorf("targets: pick ports for kinesis-mock: %w", err)
	}
	logDir, err := os.MkdirTemp("", "kbench-kinesis-mock-*")
	if err != nil {
		return nil, fmt.Errorf("targets: kinesis-mock log dir: %w", err)
	}
	logPath := filepath.Join(logDir, "kinesis-mock.log")
	logf, err := os.Create(logPath)
	if err != nil {
		os.RemoveAll(logDir)
		return nil, fmt.Errorf("targets: kinesis-mock log: %w", err)
	}
	// main.js reads server.json (its TLS certificate) from the working directory.
	cmd := exec.Command(node, "main.js")
	cmd.Dir = pkg
	cmd.Env = append(os.Environ(), kinesisMockEnv...)
	cmd.Env = append(cmd.Env,
		"KINESIS_MOCK_PLAIN_PORT="+strconv.Itoa(plain),
		"KINESIS_MOCK_TLS_PORT="+strconv.Itoa(tls),
		"AWS_REGION="+spec.Region)
	cmd.Stdout, cmd.Stderr = logf, logf
	procgroup.Own(cmd)
	began := time.Now()
	err = cmd.Start()
	logf.Close() // the child holds its own copy
	if err != nil {
		os.RemoveAll(logDir)
		return nil, fmt.Errorf("targets: start kinesis-mock: %w", err)
	}
	fmt.Fprintf(spec.Log, "started kinesis-mock (pid %d) from %s on 127.0.0.1:%d\n", cmd.Process.Pid, pkg, plain)
	p := &mockProcess{cmd: cmd, logDir: logDir, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	t := &Target{
		Kind:     KindKinesisMock,
		Endpoint: "http://127.0.0.1:" + strconv.Itoa(plain),
		Region:   spec.Region,
		closer:   p.stop,
	}
	if err := waitReady(ctx, t, readyTimeout(spec, defaultKinesisMockReady), p.exited); err != nil {
		if !errors.Is(err, errExited) {
			err = fmt.Errorf("%w\nkinesis-mock log tail:\n%s", err, p.logTail())
		}
		return nil, errors.Join(err, p.stop())
	}
	fmt.Fprintf(spec.Log, "kinesis-mock listening on %s (ready in %s, log %s)\n",
		t.Endpoint, time.Since(began).Round(time.Millisecond), logPath)
	return t, nil
}

// errExited marks the error of a kinesis-mock process that ended by itself.
var errExited = errors.New("process exited")

// mockProcess is a running kinesis-mock.
type mockProcess struct {
	cmd     *exec.Cmd
	logDir  string
	logPath string
	done    chan struct{} // closed once cmd.Wait returned
	waitErr error         // cmd.Wait's result, set before done is closed
}

// exited returns nil while the process runs, else an error wrapping
// errExited with its exit status and log tail.
func (p *mockProcess) exited() error {
	select {
	case <-p.done:
		return fmt.Errorf("kinesis-mock: %w (%v); log tail:\n%s", errExited, p.waitErr, p.logTail())
	default:
		return nil
	}
}

// stop ends the process group (SIGTERM, then SIGKILL after termGrace), waits
// for the process to be reaped and removes its log directory.
func (p *mockProcess) stop() error {
	defer os.RemoveAll(p.logDir)
	var errs []error
	if err := procgroup.Signal(p.cmd, false); err != nil {
		errs = append(errs, fmt.Errorf("targets: SIGTERM kinesis-mock: %w", err))
	}
	select {
	case <-p.done:
	case <-time.After(termGrace):
	}
	// SIGKILL what is left of the group, the leader included if it ignored
	// SIGTERM; a group that is already gone is not an error.
	if err := procgroup.Signal(p.cmd, true); err != nil {
		errs = append(errs, fmt.Errorf("targets: SIGKILL kinesis-mock: %w", err))
	}
	select {
	case <-p.done:
	case <-time.After(killWait):
		errs = append(errs, fmt.Errorf("targets: kinesis-mock (pid %d) did not exit after SIGKILL", p.cmd.Process.Pid))
	}
	return errors.Join(errs...)
}

// logTail returns the last few KiB of the process log.
func (p *mockProcess) logTail() string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	const max = 4 << 10
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}

// kinesisMockPrefix returns the npm prefix directory kinesis-local lives in:
// $KBENCH_KINESIS_MOCK_DIR, else a versioned folder under the cache dir.
func kinesisMockPrefix(cache string) (string, error) {
	if d := os.Getenv(kinesisMockDirEnv); d != "" {
		return filepath.Abs(d)
	}
	if cache == "" {
		var err error
		if cache, err = DefaultCacheDir(); err != nil {
			return "", err
		}
	}
	return filepath.Abs(filepath.Join(cache, "kinesis-local-0.6.2"))
}

// installKinesisLocal makes sure prefix holds kinesis-local and returns the
// package folder. It installs into a fresh sibling directory and renames it
// into place, so parallel installs never leave a half-written prefix: the
// first rename wins and the others reuse its result.
func installKinesisLocal(ctx context.Context, prefix string, log io.Writer) (string, error) {
	pkg := filepath.Join(prefix, "node_modules", "kinesis-local")
	if fileExists(filepath.Join(pkg, "main.js")) {
		return pkg, nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", fmt.Errorf("targets: kinesis-mock needs Node.js and npm on PATH to install %s, or pass --endpoint: %w", KinesisLocalVersion, err)
	}
	parent := filepath.Dir(prefix)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("targets: kinesis-mock cache: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, filepath.Base(prefix)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("targets: kinesis-mock cache: %w", err)
	}
	defer os.RemoveAll(tmp) // gone already once renamed into place
	fmt.Fprintf(log, "installing %s into %s\n", KinesisLocalVersion, prefix)
	cmd := exec.CommandContext(ctx, npm, "install", "--no-audit", "--no-fund", "--prefix", tmp, KinesisLocalVersion)
	cmd.Dir = tmp
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("targets: npm install %s: %w\n%s", KinesisLocalVersion, err, out.String())
	}
	if !fileExists(filepath.Join(tmp, "node_modules", "kinesis-local", "main.js")) {
		return "", fmt.Errorf("targets: npm install %s left no main.js\n%s", KinesisLocalVersion, out.String())
	}
	if err := os.Rename(tmp, prefix); err != nil && !fileExists(filepath.Join(pkg, "main.js")) {
		return "", fmt.Errorf("targets: put kinesis-local in place (remove %s and retry): %w", prefix, err)
	}
	return pkg, nil
}

// fileExists reports whether path names an existing regular file.
func fileExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// freePorts returns two distinct free loopback TCP ports. They are free when
// checked; a process that grabs one before kinesis-mock binds it makes the
// start fail with the port in the log.
func freePorts() (int, int, error) {
	var ports [2]int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, 0, err
		}
		ls = append(ls, l)
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports[0], ports[1], nil
}
