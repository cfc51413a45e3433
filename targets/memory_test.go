package targets

import (
	"runtime"
	"testing"

	"github.com/kbench/kbench/sim"
)

// TestInProcessSimHasMemoryBudget: the in-process simulator gets a default
// memory budget of a quarter of physical memory, also when the scenario
// configures the simulator otherwise; an explicit max_memory wins.
func TestInProcessSimHasMemoryBudget(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("physical memory is read from /proc/meminfo")
	}
	phys := physicalMemory()
	if phys <= 0 {
		t.Fatal("physical memory unknown")
	}
	want := max(phys/4, 64<<20)
	custom := sim.DefaultConfig()
	custom.Quotas = "aws"
	explicit := sim.DefaultConfig()
	explicit.MaxMemory = 128 << 20
	for _, tc := range []struct {
		name string
		cfg  sim.Config
		want int64
	}{{"default", sim.Config{}, want}, {"configured", custom, want}, {"explicit", explicit, 128 << 20}} {
		t.Run(tc.name, func(t *testing.T) {
			tgt, err := Open(t.Context(), Spec{Kind: KindSim, Sim: tc.cfg})
			if err != nil {
				t.Fatal(err)
			}
			defer tgt.Close()
			if tgt.MemoryBudget != tc.want {
				t.Errorf("memory budget %d, want %d", tgt.MemoryBudget, tc.want)
			}
		})
	}
}
