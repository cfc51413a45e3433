package targets

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// needNode skips the test when Node.js or npm is missing.
func needNode(t *testing.T) {
	t.Helper()
	for _, bin := range []string{"node", "npm"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("kinesis-mock tests need %s on PATH: %v", bin, err)
		}
	}
}

// startedPID returns the pid Open logged for the kinesis-mock it started.
func startedPID(t *testing.T, log *bytes.Buffer) int {
	t.Helper()
	m := regexp.MustCompile(`started kinesis-mock \(pid (\d+)\)`).FindStringSubmatch(log.String())
	if m == nil {
		t.Fatalf("no pid in Open's log:\n%s", log)
	}
	pid, _ := strconv.Atoi(m[1])
	return pid
}

// assertGone fails unless process pid has ended.
func assertGone(t *testing.T, pid int) {
	t.Helper()
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("kinesis-mock pid %d still exists after Close (kill 0: %v)", pid, err)
	}
}

func TestKinesisMockLifecycle(t *testing.T) {
	needNode(t)
	var log bytes.Buffer
	began := time.Now()
	tgt, err := Open(t.Context(), Spec{Kind: KindKinesisMock, Log: &log})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Logf("kinesis-mock up in %s:\n%s", time.Since(began).Round(time.Millisecond), log.String())
	pid := startedPID(t, &log)
	defer tgt.Close()
	testLifecycle(t, tgt)
	if err := tgt.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := tgt.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	assertGone(t, pid)
}

// cancelOnStart is a log writer that cancels Open's ctx as soon as Open
// reports the process started, so the cancel lands during the readiness wait.
type cancelOnStart struct {
	bytes.Buffer
	cancel context.CancelFunc
}

func (w *cancelOnStart) Write(p []byte) (int, error) {
	n, err := w.Buffer.Write(p)
	if bytes.Contains(p, []byte("started kinesis-mock")) {
		w.cancel()
	}
	return n, err
}

func TestKinesisMockCancelDuringOpen(t *testing.T) {
	needNode(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	log := &cancelOnStart{cancel: cancel}
	began := time.Now()
	tgt, err := Open(ctx, Spec{Kind: KindKinesisMock, Log: log})
	if err == nil {
		tgt.Close()
		t.Fatal("Open succeeded with its ctx cancelled during start-up")
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Open error = %v, want context.Canceled", err)
	}
	if d := time.Since(began); d > 10*time.Second {
		t.Errorf("Open took %s to give up after cancel", d)
	}
	assertGone(t, startedPID(t, &log.Buffer))
}

func TestKinesisMockCloseAfterCancel(t *testing.T) {
	needNode(t)
	var log bytes.Buffer
	ctx, cancel := context.WithCancel(t.Context())
	tgt, err := Open(ctx, Spec{Kind: KindKinesisMock, Log: &log})
	if err != nil {
		cancel()
		t.Fatalf("Open: %v", err)
	}
	pid := startedPID(t, &log)
	cancel() // ends start-up's ctx only: the target keeps serving
	c, err := tgt.Client(t.Context(), ClientOptions{MaxAttempts: 1})
	if err != nil {
		t.Fatalf("Client: %v", err)
	}
	if _, err := c.ListStreams(t.Context(), &kinesis.ListStreamsInput{}); err != nil {
		t.Errorf("ListStreams after the Open ctx was cancelled: %v", err)
	}
	began := time.Now()
	if err := tgt.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	t.Logf("Close took %s", time.Since(began).Round(time.Millisecond))
	assertGone(t, pid)
	if _, err := c.ListStreams(t.Context(), &kinesis.ListStreamsInput{}); err == nil {
		t.Error("ListStreams after Close succeeded, want connection error")
	}
}
