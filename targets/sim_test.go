package targets

import (
	"testing"

	"github.com/kbench/kbench/sim"
)

func TestSimLifecycle(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  sim.Config
	}{
		{"zero config means default", sim.Config{}},
		{"default config", sim.DefaultConfig()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tgt, err := Open(t.Context(), Spec{Sim: tc.cfg})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer tgt.Close()
			if tgt.Kind != KindSim || tgt.Region != DefaultRegion {
				t.Errorf("target = %+v, want kind %s, region %s", tgt, KindSim, DefaultRegion)
			}
			testLifecycle(t, tgt)
			if err := tgt.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
}
