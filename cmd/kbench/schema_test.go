package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kbench/kbench/scenarios"
)

func TestSchemaPrintsTheCommittedSchema(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("..", "..", "scenarios", scenarios.SchemaFile))
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := kbench(t, "schema")
	if code != exitOK || stdout != string(want) {
		t.Errorf("kbench schema: exit %d, %d bytes (want %d identical to %s), stderr %q",
			code, len(stdout), len(want), scenarios.SchemaFile, stderr)
	}
	if code, _, _ := kbench(t, "schema", "extra"); code != exitUsage {
		t.Errorf("kbench schema extra: exit %d, want %d", code, exitUsage)
	}
}
