package plan

import "testing"

// TestAxisRole checks which matrix axes make workloads of their own, which
// the plan chooses itself and which it refuses, in either index syntax.
func TestAxisRole(t *testing.T) {
	for path, want := range map[string]axisRole{
		"producers[0].rate.rps": roleWorkload,
		"producers.0.rate.rps":  roleWorkload,
		"deadline":              roleWorkload,
		"consumers[1].count":    roleWorkload,
		"consumers[1].kind":     roleLayout,
		"consumers.1.kind":      roleLayout,
		"stream.shards":         roleLayout,
		"stream.mode":           roleLayout,
		"target.sim.latency":    roleTarget,
		"target.sim.put_delay":  roleTarget,
	} {
		if got := roleOf(canonicalPath(path)); got != want {
			t.Errorf("%s: role %d, want %d", path, got, want)
		}
	}
}
