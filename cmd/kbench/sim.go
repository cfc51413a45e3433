package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"

	"github.com/kbench/kbench/internal/clip"
	"github.com/kbench/kbench/promexport"
	"github.com/kbench/kbench/sim"
)

// simCmd serves the simulated Kinesis endpoint until interrupted.
func simCmd(args []string, stdout, stderr io.Writer) error {
	cfg := sim.DefaultConfig()
	fs := flag.NewFlagSet("kbench sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:4568", "listen address HOST:PORT")
	fs.StringVar(&cfg.Quotas, "quotas", cfg.Quotas, "per-shard quotas: aws (AWS's limits) or off")
	fs.DurationVar(&cfg.PutDelay, "put-delay", cfg.PutDelay, "delay added to every PutRecord(s) call")
	fs.DurationVar(&cfg.PropagationDelay, "propagation-delay", cfg.PropagationDelay, "delay before an accepted record is readable")
	fs.StringVar(&cfg.Latency, "latency", cfg.Latency, "latency profile: none, aws or a profile file (docs/latency.md); not with --put-delay or --propagation-delay")
	fs.Float64Var(&cfg.ErrorRate, "error-rate", cfg.ErrorRate, "fraction (0..1) of records failed with InternalFailure")
	fs.DurationVar(&cfg.StallAfter, "stall-after", cfg.StallAfter, "start of a window, from server start, in which every data-plane request is held")
	fs.DurationVar(&cfg.StallFor, "stall-for", cfg.StallFor, "length of the stall window (0: no stall)")
	fs.DurationVar(&cfg.CreateDelay, "create-delay", cfg.CreateDelay, "how long a new stream stays CREATING")
	fs.DurationVar(&cfg.UpdateDelay, "update-delay", cfg.UpdateDelay, "how long a stream stays UPDATING after a reshard, mode or encryption change")
	fs.DurationVar(&cfg.DeleteDelay, "delete-delay", cfg.DeleteDelay, "how long a deleted stream stays DELETING before it is gone")
	fs.DurationVar(&cfg.ReadTimeout, "read-timeout", cfg.ReadTimeout, "how long reading one request (headers and body) may take")
	useTLS := fs.Bool("tls", false, "serve HTTPS (ALPN h2 and http/1.1) instead of HTTP/1.1 and h2c, with a self-signed certificate written to --tls-cert-out, or with --tls-cert and --tls-key")
	tlsCert := fs.String("tls-cert", "", "PEM certificate to serve with --tls (with --tls-key)")
	tlsKey := fs.String("tls-key", "", "PEM private key of --tls-cert")
	tlsOut := fs.String("tls-cert-out", filepath.Join(os.TempDir(), "kbench-sim-cert.pem"), "where --tls writes its self-signed certificate, for clients to trust")
	fs.DurationVar(&cfg.Retention, "retention", cfg.Retention, "how long records stay readable")
	fs.Var((*byteSize)(&cfg.ShardMaxBytes), "shard-max-bytes", "record bytes kept per shard, e.g. 64MiB; the oldest are trimmed first")
	fs.Float64Var(&cfg.OnDemandPeakRecords, "on-demand-peak-records", cfg.OnDemandPeakRecords, "previous peak write records/s of on-demand streams: they start warm, at twice it (0: cold, 4,000 records/s)")
	fs.Var((*byteSize)(&cfg.OnDemandPeakBytes), "on-demand-peak-bytes", "previous peak write bytes/s of on-demand streams, e.g. 8MiB: they start warm, at twice it (0: cold, 4 MiB/s)")
	fs.Var((*byteSize)(&cfg.MaxMemory), "max-memory", "memory budget of the whole simulator, e.g. 512MiB: records of all shards are held to a third of it, and it is the process's soft memory limit (0: none)")
	fs.Int64Var(&cfg.Seed, "seed", cfg.Seed, "seed of the fault and latency draws")
	var mf metricsFlags
	mf.register(fs, false)
	requireAuth := fs.String("require-auth", "", "behave like AWS about credentials: refuse requests that are not SigV4-signed with this access key id")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErr("unexpected arguments %s", clip.Cut(fmt.Sprintf("%q", pos)))
	}
	if *requireAuth != "" {
		cfg.Auth = &sim.Auth{AccessKeyID: *requireAuth}
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return usageErr("--tls-cert and --tls-key go together")
	}
	if *tlsCert != "" && !*useTLS {
		return usageErr("--tls-cert and --tls-key need --tls")
	}
	scheme, note := "http", "HTTP/1.1 and h2c"
	if *useTLS {
		scheme, note = "https", "TLS with h2 and http/1.1"
		if cfg.TLS, err = simTLS(*tlsCert, *tlsKey, *tlsOut, *addr); err != nil {
			return err
		}
		if *tlsCert == "" {
			note += "; self-signed certificate in " + *tlsOut
		}
	}
	srv, err := sim.New(cfg)
	if err != nil {
		return &exitError{exitUsage, err}
	}
	if cfg.MaxMemory > 0 {
		// The whole process is the simulator here, so its budget can bound
		// the garbage collector too: the runtime's soft limit covers the
		// memory Go manages, so the program's own code and data, which it
		// does not count, are left out of it.
		debug.SetMemoryLimit(cfg.MaxMemory - programAllowance)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return &exitError{exitRunFailed, err}
	}
	defer ln.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(stdout, "kbench sim: Kinesis endpoint on %s://%s (%s, quotas %s); Ctrl-C stops\n", scheme, ln.Addr(), note, cfg.Quotas)
	if p := srv.LatencyProfile(); p != nil {
		fmt.Fprintf(stdout, "latency profile %s\n", p)
		for _, a := range p.Assumptions {
			fmt.Fprintf(stdout, "  assumed: %s\n", a)
		}
	}
	msrv, err := mf.serve(stdout, promexport.NewSim(srv.Stats, nil))
	if err != nil {
		return err
	}
	defer closeMetrics(ctx, msrv, 0, stderr)
	if err := srv.Serve(ctx, ln); err != nil && ctx.Err() == nil {
		return &exitError{exitRunFailed, err}
	}
	return nil
}

// programAllowance is the resident memory kbench's code and static data
// take, outside what the Go runtime's memory limit counts.
const programAllowance = 32 << 20

// byteSize is a flag holding a size in bytes, written as a plain number or
// with a KiB, MiB or GiB suffix.
type byteSize int64

func (b *byteSize) String() string { return strconv.FormatInt(int64(*b), 10) }

func (b *byteSize) Set(v string) error {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}} {
		if strings.HasSuffix(v, u.suffix) {
			v, mult = strings.TrimSuffix(v, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return fmt.Errorf("want a size in bytes such as 67108864 or 64MiB")
	}
	*b = byteSize(n * mult)
	return nil
}

// simTLS is the TLS configuration of `kbench sim --tls`: the given
// certificate and key, or a new self-signed certificate for addr's host,
// localhost and the loopback addresses, written to out in PEM.
func simTLS(certFile, keyFile, out, addr string) (*tls.Config, error) {
	if certFile != "" {
		c, err := sim.LoadCert(certFile, keyFile)
		if err != nil {
			return nil, &exitError{exitUsage, err}
		}
		return c, nil
	}
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	if h, _, err := net.SplitHostPort(addr); err == nil && h != "" {
		hosts = append(hosts, h)
	}
	if h, err := os.Hostname(); err == nil {
		hosts = append(hosts, h)
	}
	c, pemBytes, err := sim.SelfSignedCert(hosts)
	if err != nil {
		return nil, &exitError{exitRunFailed, err}
	}
	if err := os.WriteFile(out, pemBytes, 0o644); err != nil {
		return nil, &exitError{exitUsage, fmt.Errorf("--tls-cert-out: %w", err)}
	}
	return c, nil
}
