package scenarios

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/kbench/kbench/collectors"
	"github.com/kbench/kbench/generators"
	"github.com/kbench/kbench/pack"
	"github.com/kbench/kbench/sim"
	"github.com/kbench/kbench/targets"
)

// KindsFile is where KindsMarkdown's page lives, from the repository root.
const KindsFile = "docs/kinds.md"

// KindsMarkdown returns the documentation page of every kind a scenario can
// name, generated from the tables: each kind with its options, their
// defaults and its description.
func KindsMarkdown() []byte {
	var b strings.Builder
	b.WriteString("# Kinds\n\n")
	b.WriteString("Generated from the tables of kinds by `go run ./scenarios/cmd/schemagen`; do not edit by hand.\n")
	b.WriteString("The same tables give the scenario JSON Schema, `scenarios/" + SchemaFile + "`.\n")

	b.WriteString("\n## Generators (`producers[].generator`, options under `producers[].options`)\n\n")
	b.WriteString("| generator | description | options (default) |\n| --- | --- | --- |\n")
	for _, k := range generators.Generators {
		row(&b, k.Name, k.Doc, fieldList(k.Options(), nil))
	}

	b.WriteString("\n## Record formats (`producers[].options.format` of payments and iot, default `" + generators.Formats[0].Name + "`)\n\n")
	b.WriteString("| format | description |\n| --- | --- |\n")
	for _, k := range generators.Formats {
		fmt.Fprintf(&b, "| `%s` | %s |\n", k.Name, strings.ReplaceAll(k.Doc, "|", `\|`))
	}

	b.WriteString("\n## Rate profiles (`producers[].rate.profile`, fields beside it)\n\n")
	b.WriteString("| profile | description | fields |\n| --- | --- | --- |\n")
	for _, k := range generators.RateProfiles {
		row(&b, k.Name, k.Doc, fieldList(k.Options(), func(f reflect.StructField) string {
			if f.Tag.Get("kbench") == "required" {
				return "required"
			}
			return "optional"
		}))
	}

	b.WriteString("\n## Partition-key strategies (`producers[].partition_key`, default `" + generators.KeyKinds[0].Name + "`)\n\n")
	b.WriteString("| strategy | description |\n| --- | --- |\n")
	for _, k := range generators.KeyKinds {
		fmt.Fprintf(&b, "| `%s` | %s |\n", k.Name, k.Doc)
	}

	b.WriteString("\n## Compression codecs (`producers[].compression.codec`, level in `producers[].compression.level`)\n\n")
	b.WriteString("| codec | description | levels (default) |\n| --- | --- | --- |\n")
	for _, c := range pack.Codecs {
		row(&b, c.Name, c.Doc, fmt.Sprintf("%d..%d (%d)", c.MinLevel, c.MaxLevel, c.DefaultLevel))
	}
	row(&b, CodecNone, "No compression: the same as leaving `compression` out, so a matrix can compare with and without.", "—")

	b.WriteString("\n## Targets (`target.kind`, default `" + targets.KindSim + "`)\n\n")
	b.WriteString("| kind | description | options (default) |\n| --- | --- | --- |\n")
	for _, k := range targets.ScenarioKinds() {
		opts := "target.endpoint, target.region"
		if k.SimOptions {
			opts += "; target.sim: " + fieldList(sim.DefaultConfig(), nil)
		}
		row(&b, k.Name, k.Doc, opts)
	}

	b.WriteString("\n## Consumer kinds (`consumers[].kind`, default `" + collectors.Kinds[0].Name + "`)\n\n")
	b.WriteString("| kind | description | options (default) |\n| --- | --- | --- |\n")
	for _, k := range collectors.Kinds {
		opts := "—"
		if k.PollInterval > 0 {
			opts = fmt.Sprintf("`poll_interval` (%s)", k.PollInterval)
		}
		row(&b, k.Name, k.Doc, opts)
	}

	b.WriteString("\n## Event kinds (`events[]`: `at` and the key that names the kind)\n\n")
	b.WriteString("| kind | description | fields | example |\n| --- | --- | --- | --- |\n")
	for _, k := range EventKinds {
		fields := "`" + strings.Join(knownFieldList(reflect.TypeOf(k.Options()).Elem()), "`, `") + "`"
		fmt.Fprintf(&b, "| `%s` | %s | %s | `%s` |\n", k.Name, strings.ReplaceAll(k.Doc, "|", `\|`), fields, k.Example)
	}

	b.WriteString("\n## Destination kinds (`destinations[].kind`; see [application.md](application.md))\n\n")
	b.WriteString("| kind | description | options (default) |\n| --- | --- | --- |\n")
	for _, k := range collectors.DestinationKinds {
		opts := "`expect` (one), `correlate`"
		if k.Stream {
			opts = "`stream.name` (<source stream>-<name>), `stream.shards` (1), " + opts
		}
		row(&b, k.Name, k.Doc, opts)
	}
	return []byte(b.String())
}

func row(b *strings.Builder, name, doc, opts string) {
	fmt.Fprintf(b, "| `%s` | %s | %s |\n", name, strings.ReplaceAll(doc, "|", `\|`), opts)
}

// fieldList lists the yaml fields of the struct v points to (or is), each
// with its default from v, or with note(field) when note is set.
func fieldList(v any, note func(reflect.StructField) string) string {
	rv := reflect.Indirect(reflect.ValueOf(v))
	tree, _ := toTree(rv).(map[string]any)
	var out []string
	for i := range rv.NumField() {
		f := rv.Type().Field(i)
		name := yamlName(f)
		if name == "" {
			continue
		}
		if note != nil {
			out = append(out, fmt.Sprintf("`%s` (%s)", name, note(f)))
			continue
		}
		out = append(out, fmt.Sprintf("`%s` (%v)", name, tree[name]))
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}
