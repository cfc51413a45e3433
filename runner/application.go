package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"text/template"
	"time"

	"github.com/kbench/kbench/internal/procgroup"
	"github.com/kbench/kbench/results"
	"github.com/kbench/kbench/scenarios"
)

// ApplicationLog is the file in the results directory that holds the
// started application's standard output and error.
const ApplicationLog = "application.log"

// ErrApplication marks a run whose application under test failed: it did
// not start, did not become ready, or exited before kbench stopped it. It
// is a kind of ErrTarget (exit code 3): the system under test failed.
var ErrApplication = fmt.Errorf("%w: application", ErrTarget)

// appProc is the application under test as kbench started it.
type appProc struct {
	cmd      *exec.Cmd
	log      *os.File
	grace    time.Duration
	stdoutW  *io.PipeWriter // the stdout destination's end, or nil
	exited   chan struct{}  // closed when the process has exited
	waitErr  error          // its exit status, once exited is closed
	stopping atomic.Bool
	exit     string
	readyS   float64
}

// expandArgs expands the application's command and env templates.
func expandArgs(a *scenarios.Application, v scenarios.AppValues) (args, env []string, err error) {
	exp := func(name, text string) (string, error) {
		t, err := template.New(name).Option("missingkey=error").Parse(text)
		if err != nil {
			return "", err
		}
		var b bytes.Buffer
		if err := t.Execute(&b, v); err != nil {
			return "", err
		}
		return b.String(), nil
	}
	for i, arg := range a.Command {
		s, err := exp(fmt.Sprintf("command[%d]", i), arg)
		if err != nil {
			return nil, nil, err
		}
		args = append(args, s)
	}
	for k, val := range a.Env {
		s, err := exp("env."+k, val)
		if err != nil {
			return nil, nil, err
		}
		env = append(env, k+"="+s)
	}
	return args, env, nil
}

// appEnv is the contract's environment for the run (docs/application.md).
func appEnv(targetEnv []string, v scenarios.AppValues, runID uint64) []string {
	env := append([]string(nil), targetEnv...)
	env = append(env, "KBENCH_STREAM="+v.Streams["source"], fmt.Sprintf("KBENCH_RUN_ID=%016x", runID))
	for name, s := range v.Streams {
		env = append(env, "KBENCH_STREAM_"+scenarios.EnvName(name)+"="+s)
	}
	for name, d := range v.Destinations {
		env = append(env, "KBENCH_DESTINATION_"+scenarios.EnvName(name)+"="+d)
	}
	return env
}

// startApp starts the application in a process group of its own, with its
// output in dir/application.log (and its standard output also to the
// stdout destination when withStdout), and waits until it is ready: its
// ready.log line appeared, or at once without one. It fails when the
// application exits first or the ready timeout passes; the process is then
// stopped and the log kept.
func startApp(ctx context.Context, a *scenarios.Application, args, env []string, dir, outDir string, withStdout bool) (*appProc, io.Reader, error) {
	f, err := os.Create(filepath.Join(outDir, ApplicationLog))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrApplication, err)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	procgroup.Own(cmd)
	p := &appProc{cmd: cmd, log: f, grace: a.StopGrace, exited: make(chan struct{})}
	logW := &lockedWriter{w: f}
	ready := newLineWatch(a.Ready.Log)
	var stdoutR io.Reader
	out := io.MultiWriter(logW, ready)
	if withStdout {
		var r *io.PipeReader
		r, p.stdoutW = io.Pipe()
		stdoutR = r
		out = io.MultiWriter(logW, ready, p.stdoutW)
	}
	cmd.Stdout, cmd.Stderr = out, io.MultiWriter(logW, ready)
	began := time.Now()
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%w: start %s: %v", ErrApplication, args[0], err)
	}
	go func() {
		p.waitErr = cmd.Wait()
		if p.stdoutW != nil {
			p.stdoutW.Close()
		}
		close(p.exited)
	}()
	timer := time.NewTimer(a.Ready.Timeout)
	defer timer.Stop()
	select {
	case <-ready.found:
		p.readyS = time.Since(began).Seconds()
		return p, stdoutR, nil
	case <-p.exited:
		err = fmt.Errorf("%w exited before it was ready (%v); its output is in %s", ErrApplication, p.waitErr, ApplicationLog)
	case <-timer.C:
		err = fmt.Errorf("%w did not log %q within %v; its output is in %s", ErrApplication, a.Ready.Log, a.Ready.Timeout, ApplicationLog)
	case <-ctx.Done():
		err = fmt.Errorf("%w: %v", ErrInterrupted, ctx.Err())
	}
	p.stop()
	return nil, nil, err
}

// crashed returns a channel that yields an error if the application exits
// before stop is called.
func (p *appProc) crashed() <-chan error {
	c := make(chan error, 1)
	go func() {
		<-p.exited
		if !p.stopping.Load() {
			c <- fmt.Errorf("%w exited during the run (%s); its output is in %s", ErrApplication, exitText(p.waitErr), ApplicationLog)
		}
	}()
	return c
}

// stop asks the application's process group to terminate, kills it after
// the grace period, and waits for it; it closes the log.
func (p *appProc) stop() {
	select {
	case <-p.exited:
		if p.exit == "" {
			p.exit = "exited early: " + exitText(p.waitErr)
		}
	default:
		p.stopping.Store(true)
		_ = procgroup.Signal(p.cmd, false)
		t := time.NewTimer(p.grace)
		select {
		case <-p.exited:
			if p.exit == "" {
				p.exit = "stopped"
			}
		case <-t.C:
			_ = procgroup.Signal(p.cmd, true)
			<-p.exited
			p.exit = "killed after the grace period"
		}
		t.Stop()
	}
	_ = p.log.Close()
}

// info is the application's entry in summary.json.
func (p *appProc) info() *results.ApplicationInfo {
	return &results.ApplicationInfo{Command: p.cmd.Args, Log: ApplicationLog, ReadyS: p.readyS, Exit: p.exit}
}

func exitText(err error) string {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return "exit status 0"
	case errors.As(err, &ee):
		return ee.ProcessState.String()
	}
	return err.Error()
}

// lineWatch is a writer that closes found once a line containing want has
// been written (at once when want is empty).
type lineWatch struct {
	want  string
	found chan struct{}
	once  sync.Once
	mu    sync.Mutex
	line  []byte
	done  bool
}

func newLineWatch(want string) *lineWatch {
	w := &lineWatch{want: want, found: make(chan struct{})}
	if want == "" {
		w.hit()
	}
	return w
}

func (w *lineWatch) hit() {
	w.once.Do(func() { close(w.found) })
	w.done = true
}

func (w *lineWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return len(p), nil
	}
	w.line = append(w.line, p...)
	for {
		i := bytes.IndexByte(w.line, '\n')
		if i < 0 {
			if len(w.line) > 1<<16 {
				w.line = w.line[len(w.line)-len(w.want):]
			}
			return len(p), nil
		}
		if strings.Contains(string(w.line[:i]), w.want) {
			w.hit()
			w.line = nil
			return len(p), nil
		}
		w.line = w.line[i+1:]
	}
}
