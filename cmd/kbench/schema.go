package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/kbench/kbench/internal/clip"
	"github.com/kbench/kbench/scenarios"
)

// schemaCmd prints the scenario JSON Schema, the same document as
// scenarios/kbench.schema.json, for editors and tools that want it without
// the repository.
func schemaCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kbench schema", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErr("schema takes no arguments, got %s", clip.Quote(pos[0]))
	}
	schema, err := scenarios.Schema()
	if err != nil {
		return fmt.Errorf("scenario schema: %w", err)
	}
	_, err = fmt.Fprintf(stdout, "%s\n", schema)
	return err
}
