package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"

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
	fs.Float64Var(&cfg.ErrorRate, "error-rate", cfg.ErrorRate, "fraction (0..1) of records failed with InternalFailure")
	fs.DurationVar(&cfg.StallAfter, "stall-after", cfg.StallAfter, "start of a window, from server start, in which every data-plane request is held")
	fs.DurationVar(&cfg.StallFor, "stall-for", cfg.StallFor, "length of the stall window (0: no stall)")
	fs.DurationVar(&cfg.CreateDelay, "create-delay", cfg.CreateDelay, "how long a new or resharded stream stays CREATING/UPDATING")
	fs.DurationVar(&cfg.Retention, "retention", cfg.Retention, "how long records stay readable")
	fs.Int64Var(&cfg.ShardMaxBytes, "shard-max-bytes", cfg.ShardMaxBytes, "record bytes kept per shard; the oldest are trimmed first")
	fs.Int64Var(&cfg.Seed, "seed", cfg.Seed, "seed of the fault draws")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{exitUsage, err}
	}
	if len(pos) != 0 {
		return usageErr("unexpected arguments %q", pos)
	}
	srv, err := sim.New(cfg)
	if err != nil {
		return &exitError{exitUsage, err}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return &exitError{exitRunFailed, err}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(stdout, "kbench sim: Kinesis endpoint on http://%s (quotas %s); Ctrl-C stops\n", ln.Addr(), cfg.Quotas)
	if err := srv.Serve(ctx, ln); err != nil && ctx.Err() == nil {
		return &exitError{exitRunFailed, err}
	}
	return nil
}
