// Command kbench is a load-testing and benchmark harness for Amazon Kinesis
// Data Streams. See README.md for a walk-through and docs/architecture.md for
// how the code is laid out.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/kbench/kbench/internal/clip"
	"github.com/kbench/kbench/scenarios"
)

// version is kbench's version; release builds set it with -ldflags.
var version = "0.1.0-dev"

// Exit codes (README.md): 0 ok, 1 thresholds or gate failed, 2 bad input or
// usage, 3 the run itself failed.
const (
	exitOK        = 0
	exitFailed    = 1
	exitUsage     = 2
	exitRunFailed = 3
)

// exitError carries an exit code up to main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{exitUsage, fmt.Errorf(format, args...)}
}

const usage = `kbench: load tests and benchmarks for Amazon Kinesis Data Streams

Usage:
  kbench run SCENARIO.yaml [--target sim|kinesis-mock|localstack|aws] [--endpoint URL] [--out DIR] [--set path=value]...
  kbench sim [--addr HOST:PORT] [--quotas aws|off] [--latency none|aws|FILE] [--put-delay D] ...
  kbench run SCENARIO.yaml --worker I/N --endpoint URL [--run-id HEX] [--start-at RFC3339]   (one worker of a distributed run)
  kbench merge WORKER_DIR... --out DIR [--allow-partial]
  kbench report DIR...
  kbench cleanup [--target aws|localstack|...] [--endpoint URL] [--region R] [--profile P] [--yes] [--older-than D]
  kbench compare BASELINE_DIR CURRENT_DIR [--fail-on RULE]... [--out DIR] [--junit FILE] [--markdown FILE]
  kbench calibrate RESULTS_DIR [--out profile.yaml] [--base aws|none|FILE] [--name NAME]
  kbench schema
  kbench version

Run "kbench COMMAND -h" for a command's flags.
Exit codes: 0 ok, 1 thresholds or regression gate failed, 2 bad input or usage, 3 the run failed.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "run":
		err = runCmd(args[1:], stdout, stderr)
	case "sim":
		err = simCmd(args[1:], stdout, stderr)
	case "report":
		err = reportCmd(args[1:], stdout, stderr)
	case "cleanup":
		err = cleanupCmd(args[1:], stdout, stderr)
	case "compare":
		err = compareCmd(args[1:], stdout, stderr)
	case "merge":
		err = mergeCmd(args[1:], stdout, stderr)
	case "calibrate":
		err = calibrateCmd(args[1:], stdout, stderr)
	case "schema":
		err = schemaCmd(args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "kbench", version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "kbench: unknown command %s\n\n%s", clip.Quote(args[0]), usage)
		return exitUsage
	}
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	code := exitRunFailed
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	var probs scenarios.Problems
	switch {
	case errors.As(err, &probs):
		fmt.Fprintf(stderr, "kbench %s: %d problem(s) in the scenario:\n%s\n", args[0], len(probs), strings.TrimSpace(probs.Error()))
	case errors.Is(err, errVerdict):
		// The summary already said which thresholds failed.
	default:
		fmt.Fprintf(stderr, "kbench %s: %s\n", args[0], strings.TrimSpace(err.Error()))
	}
	return code
}

// parseInterspersed parses flags that may come before or after positional
// arguments, as in "kbench run FILE --set a=b". A bad flag is a usage error
// (exit 2); -h returns flag.ErrHelp as it is.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &exitError{exitUsage, err}
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		args = fs.Args()
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
