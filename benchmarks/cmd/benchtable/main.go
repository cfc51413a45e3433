// Command benchtable summarises kbench's benchmark output for
// scripts/bench-runs.sh and docs/performance.md:
//
//	benchtable gobench FILE   medians of every metric of `go test -bench` output (-count N rounds),
//	                          and the simulator/kinesis-mock ingest ratio
//	benchtable runs DIR       one row per results directory under DIR (a matrix run): shards,
//	                          acknowledged records/s, throttled record-attempts, e2e p99, verdict
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

// errUsage is returned for a command line benchtable does not understand.
var errUsage = errors.New("usage: benchtable gobench FILE | benchtable runs DIR")

func run(args []string, w io.Writer) error {
	if len(args) != 2 {
		return errUsage
	}
	switch args[0] {
	case "gobench":
		f, err := os.Open(args[1])
		if err != nil {
			return err
		}
		defer f.Close()
		results, err := parseGoBench(f)
		if err != nil {
			return fmt.Errorf("%s: %w", args[1], err)
		}
		return writeMedians(w, results)
	case "runs":
		rows, err := loadRuns(args[1])
		if err != nil {
			return err
		}
		return writeRuns(w, rows)
	}
	return errUsage
}
