package scenarios

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the generated schema and kinds page (go run ./scenarios/cmd/schemagen does the same)")

// The committed schema and kinds page are what the tables generate today.
func TestGeneratedFilesFresh(t *testing.T) {
	schema, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string][]byte{
		SchemaFile:                     append(schema, '\n'),
		filepath.Join("..", KindsFile): KindsMarkdown(),
	} {
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go run ./scenarios/cmd/schemagen from the repository root", path)
		}
	}
}

// Every example scenario points editors at the schema on its first line.
func TestExamplesReferenceSchema(t *testing.T) {
	files, _ := filepath.Glob("*.yaml")
	if len(files) == 0 {
		t.Fatal("no example scenarios")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if first, _, _ := strings.Cut(string(data), "\n"); first != "# yaml-language-server: $schema=./"+SchemaFile {
			t.Errorf("%s: first line %q does not reference the schema", f, first)
		}
	}
}

// Every field the decoder accepts, with every default filled in (the
// resolved tree of each example and of a scenario using every kind), is a
// field the schema allows at that place, and its kind names are in the
// schema's enums.
func TestSchemaAllowsDecodedFields(t *testing.T) {
	data, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.yaml")
	files = append(files, filepath.Join("testdata", "every-profile.yaml"))
	for _, f := range files {
		s, err := Load(f, nil)
		if err != nil {
			t.Fatal(err)
		}
		tree := s.Resolved()
		delete(tree, "cell")
		for _, p := range schemaMisses(schema, tree, "") {
			t.Errorf("%s: %s", f, p)
		}
	}
	// A field the schema does not know is found.
	if len(schemaMisses(schema, map[string]any{"name": "x", "colour": "blue"}, "")) != 1 {
		t.Error("schemaMisses missed an unknown field")
	}
}

// schemaMisses lists the places in tree the schema does not allow: unknown
// keys of strict objects and values outside an enum.
func schemaMisses(schema map[string]any, tree any, path string) []string {
	var out []string
	if enum, ok := schema["enum"].([]any); ok && !slices.Contains(enum, tree) {
		out = append(out, fmt.Sprintf("%s: %v is not in the enum %v", path, tree, enum))
	}
	switch v := tree.(type) {
	case map[string]any:
		props, strict := objectProps(schema, v)
		for key, val := range v {
			sub, ok := props[key].(map[string]any)
			switch {
			case ok:
				out = append(out, schemaMisses(sub, val, joinPath(path, key))...)
			case strict:
				out = append(out, joinPath(path, key)+": not in the schema")
			}
		}
	case []any:
		items, _ := schema["items"].(map[string]any)
		for i, val := range v {
			if items != nil {
				out = append(out, schemaMisses(items, val, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	}
	return out
}

// objectProps gathers an object schema's properties: its own, those of the
// anyOf alternative that is an object, and those of the if/then branches
// whose discriminator matches v. strict says unknown keys are refused.
func objectProps(schema map[string]any, v map[string]any) (map[string]any, bool) {
	props := map[string]any{}
	strict := schema["additionalProperties"] == false
	add := func(s map[string]any) {
		if p, ok := s["properties"].(map[string]any); ok {
			for k, val := range p {
				props[k] = val
			}
		}
		if s["additionalProperties"] == false {
			strict = true
		}
	}
	add(schema)
	for _, alt := range asList(schema["anyOf"]) {
		if alt["type"] == "object" {
			add(alt)
		}
	}
	for _, branch := range asList(schema["allOf"]) {
		cond, _ := branch["if"].(map[string]any)
		match := true
		for key, c := range cond["properties"].(map[string]any) {
			match = match && v[key] == c.(map[string]any)["const"]
		}
		if then, ok := branch["then"].(map[string]any); ok && match {
			add(then)
		}
	}
	return props, strict
}

func asList(v any) []map[string]any {
	var out []map[string]any
	list, _ := v.([]any)
	for _, x := range list {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}
