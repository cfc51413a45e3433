package reports

import (
	"testing"

	"github.com/kbench/kbench/results"
)

// TestAggregatedRows: the throughput plot adds Kinesis records and their
// quota only when some second carried fewer Kinesis records than user
// records; a time series written before the column (zero there) does not.
func TestAggregatedRows(t *testing.T) {
	for _, tt := range []struct {
		name string
		rows []results.Row
		want bool
	}{
		{"not packed", []results.Row{{Acked: 100, AckedKinesis: 100}, {Acked: 0}}, false},
		{"before the column", []results.Row{{Acked: 100}, {Acked: 90}}, false},
		{"aggregated", []results.Row{{Acked: 100, AckedKinesis: 100}, {Acked: 3000, AckedKinesis: 15}}, true},
	} {
		if got := aggregated(tt.rows); got != tt.want {
			t.Errorf("%s: aggregated = %v, want %v", tt.name, got, tt.want)
		}
	}
}
