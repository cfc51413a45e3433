package scenarios

import (
	"encoding/json"
	"reflect"

	"github.com/kbench/kbench/collectors"
	"github.com/kbench/kbench/generators"
	"github.com/kbench/kbench/pack"
	"github.com/kbench/kbench/targets"
)

// SchemaFile is the scenario JSON Schema's file name, beside the example
// scenarios; `kbench schema` writes it.
const SchemaFile = "kbench.schema.json"

// durationPattern matches what time.ParseDuration accepts, such as 1m30s
// or 250ms.
const durationPattern = `^-?([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h)(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h))*$`

// Schema returns the JSON Schema (draft-07) of a scenario file, built from
// the scenario types and the tables of kinds: each generator's options,
// each rate profile's fields, the target, key strategy and consumer kinds.
// Editors use it to complete and check fields; the decoder's own checks
// (ranges, every problem with its line) remain the authority.
func Schema() ([]byte, error) {
	root := typeSchema(reflect.TypeFor[Scenario]())
	props := root["properties"].(map[string]any)
	props["matrix"] = map[string]any{
		"description":          "Axes of a matrix: a --set path and the values it takes; one run per combination.",
		"type":                 "object",
		"additionalProperties": map[string]any{"type": "array", "minItems": 1},
	}
	root["$schema"] = "http://json-schema.org/draft-07/schema#"
	root["title"] = "kbench scenario"
	root["required"] = []string{"name", "producers"}
	return json.MarshalIndent(root, "", "  ")
}

// typeSchema is the schema of values of t, as the decoder reads them.
func typeSchema(t reflect.Type) map[string]any {
	switch t {
	case durationType:
		return durationSchema()
	case processingType:
		return map[string]any{"anyOf": []any{durationSchema(), structSchema(t)}}
	case rateType:
		return rateSchema()
	case producerType:
		return producerSchema()
	case eventType:
		return eventSchema()
	case reflect.TypeFor[Target]():
		s := structSchema(t)
		s["properties"].(map[string]any)["kind"] = enumSchema(targets.ScenarioKinds().Names(), kindDocs(targets.ScenarioKinds()))
		return s
	case reflect.TypeFor[Compression]():
		s := structSchema(t)
		s["properties"].(map[string]any)["codec"] = enumSchema(codecNames(), kindDocs(pack.Codecs)+"\n"+CodecNone+": no compression.")
		s["required"] = []string{"codec"}
		return s
	case reflect.TypeFor[Destination]():
		s := structSchema(t)
		s["properties"].(map[string]any)["kind"] = enumSchema(collectors.DestinationKinds.Names(), kindDocs(collectors.DestinationKinds))
		s["properties"].(map[string]any)["expect"] = enumSchema([]string{ExpectOne, ExpectSome, ExpectMany}, "one: every input causes one output (enrichment)\nsome: a filter; one output per ground-truth incident (the payments generator's fraud bursts)\nmany: any number of outputs per input")
		return s
	case reflect.TypeFor[Consumer]():
		s := structSchema(t)
		s["properties"].(map[string]any)["kind"] = enumSchema(collectors.Kinds.Names(), kindDocs(collectors.Kinds))
		return s
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int32, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": typeSchema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": typeSchema(t.Elem())}
	case reflect.Pointer:
		return typeSchema(t.Elem())
	case reflect.Struct:
		return structSchema(t)
	}
	return map[string]any{}
}

func durationSchema() map[string]any {
	return map[string]any{"anyOf": []any{
		map[string]any{"type": "string", "pattern": durationPattern},
		map[string]any{"const": 0},
	}}
}

// structSchema is a strict object of t's yaml fields.
func structSchema(t reflect.Type) map[string]any {
	props := map[string]any{}
	for i := range t.NumField() {
		if name := yamlName(t.Field(i)); name != "" {
			props[name] = typeSchema(t.Field(i).Type)
		}
	}
	return map[string]any{"type": "object", "additionalProperties": false, "properties": props}
}

// enumSchema is one of names, described by docs.
func enumSchema(names []string, docs string) map[string]any {
	return map[string]any{"enum": names, "description": docs}
}

// kindDocs joins a table's names and docs into one description.
func kindDocs[K interface{ KindName() string }](table []K) string {
	out := ""
	for _, k := range table {
		if out != "" {
			out += "\n"
		}
		out += k.KindName() + ": " + docOf(k)
	}
	return out
}

// docOf reads the Doc field every kind type has.
func docOf(k any) string { return reflect.ValueOf(k).FieldByName("Doc").String() }

// switchOn is an object whose discriminator key picks, through if/then, the
// properties (and required keys) of one branch per kind.
func switchOn(key string, names []string, docs string, branch func(name string) (props map[string]any, required []string)) map[string]any {
	var all []any
	for _, name := range names {
		props, req := branch(name)
		props[key] = map[string]any{"const": name}
		then := map[string]any{"properties": props, "additionalProperties": false}
		if len(req) > 0 {
			then["required"] = req
		}
		all = append(all, map[string]any{
			"if":   map[string]any{"properties": map[string]any{key: map[string]any{"const": name}}, "required": []string{key}},
			"then": then,
		})
	}
	return map[string]any{
		"type":       "object",
		"required":   []string{key},
		"properties": map[string]any{key: enumSchema(names, docs)},
		"allOf":      all,
	}
}

// rateSchema picks the fields of the chosen profile.
func rateSchema() map[string]any {
	return switchOn("profile", generators.RateProfiles.Names(), kindDocs(generators.RateProfiles), func(name string) (map[string]any, []string) {
		k, _ := generators.RateProfiles.Lookup(name)
		t := reflect.TypeOf(k.Options()).Elem()
		var req []string
		for i := range t.NumField() {
			if f := t.Field(i); f.Tag.Get("kbench") == "required" {
				req = append(req, yamlName(f))
			}
		}
		return structSchema(t)["properties"].(map[string]any), req
	})
}

// producerSchema is a producer whose options are those of its generator.
func producerSchema() map[string]any {
	t := producerType
	base := structSchema(t)
	props := base["properties"].(map[string]any)
	props["partition_key"] = enumSchema(generators.KeyKinds.Names(), kindDocs(generators.KeyKinds))
	props["ordering"] = enumSchema(orderings, orderingDocs)
	s := switchOn("generator", generators.Generators.Names(), kindDocs(generators.Generators), func(name string) (map[string]any, []string) {
		k, _ := generators.Generators.Lookup(name)
		p := map[string]any{}
		for key, v := range props {
			p[key] = v
		}
		opts := structSchema(reflect.TypeOf(k.Options()).Elem())
		if op, ok := opts["properties"].(map[string]any); ok {
			if _, ok := op["format"]; ok {
				op["format"] = enumSchema(generators.Formats.Names(), kindDocs(generators.Formats))
			}
		}
		p["options"] = opts
		if _, self := k.Options().(generators.SelfPaced); self {
			return p, nil // no rate with pace: recorded
		}
		return p, []string{"rate"}
	})
	return s
}

// eventSchema is one of the event kinds: at, the kind's own key and the
// other fields of its options.
func eventSchema() map[string]any {
	var kinds []any
	for _, k := range EventKinds {
		s := structSchema(reflect.TypeOf(k.Options()).Elem())
		s["properties"].(map[string]any)["at"] = durationSchema()
		s["required"] = []string{"at", k.Name}
		s["description"] = k.Name + ": " + k.Doc + " For example " + k.Example + "."
		kinds = append(kinds, s)
	}
	return map[string]any{"oneOf": kinds}
}
