package targets

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestEstimateCost(t *testing.T) {
	tests := []struct {
		name     string
		shards   int
		onDemand bool
		d        time.Duration
		records  int64
		avg      int
		want     Cost
	}{
		{"provisioned 4 shards 1h, small records", 4, false, time.Hour, 1_000_000, 100,
			Cost{Hours: 1, CapacityHours: 4, CapacityUSD: 0.06, PutUnits: 1e6, DataUSD: 0.014, TotalUSD: 0.074}},
		{"provisioned 25 KB is one unit", 1, false, 30 * time.Minute, 1000, 25 << 10,
			Cost{Hours: 0.5, CapacityHours: 0.5, CapacityUSD: 0.0075, PutUnits: 1000, DataUSD: 0.000014, TotalUSD: 0.007514}},
		{"provisioned 45 KB is two units", 1, false, 0, 1_000_000, 45 << 10,
			Cost{PutUnits: 2e6, DataUSD: 0.028, TotalUSD: 0.028}},
		{"provisioned nothing written", 8, false, 2 * time.Hour, 0, 1000,
			Cost{Hours: 2, CapacityHours: 16, CapacityUSD: 0.24, TotalUSD: 0.24}},
		{"on-demand rounds up to 1 KB", 4, true, time.Hour, 1 << 20, 100,
			Cost{OnDemand: true, Hours: 1, CapacityHours: 1, CapacityUSD: 0.04, GBIn: 1, DataUSD: 0.08, TotalUSD: 0.12}},
		{"on-demand 1.5 KB bills 2 KB", 1, true, 15 * time.Minute, 1 << 19, 1536,
			Cost{OnDemand: true, Hours: 0.25, CapacityHours: 0.25, CapacityUSD: 0.01, GBIn: 1, DataUSD: 0.08, TotalUSD: 0.09}},
		{"negative inputs count as zero", -1, false, -time.Hour, -5, -1,
			Cost{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := EstimateCost(tc.shards, tc.onDemand, tc.d, tc.records, tc.avg)
			if !costNear(got, tc.want) {
				t.Errorf("EstimateCost = %+v\nwant           %+v", got, tc.want)
			}
		})
	}
}

// costNear compares costs up to floating-point rounding.
func costNear(a, b Cost) bool {
	near := func(x, y float64) bool { return math.Abs(x-y) <= 1e-9*max(1, math.Abs(y)) }
	return a.OnDemand == b.OnDemand && near(a.Hours, b.Hours) && near(a.CapacityHours, b.CapacityHours) &&
		near(a.CapacityUSD, b.CapacityUSD) && near(a.PutUnits, b.PutUnits) && near(a.GBIn, b.GBIn) &&
		near(a.DataUSD, b.DataUSD) && near(a.TotalUSD, b.TotalUSD)
}

func TestCostString(t *testing.T) {
	tests := []struct {
		c    Cost
		want []string
	}{
		{EstimateCost(4, false, time.Hour, 1_000_000, 100), []string{"$0.0740", "provisioned", "4 shard-hours", "1 M PUT payload units"}},
		{EstimateCost(4, true, time.Hour, 1<<20, 100), []string{"$0.1200", "on-demand", "1 stream-hours", "1 GB in"}},
	}
	for _, tc := range tests {
		s := tc.c.String()
		for _, w := range tc.want {
			if !strings.Contains(s, w) {
				t.Errorf("String() = %q, want it to contain %q", s, w)
			}
		}
	}
}
