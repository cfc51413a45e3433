// Command schemagen writes the scenario JSON Schema
// (scenarios/kbench.schema.json) and the page of kinds (docs/kinds.md)
// from the tables of kinds. Run it from the repository root after adding or
// changing a kind:
//
//	go run ./scenarios/cmd/schemagen
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/kbench/kbench/scenarios"
)

func main() {
	schema, err := scenarios.Schema()
	if err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
	for path, data := range map[string][]byte{
		filepath.Join("scenarios", scenarios.SchemaFile): append(schema, '\n'),
		scenarios.KindsFile: scenarios.KindsMarkdown(),
	} {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "schemagen:", err)
			os.Exit(1)
		}
		fmt.Println("wrote", path)
	}
}
