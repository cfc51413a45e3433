package targets

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// closedPortURL returns an http URL on a loopback port nothing listens on.
func closedPortURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func TestOpenUnreachable(t *testing.T) {
	for _, kind := range []string{KindKinesisMock, KindLocalStack} {
		t.Run(kind, func(t *testing.T) {
			began := time.Now()
			tgt, err := Open(t.Context(), Spec{Kind: kind, Endpoint: closedPortURL(t), ReadyTimeout: 300 * time.Millisecond})
			if err == nil {
				tgt.Close()
				t.Fatal("Open of a closed port succeeded")
			}
			if !errors.Is(err, ErrUnreachable) {
				t.Errorf("Open error = %v, want ErrUnreachable", err)
			}
			if d := time.Since(began); d > 3*time.Second {
				t.Errorf("Open took %s to fail, want about 300ms", d)
			}
			t.Log(err)
		})
	}
}

func TestOpenCancelledWhileWaiting(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, err := Open(ctx, Spec{Kind: KindKinesisMock, Endpoint: closedPortURL(t)})
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrUnreachable) {
		t.Errorf("Open error = %v, want the ctx's DeadlineExceeded and not ErrUnreachable", err)
	}
}

func TestOpenBadSpec(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{"unknown kind", Spec{Kind: "kinesalite"}, `unknown kind "kinesalite"`},
		{"sim with endpoint", Spec{Kind: KindSim, Endpoint: "http://127.0.0.1:1"}, "takes no endpoint"},
		{"default kind with endpoint", Spec{Endpoint: "http://127.0.0.1:1"}, "takes no endpoint"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tgt, err := Open(t.Context(), tc.spec)
			if err == nil {
				tgt.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Open error = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}
