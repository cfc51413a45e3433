package targets

import (
	"fmt"
	"time"
)

// Kinesis Data Streams prices in us-east-1 (from the AWS price list; check
// the live pricing page before quoting).
const (
	PriceShardHour          = 0.015 // USD per provisioned shard-hour
	PricePerMillionPutUnits = 0.014 // USD per million 25 KB PUT payload units
	PriceOnDemandStreamHour = 0.04  // USD per on-demand stream-hour
	PriceOnDemandPerGBIn    = 0.08  // USD per GB written to an on-demand stream
)

// Billing units: a PUT payload unit is a 25 KB chunk of a record; on-demand
// ingress rounds each record up to 1 KB; a GB is 2^30 bytes.
const (
	putUnitBytes     = 25 << 10
	onDemandMinBytes = 1 << 10
	bytesPerGB       = 1 << 30
)

// Cost is an estimate of what a run costs on real Kinesis: capacity (shard-
// or stream-hours) plus data in. Reads, enhanced fan-out, extended retention
// and the stream's life before and after the run are not included.
type Cost struct {
	// OnDemand tells which pricing applies.
	OnDemand bool `json:"on_demand"`
	// Hours is the billed duration.
	Hours float64 `json:"hours"`
	// CapacityHours is shard-hours (provisioned) or stream-hours (on-demand).
	CapacityHours float64 `json:"capacity_hours"`
	// CapacityUSD is CapacityHours times its price.
	CapacityUSD float64 `json:"capacity_usd"`
	// PutUnits is the PUT payload units written (provisioned only).
	PutUnits float64 `json:"put_units"`
	// GBIn is the billed ingress in GB (on-demand only).
	GBIn float64 `json:"gb_in"`
	// DataUSD is the charge for PutUnits or GBIn.
	DataUSD float64 `json:"data_usd"`
	// TotalUSD is CapacityUSD plus DataUSD.
	TotalUSD float64 `json:"total_usd"`
}

// EstimateCost estimates the us-east-1 cost of writing records of
// avgRecordBytes each for d to a stream of the given shards (ignored when
// onDemand).
func EstimateCost(shards int, onDemand bool, d time.Duration, records int64, avgRecordBytes int) Cost {
	c := Cost{OnDemand: onDemand, Hours: max(d.Hours(), 0)}
	records = max(records, 0)
	size := int64(max(avgRecordBytes, 0))
	if onDemand {
		c.CapacityHours = c.Hours
		c.CapacityUSD = c.CapacityHours * PriceOnDemandStreamHour
		billed := max(ceilDiv(size, onDemandMinBytes), 1) * onDemandMinBytes
		c.GBIn = float64(records) * float64(billed) / bytesPerGB
		c.DataUSD = c.GBIn * PriceOnDemandPerGBIn
	} else {
		c.CapacityHours = float64(max(shards, 0)) * c.Hours
		c.CapacityUSD = c.CapacityHours * PriceShardHour
		c.PutUnits = float64(records * max(ceilDiv(size, putUnitBytes), 1))
		c.DataUSD = c.PutUnits / 1e6 * PricePerMillionPutUnits
	}
	c.TotalUSD = c.CapacityUSD + c.DataUSD
	return c
}

// String renders the estimate on one line, showing how it was computed.
func (c Cost) String() string {
	if c.OnDemand {
		return fmt.Sprintf("estimated AWS cost $%.4f (on-demand: %.3g stream-hours × $%.2f = $%.4f; %.4g GB in × $%.2f = $%.4f; us-east-1 prices, reads not included)",
			c.TotalUSD, c.CapacityHours, PriceOnDemandStreamHour, c.CapacityUSD, c.GBIn, PriceOnDemandPerGBIn, c.DataUSD)
	}
	return fmt.Sprintf("estimated AWS cost $%.4f (provisioned: %.3g shard-hours × $%.3f = $%.4f; %.4g M PUT payload units × $%.3f = $%.4f; us-east-1 prices, reads not included)",
		c.TotalUSD, c.CapacityHours, PriceShardHour, c.CapacityUSD, c.PutUnits/1e6, PricePerMillionPutUnits, c.DataUSD)
}

// ceilDiv returns a/b rounded up, for a >= 0 and b > 0.
func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }
