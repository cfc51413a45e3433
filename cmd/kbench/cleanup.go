package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/kbench/kbench/internal/clip"
	"github.com/kbench/kbench/scenarios"
	"github.com/kbench/kbench/targets"
)

// cleanupCmd lists the streams kbench created (tagged kbench:created-by=kbench)
// that runs left behind, and deletes them once confirmed. It never touches a
// stream without the tag.
func cleanupCmd(args []string, stdout, stderr io.Writer) error {
	var (
		kind, endpoint, region, profile string
		yes                             bool
		olderThan                       time.Duration
	)
	fs := flag.NewFlagSet("kbench cleanup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&kind, "target", targets.KindAWS, "where to look: aws, localstack (default endpoint "+targets.DefaultLocalStackEndpoint+"), kinesis-mock or sim (both with --endpoint)")
	fs.StringVar(&endpoint, "endpoint", "", "URL of the Kinesis endpoint (aws: default the region's)")
	fs.StringVar(&region, "region", "", "AWS region (aws: default from AWS_REGION or the profile)")
	fs.StringVar(&profile, "profile", "", "aws: shared-config profile for credentials and region")
	fs.BoolVar(&yes, "yes", false, "delete without asking (needed when standard input is not a terminal)")
	fs.DurationVar(&olderThan, "older-than", 0, "only streams created longer ago than this, e.g. 2h (0: all); leaves the streams of runs still going alone")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: kbench cleanup [flags]\nLists the streams kbench created and left behind (tagged "+
			targets.TagCreatedBy+"="+targets.CreatedByValue+") and deletes them; streams without the tag are never touched.")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErr("unexpected arguments %s", clip.Cut(fmt.Sprintf("%q", pos)))
	}
	if olderThan < 0 {
		return usageErr("--older-than %v: must not be negative", olderThan)
	}
	if endpoint != "" {
		if err := scenarios.CheckEndpoint(endpoint); err != nil {
			return usageErr("--endpoint %w", err)
		}
	}
	if region != "" {
		if err := scenarios.CheckRegion(region); err != nil {
			return usageErr("--region %w", err)
		}
	}
	spec := targets.Spec{Kind: kind, Endpoint: endpoint, Region: region, Profile: profile, Log: stderr}
	switch kind {
	case targets.KindAWS:
	case targets.KindLocalStack:
		if endpoint == "" {
			spec.Endpoint = targets.DefaultLocalStackEndpoint
		}
	case targets.KindKinesisMock, targets.KindSim:
		if endpoint == "" {
			return usageErr("--target %s: pass the --endpoint of the running one (an in-process simulator keeps no streams after its run)", kind)
		}
		spec.Kind = targets.KindEndpoint
	default:
		return usageErr("--target %s: want aws, localstack, kinesis-mock or sim", clip.Quote(kind))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tgt, err := targets.Open(ctx, spec)
	if err != nil {
		return &exitError{exitRunFailed, err}
	}
	defer tgt.Close()
	if tgt.Kind == targets.KindAWS {
		fmt.Fprintf(stderr, "aws: region %s, credentials from %s%s\n", tgt.Region, tgt.CredentialSource, profileNote(profile))
	}
	c, err := tgt.Client(ctx, targets.ClientOptions{MaxAttempts: 3, Timeout: 30 * time.Second})
	if err != nil {
		return &exitError{exitRunFailed, err}
	}
	all, err := targets.ListKbenchStreams(ctx, c)
	if err != nil {
		return &exitError{exitRunFailed, targets.ExplainAWSError(err, tgt.Region)}
	}
	var found []targets.KbenchStream
	now := time.Now()
	for _, s := range all {
		if olderThan == 0 || s.Created.IsZero() || now.Sub(s.Created) > olderThan {
			found = append(found, s)
		}
	}
	where := tgt.Kind + " " + tgt.Region
	if tgt.Endpoint != "" {
		where = tgt.Kind + " at " + tgt.Endpoint
	}
	if len(found) == 0 {
		fmt.Fprintf(stdout, "no kbench streams to delete in %s (%d in all, none older than %v)\n", where, len(all), olderThan)
		return nil
	}
	fmt.Fprintf(stdout, "%d kbench stream(s) in %s:\n", len(found), where)
	tw := tabwriter.NewWriter(stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "  STREAM\tRUN ID\tCREATED\tAGE\tSTATUS")
	for _, s := range found {
		created, age := "?", "?"
		if !s.Created.IsZero() {
			created, age = s.Created.Local().Format(time.RFC3339), now.Sub(s.Created).Round(time.Second).String()
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", s.Name, s.RunID, created, age, s.Status)
	}
	tw.Flush()
	if !yes {
		if !stdinIsTerminal() {
			return usageErr("standard input is not a terminal to confirm on: pass --yes to delete these %d stream(s); nothing was deleted", len(found))
		}
		ok, err := confirm(stderr, fmt.Sprintf("Delete these %d stream(s)? [y/N] ", len(found)))
		if err != nil || !ok {
			return usageErr("not confirmed: nothing was deleted")
		}
	}
	var errs []error
	for _, s := range found {
		// DeleteStream checks the tag again, right before it deletes.
		if err := targets.DeleteStream(ctx, c, s.Name); err != nil {
			errs = append(errs, targets.ExplainAWSError(err, tgt.Region))
			continue
		}
		fmt.Fprintf(stdout, "deleted %s\n", s.Name)
	}
	if len(errs) > 0 {
		return &exitError{exitRunFailed, errors.Join(errs...)}
	}
	return nil
}
