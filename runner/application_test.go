package runner

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbench/kbench/scenarios"
)

func shApp(ready string, timeout, grace time.Duration) *scenarios.Application {
	return &scenarios.Application{Ready: scenarios.Ready{Log: ready, Timeout: timeout}, StopGrace: grace}
}

// TestAppLifecycle starts real processes through sh: ready by a log line on
// stderr, stopped by SIGTERM; one that ignores SIGTERM (and its child, in
// the same process group) killed after the grace period; one that exits
// before it is ready, and one that never logs the ready line, refused with
// ErrApplication; a crash reported while the run goes.
func TestAppLifecycle(t *testing.T) {
	ctx := context.Background()
	run := func(t *testing.T, script string, a *scenarios.Application) (*appProc, string, error) {
		t.Helper()
		dir := t.TempDir()
		p, _, err := startApp(ctx, a, []string{"sh", "-c", script}, []string{"GREETING=hello"}, dir, dir, false)
		return p, dir, err
	}
	readLog := func(dir string) string {
		b, _ := os.ReadFile(filepath.Join(dir, ApplicationLog))
		return string(b)
	}

	t.Run("ready and stopped", func(t *testing.T) {
		p, dir, err := run(t, `echo "$GREETING, starting" >&2; echo "up and ready" >&2; exec sleep 30`, shApp("ready", 5*time.Second, 5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		crashed := p.crashed()
		p.stop()
		if p.exit != "stopped" {
			t.Errorf("exit %q, want stopped", p.exit)
		}
		select {
		case err := <-crashed:
			t.Errorf("a stopped application reported as crashed: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
		if log := readLog(dir); !strings.Contains(log, "hello, starting") {
			t.Errorf("application.log %q lacks the output (and the env)", log)
		}
	})
	t.Run("killed after grace", func(t *testing.T) {
		p, _, err := run(t, `trap '' TERM; sleep 30 & echo ready; wait`, shApp("ready", 5*time.Second, 200*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		p.stop()
		if p.exit != "killed after the grace period" || time.Since(start) > 5*time.Second {
			t.Errorf("exit %q after %v", p.exit, time.Since(start))
		}
	})
	t.Run("exits before ready", func(t *testing.T) {
		_, dir, err := run(t, `echo "bad config" >&2; exit 4`, shApp("ready", 5*time.Second, time.Second))
		if !errors.Is(err, ErrApplication) || !errors.Is(err, ErrTarget) || !strings.Contains(err.Error(), "exit status 4") {
			t.Errorf("err = %v, want ErrApplication with the exit status", err)
		}
		if log := readLog(dir); !strings.Contains(log, "bad config") {
			t.Errorf("application.log %q not kept", log)
		}
	})
	t.Run("never ready", func(t *testing.T) {
		_, _, err := run(t, `exec sleep 30`, shApp("ready", 300*time.Millisecond, time.Second))
		if !errors.Is(err, ErrApplication) || !strings.Contains(err.Error(), "did not log") {
			t.Errorf("err = %v, want the ready timeout", err)
		}
	})
	t.Run("crash", func(t *testing.T) {
		p, _, err := run(t, `echo ready; sleep 0.3; exit 2`, shApp("ready", 5*time.Second, time.Second))
		if err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-p.crashed():
			if !errors.Is(err, ErrApplication) || !strings.Contains(err.Error(), "exit status 2") {
				t.Errorf("crash error %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the crash was not reported")
		}
		p.stop()
		if !strings.HasPrefix(p.exit, "exited early") {
			t.Errorf("exit %q", p.exit)
		}
	})
}

func TestLineWatch(t *testing.T) {
	w := newLineWatch("ready")
	for _, chunk := range []string{"start", "ing\nrea", "dy now\n"} {
		select {
		case <-w.found:
			t.Fatalf("found before %q", chunk)
		default:
		}
		_, _ = w.Write([]byte(chunk))
	}
	select {
	case <-w.found:
	default:
		t.Fatal("ready line split over writes not found")
	}
}

func TestExpandArgs(t *testing.T) {
	a := &scenarios.Application{Command: []string{"./app", "--in={{.Streams.source}}", "{{.Destinations.web}}"},
		Env: map[string]string{"REGION": "{{.Region}}"}}
	v := scenarios.AppValues{Region: "eu-west-1", Streams: map[string]string{"source": "s"},
		Destinations: map[string]string{"web": "http://127.0.0.1:1/web"}}
	args, env, err := expandArgs(a, v)
	if err != nil || strings.Join(args, " ") != "./app --in=s http://127.0.0.1:1/web" || env[0] != "REGION=eu-west-1" {
		t.Errorf("args %q, env %q, err %v", args, env, err)
	}
	envs := appEnv([]string{"AWS_REGION=eu-west-1"}, v, 0xab)
	for _, want := range []string{"KBENCH_STREAM=s", "KBENCH_STREAM_SOURCE=s", "KBENCH_DESTINATION_WEB=http://127.0.0.1:1/web", "KBENCH_RUN_ID=00000000000000ab"} {
		if !strings.Contains(strings.Join(envs, "\n"), want) {
			t.Errorf("env lacks %s: %q", want, envs)
		}
	}
}
