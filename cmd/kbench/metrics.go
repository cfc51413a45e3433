package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kbench/kbench/promexport"
)

// metricsFlags are the --metrics-* flags of kbench run and kbench sim.
type metricsFlags struct {
	addr   string
	linger time.Duration
}

// register adds --metrics-addr, and --metrics-linger when withLinger, to fs.
func (m *metricsFlags) register(fs *flag.FlagSet, withLinger bool) {
	fs.StringVar(&m.addr, "metrics-addr", "", "serve Prometheus metrics on HOST:PORT/metrics (e.g. :9090 or 127.0.0.1:9090; off when empty)")
	if withLinger {
		fs.DurationVar(&m.linger, "metrics-linger", 0, "with --metrics-addr: keep serving this long after the last run ends, so a last scrape sees the final values (Ctrl-C cuts it short)")
	}
}

// check reports flag combinations that make no sense (exit 2).
func (m *metricsFlags) check() error {
	switch {
	case m.linger < 0:
		return usageErr("--metrics-linger %v: want 0 or more", m.linger)
	case m.linger > 0 && m.addr == "":
		return usageErr("--metrics-linger needs --metrics-addr")
	}
	return nil
}

// serve starts the metrics endpoint with cs when --metrics-addr is set and
// says where on log; it returns nil when the flag is not set. An address
// that cannot be bound is bad input (exit 2).
func (m *metricsFlags) serve(log io.Writer, cs ...prometheus.Collector) (*promexport.Server, error) {
	if m.addr == "" {
		return nil, nil
	}
	reg, err := promexport.NewRegistry(cs...)
	if err != nil {
		return nil, &exitError{exitRunFailed, err}
	}
	srv, err := promexport.Listen(m.addr, reg)
	if err != nil {
		return nil, usageErr("--metrics-addr %s: %w", m.addr, err)
	}
	fmt.Fprintf(log, "metrics on %s\n", srv.URL())
	return srv, nil
}

// closeMetrics stops srv (nil: nothing to do) after the linger, or at once
// when ctx is done, and warns on log if it did not stop cleanly.
func closeMetrics(ctx context.Context, srv *promexport.Server, linger time.Duration, log io.Writer) {
	if srv == nil {
		return
	}
	if err := srv.Close(ctx, linger); err != nil {
		fmt.Fprintf(log, "warning: %v\n", err)
	}
}
