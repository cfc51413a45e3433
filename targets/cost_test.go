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

func TestEstimateRun(t *testing.T) {
	const gb = 1 << 30
	tests := []struct {
		name string
		plan RunPlan
		want map[string]float64 // item → USD
	}{
		{
			// 2 shards for 1 h: 2 shard-hours × $0.015 = $0.03.
			// 3,600,000 records of 1,000 B are 1 PUT unit each: 3.6 M × $0.014 = $0.0504.
			// 1 fan-out consumer on 2 shards for 1 h: 2 consumer-shard-hours × $0.015 = $0.03.
			// It reads 3.6e9 B = 3.6e9/2^30 = 3.35276 GB × $0.013 = $0.0435859.
			// The polling consumer is free on a provisioned stream.
			// Total: 0.03 + 0.0504 + 0.03 + 0.0435859 = $0.1539859.
			"provisioned with fan-out",
			RunPlan{Shards: 2, Duration: time.Hour, Records: 3_600_000, AvgRecordBytes: 1000, PollingConsumers: 1, FanOutConsumers: 1},
			map[string]float64{
				"shard-hours":                           0.03,
				"million PUT payload units":             0.0504,
				"enhanced fan-out consumer-shard-hours": 0.03,
				"GB out to enhanced fan-out consumers":  3.6e9 / gb * 0.013,
			},
		},
		{
			// 30 min on-demand: 0.5 stream-hours × $0.04 = $0.02.
			// 2^20 records of 600 B bill 1 KB each: 1 GB in × $0.08 = $0.08.
			// Reads are the real 600 B: 2^20 × 600 / 2^30 = 0.5859375 GB per consumer;
			// 2 polling consumers: 1.171875 GB × $0.04 = $0.046875;
			// 1 fan-out consumer: 0.5859375 GB × $0.05 = $0.029296875.
			"on-demand with readers",
			RunPlan{OnDemand: true, Duration: 30 * time.Minute, Records: 1 << 20, AvgRecordBytes: 600, PollingConsumers: 2, FanOutConsumers: 1},
			map[string]float64{
				"on-demand stream-hours":               0.02,
				"GB in (records rounded up to 1 KB)":   0.08,
				"GB out to polling consumers":          0.046875,
				"GB out to enhanced fan-out consumers": 0.029296875,
			},
		},
		{
			// An existing stream's shard-hours are not the run's: only the
			// 1 M PUT units ($0.014) are.
			"existing stream",
			RunPlan{Shards: 8, Existing: true, Duration: time.Hour, Records: 1_000_000, AvgRecordBytes: 100},
			map[string]float64{"million PUT payload units": 0.014},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := EstimateRun(tc.plan)
			var total float64
			for _, v := range tc.want {
				total += v
			}
			if len(got.Items) != len(tc.want) || math.Abs(got.TotalUSD-total) > 1e-9 {
				t.Fatalf("EstimateRun = %+v, want %d items totalling %v", got, len(tc.want), total)
			}
			for _, it := range got.Items {
				if w, ok := tc.want[it.What]; !ok || math.Abs(it.USD-w) > 1e-9 || math.Abs(it.Quantity*it.Price-it.USD) > 1e-12 {
					t.Errorf("item %+v, want USD %v", it, w)
				}
			}
		})
	}
	if got := EstimateRun(RunPlan{Shards: 2, Duration: time.Hour, Records: 3_600_000, AvgRecordBytes: 1000, FanOutConsumers: 1}); !strings.Contains(got.String(), "$0.1540") {
		t.Errorf("String() = %q, want the total $0.1540", got.String())
	}
}

func TestRunCostAdd(t *testing.T) {
	a := EstimateRun(RunPlan{Shards: 1, Duration: time.Hour, Records: 1e6, AvgRecordBytes: 10})
	b := EstimateRun(RunPlan{Shards: 3, Duration: time.Hour, Records: 1e6, AvgRecordBytes: 10, FanOutConsumers: 1})
	var sum RunCost
	sum.Add(a)
	sum.Add(b)
	// shard-hours 1+3 = 4 × 0.015 = 0.06; PUT units 2 M × 0.014 = 0.028;
	// fan-out 3 consumer-shard-hours × 0.015 = 0.045; fan-out GB 1e7/2^30 × 0.013.
	want := 0.06 + 0.028 + 0.045 + 1e7/(1<<30)*0.013
	if len(sum.Items) != 4 || math.Abs(sum.TotalUSD-want) > 1e-9 || math.Abs(sum.TotalUSD-(a.TotalUSD+b.TotalUSD)) > 1e-12 {
		t.Errorf("sum = %+v, want 4 items totalling %v", sum, want)
	}
}
