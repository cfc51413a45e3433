package scenarios

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/goccy/go-yaml"
)

// TestResolvedRoundTrip writes each example's resolved tree back out as
// YAML and loads it again: the field names must be the file's, and the
// result the same scenario.
func TestResolvedRoundTrip(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, filepath.Join("testdata", "every-profile.yaml"))
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			s, err := Load(f, nil)
			if err != nil {
				t.Fatal(err)
			}
			tree := s.Resolved()
			if _, err := json.Marshal(tree); err != nil {
				t.Fatalf("resolved tree does not encode as JSON: %v", err)
			}
			data, err := yaml.Marshal(tree)
			if err != nil {
				t.Fatal(err)
			}
			again, err := Parse("resolved.yaml", data, nil)
			if err != nil {
				t.Fatalf("resolved tree does not load:\n%v\n%s", err, data)
			}
			again.File, again.src, s.src, again.pos, s.pos = s.File, nil, nil, nil, nil
			if !reflect.DeepEqual(again, s) {
				t.Errorf("round trip changed the scenario:\n got %+v\nwant %+v", again, s)
			}
		})
	}
}

func TestResolvedFields(t *testing.T) {
	s, err := Parse("t.yaml", []byte(`name: r
target: {kind: aws}
producers:
  - generator: acoustic
    rate: {profile: sine, base: 10, amplitude: 5, period: 1m}
consumers:
  - {kind: fanout}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := s.Resolved()
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	})
	want := []string{"consumers", "deadline", "description", "drain", "duration", "max_overrun", "name", "producers", "stream", "target", "thresholds", "warmup"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("top-level keys %v, want %v", keys, want)
	}
	if _, ok := m["target"].(map[string]any)["sim"]; ok {
		t.Error("target.sim shown for kind aws")
	}
	p := m["producers"].([]any)[0].(map[string]any)
	rate := p["rate"].(map[string]any)
	if !reflect.DeepEqual(rate, map[string]any{"profile": "sine", "base": 10.0, "amplitude": 5.0, "period": "1m0s"}) {
		t.Errorf("rate = %v", rate)
	}
	if opts := p["options"].(map[string]any); opts["frame_length"] != "100ms" || opts["channels"] != 4 {
		t.Errorf("options = %v", opts)
	}
	if c := m["consumers"].([]any)[0].(map[string]any); c["poll_interval"] != nil || c["name"] != "collector-0" {
		t.Errorf("consumer = %v", c)
	}
	if m["duration"] != "30s" || m["drain"] != "10s" {
		t.Errorf("duration %v drain %v, want the defaults", m["duration"], m["drain"])
	}
}
