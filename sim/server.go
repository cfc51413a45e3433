package sim

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Server is the simulated Kinesis endpoint. It is an http.Handler; Serve
// and Start run it on a listener. All methods are safe for concurrent use.
type Server struct {
	cfg     Config
	now     func() time.Time
	started time.Time
	quotas  bool
	delays  *delays

	mu      sync.RWMutex
	streams map[string]*stream

	shards    atomic.Int64  // shards of live streams, closed parents included; for Config.MaxMemory
	inFlight  bodyBudget    // request body bytes being read or served
	faults    atomic.Uint64 // fault draws made so far
	requestID atomic.Uint64

	closeOnce sync.Once
	closing   chan struct{} // closed when Serve shuts down, ending subscriptions
}

// Option changes how New builds a Server.
type Option func(*Server)

// WithClock makes the server read the time from now instead of time.Now.
// Quota buckets, arrival timestamps, iterator expiry and status changes use
// it; waits (PutDelay, stalls, subscription pacing) still sleep on real
// timers, which testing/synctest fakes.
func WithClock(now func() time.Time) Option {
	return func(s *Server) { s.now = now }
}

// New returns a Server for cfg, or every problem with cfg joined in one error.
func New(cfg Config, opts ...Option) (*Server, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	d, err := newDelays(cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		delays:  d,
		now:     time.Now,
		quotas:  cfg.Quotas == QuotasAWS,
		streams: make(map[string]*stream),
		closing: make(chan struct{}),
	}
	s.inFlight.limit = cfg.bodyBytesLimit()
	for _, o := range opts {
		o(s)
	}
	s.started = s.now()
	return s, nil
}

// Serve serves on ln until ctx is cancelled, then shuts down gracefully:
// open SubscribeToShard streams are ended and in-flight calls finish (for
// at most 5 seconds). It serves HTTP/1.1 and HTTP/2 with prior knowledge
// (h2c) on the same port, or, when Config.TLS is set, TLS with ALPN h2 and
// http/1.1. It blocks, and returns nil after a shutdown caused by ctx, or
// the error that stopped serving.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := s.httpServer()
	if s.cfg.TLS != nil {
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("sim: serve: %w", err)
	case <-ctx.Done():
	}
	s.closeOnce.Do(func() { close(s.closing) })
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("sim: shutdown: %w", err)
	}
	return nil
}

// httpServer is the net/http server of Serve: HTTP/1.1 and HTTP/2 (h2c in
// the clear, h2 over TLS), each request's headers and body read within
// Config.ReadTimeout.
func (s *Server) httpServer() *http.Server {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: s.cfg.readTimeout(),
		// ReadTimeout bounds header and body together (per stream over
		// HTTP/2); net/http lifts it once the body is read, so responses
		// such as SubscribeToShard's event stream outlive it.
		ReadTimeout: s.cfg.readTimeout(),
		IdleTimeout: idleTimeout,
		Protocols:   new(http.Protocols),
		HTTP2:       &http.HTTP2Config{MaxConcurrentStreams: maxStreamsPerConn},
	}
	srv.Protocols.SetHTTP1(true)
	if s.cfg.TLS != nil {
		srv.Protocols.SetHTTP2(true)
		srv.TLSConfig = s.cfg.TLS.Clone()
		srv.TLSConfig.NextProtos = []string{"h2", "http/1.1"}
	} else {
		srv.Protocols.SetUnencryptedHTTP2(true)
	}
	return srv
}

const (
	// idleTimeout closes a keep-alive connection with no request for this
	// long.
	idleTimeout = 2 * time.Minute
	// maxStreamsPerConn bounds the concurrent HTTP/2 requests of one
	// connection.
	maxStreamsPerConn = 250
)

// Start listens on addr (for example "127.0.0.1:0"), serves in the
// background until ctx is cancelled or stop is called, and returns the
// base URL ("http://127.0.0.1:PORT", or "https://…" when Config.TLS is
// set). stop shuts the server down and waits for it.
func (s *Server) Start(ctx context.Context, addr string) (url string, stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("sim: listen: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Serve(ctx, ln)
	}()
	scheme := "http://"
	if s.cfg.TLS != nil {
		scheme = "https://"
	}
	return scheme + ln.Addr().String(), func() { cancel(); <-done }, nil
}

// Start builds a Server for cfg and starts it on addr as Server.Start does.
func Start(ctx context.Context, cfg Config, addr string) (url string, stop func(), err error) {
	s, err := New(cfg)
	if err != nil {
		return "", nil, err
	}
	return s.Start(ctx, addr)
}

// sleep waits for d, or until ctx is done or the server shuts down.
func (s *Server) sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	case <-s.closing:
	}
}

// stall holds a data-plane request that arrives inside the stall window
// until the window ends.
func (s *Server) stall(ctx context.Context) {
	if s.cfg.StallFor <= 0 {
		return
	}
	from := s.started.Add(s.cfg.StallAfter)
	until := from.Add(s.cfg.StallFor)
	if now := s.now(); !now.Before(from) && now.Before(until) {
		s.sleep(ctx, until.Sub(now))
	}
}

// fault reports whether the next record draw fails with InternalFailure.
// Draws are a deterministic sequence from Config.Seed (splitmix64).
func (s *Server) fault() bool {
	if s.cfg.ErrorRate <= 0 {
		return false
	}
	z := uint64(s.cfg.Seed) + s.faults.Add(1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return float64(z>>11)/(1<<53) < s.cfg.ErrorRate
}
