// Package promexport serves kbench's metrics to Prometheus while a run goes
// on (kbench run --metrics-addr) and the simulator's (kbench sim
// --metrics-addr). It reads what kbench records anyway, at scrape time: the
// run's counters and HDR latency totals (see runner.Live), the simulator's
// per-shard counters (sim.Server.Stats). It is the only package that imports
// the Prometheus client; nothing in the run path depends on it.
package promexport

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Server serves a registry on /metrics.
type Server struct {
	ln   net.Listener
	srv  *http.Server
	done chan error
}

// NewRegistry returns a registry holding cs and the Go runtime's and the
// process's own collectors (go_*, process_*).
func NewRegistry(cs ...prometheus.Collector) (*prometheus.Registry, error) {
	reg := prometheus.NewRegistry()
	cs = append(cs, collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
	}
	return reg, nil
}

// Listen binds addr (HOST:PORT; ":9090" for every interface, port 0 for any
// free port) and serves g on /metrics until Close. The handler answers in
// the text format, or in the protobuf format (which carries native
// histograms) to scrapers that ask for it.
func Listen(addr string, g prometheus.Gatherer) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
	s := &Server{ln: ln, done: make(chan error, 1),
		srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// URL returns the address of the metrics page, http://HOST:PORT/metrics.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() + "/metrics" }

// Close keeps serving for linger, or until ctx is done, so a last scrape
// can see the final values; then it stops, waiting up to five seconds for
// scrapes in progress. It blocks for as long.
func (s *Server) Close(ctx context.Context, linger time.Duration) error {
	if linger > 0 {
		t := time.NewTimer(linger)
		select {
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(sctx)
	if serr := <-s.done; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	return nil
}
