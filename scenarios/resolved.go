package scenarios

import (
	"maps"
	"reflect"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/kbench/kbench/collectors"
	"github.com/kbench/kbench/targets"
)

// Resolved returns the scenario as a generic tree with the field names of
// the YAML file and every default filled in, for summary.json's "scenario"
// key. Durations are strings such as "1m0s", generator options sit under
// each producer's "options", rate profiles show only their own fields, and
// target.sim appears only for kind sim. Events show only their own
// action's fields, "events" appears only when there are some, and
// "workers" only when set. An
// unexpanded scenario keeps its "matrix"; a cell shows its label under
// "cell" instead. Apart from "cell", the tree decodes back into the same
// scenario.
func (s *Scenario) Resolved() map[string]any {
	m := toTree(reflect.ValueOf(*s)).(map[string]any)
	if k, ok := targets.Kinds.Lookup(s.Target.Kind); !ok || !k.SimOptions {
		delete(m["target"].(map[string]any), "sim")
	}
	producers := m["producers"].([]any)
	for i, p := range s.Producers {
		pm := producers[i].(map[string]any)
		if p.Options != nil {
			pm["options"] = toTree(reflect.ValueOf(p.Options))
		}
		pm["rate"] = rateTree(p.Rate)
		if p.SelfPaced() {
			delete(pm, "rate")
		}
		packingTree(pm, p)
	}
	consumers := m["consumers"].([]any)
	for i, c := range s.Consumers {
		if k, ok := collectors.Kinds.Lookup(c.Kind); ok && k.PollInterval == 0 {
			delete(consumers[i].(map[string]any), "poll_interval")
		}
	}
	if len(s.Events) == 0 {
		delete(m, "events")
	}
	if s.Workers == 0 {
		delete(m, "workers")
	}
	if s.Application == nil {
		delete(m, "application")
	}
	if len(s.Destinations) == 0 {
		delete(m, "destinations")
	}
	dests, _ := m["destinations"].([]any)
	for i, d := range s.Destinations {
		if k, ok := collectors.DestinationKinds.Lookup(d.Kind); ok && !k.Stream {
			delete(dests[i].(map[string]any), "stream")
		}
	}
	events, _ := m["events"].([]any)
	for i, ev := range s.Events {
		events[i] = eventTree(ev)
	}
	switch {
	case s.Cell != "":
		m["cell"] = s.Cell
	case len(s.Matrix) > 0:
		axes := map[string]any{}
		for _, a := range s.Matrix {
			vals := make([]any, len(a.Values))
			for i, text := range a.Values {
				vals[i] = scalarValue(text)
			}
			axes[a.Path] = vals
		}
		m["matrix"] = axes
	}
	return m
}

// rateTree is the profile and the fields of its options.
func rateTree(r Rate) map[string]any {
	out := map[string]any{"profile": r.Profile}
	if r.Options != nil {
		maps.Copy(out, toTree(reflect.ValueOf(r.Options)).(map[string]any))
	}
	return out
}

// scalarValue decodes matrix value text back into the YAML scalar it was.
func scalarValue(text string) any {
	var v any
	if err := yaml.Unmarshal([]byte(text), &v); err != nil {
		return text
	}
	return v
}

// toTree turns a value into maps keyed by yaml name, lists and scalars.
func toTree(v reflect.Value) any {
	switch v.Type() {
	case durationType:
		return time.Duration(v.Int()).String()
	case rateType:
		return rateTree(v.Interface().(Rate))
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return toTree(v.Elem())
	case reflect.Struct:
		m := map[string]any{}
		for i := range v.NumField() {
			if name := yamlName(v.Type().Field(i)); name != "" {
				m[name] = toTree(v.Field(i))
			}
		}
		return m
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		m := map[string]any{}
		for _, k := range v.MapKeys() {
			m[k.String()] = toTree(v.MapIndex(k))
		}
		return m
	case reflect.Slice:
		list := make([]any, v.Len())
		for i := range list {
			list[i] = toTree(v.Index(i))
		}
		return list
	}
	return v.Interface()
}
